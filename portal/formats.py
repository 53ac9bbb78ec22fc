"""How amounts of money read on pages and in PDFs: one helper, so a page and its PDF agree.

An amount is written with two decimals and the active language's separators, grouped by thousands
whatever ``USE_THOUSAND_SEPARATOR`` says (it is off, so that years and ids print as ``2026``):
``300,000,000.00 EUR`` in English, ``300 000 000,00 EUR`` in French, where Django's ``fr`` formats
group with a no-break space (U+00A0), so an amount never breaks across lines; the currency follows
after a plain space (a PDF's money cells do not wrap). Exports never use this: they write numbers
as numbers (``portal.exports``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CENT = Decimal("0.01")


def amount(value: Decimal | int | None) -> str:
    """``value`` rounded half up to the cent (Django's formatting would cut the digits off), grouped
    by thousands, in the active language; "" for None."""
    if value is None:
        return ""
    cents = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    return number_format(cents, decimal_pos=2, use_l10n=True, force_grouping=True)


def money(value: Decimal | int | None, currency: str = "") -> str:
    """``value`` as :func:`amount` followed by its ISO 4217 ``currency``; "" for None."""
    if value is None:
        return ""
    shown = amount(value)
    return f"{shown} {currency}" if currency else shown

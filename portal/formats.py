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


def quantity(value: int | None) -> str:
    """A whole number grouped by thousands in the active language (``12,500``, ``12 500``)."""
    if value is None:
        return ""
    return number_format(int(value), decimal_pos=0, use_l10n=True, force_grouping=True)


def percent(value: Decimal | float | None, places: int = 2) -> str:
    """``value`` (already in percent) with ``places`` decimals and a percent sign: ``2.12%``,
    ``2,12 %`` in French; "" for None."""
    if value is None:
        return ""
    shown = number_format(Decimal(str(value)), decimal_pos=places, use_l10n=True)
    from django.utils.translation import gettext

    return gettext("%(value)s%%") % {"value": shown}

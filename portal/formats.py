"""How amounts of money read on pages and in PDFs: one helper, so a page and its PDF agree.

An amount is written with two decimals and the active language's separators, grouped by thousands
whatever ``USE_THOUSAND_SEPARATOR`` says (it is off, so that years and ids print as ``2026``):
``300,000,000.00 EUR`` in English, ``300 000 000,00 EUR`` in French, where Django's ``fr`` formats
group with a no-break space (U+00A0). The amount and its currency are joined by a no-break space too,
so a narrow table column never leaves the currency alone on a line. Exports never use this: they
write numbers as numbers (``portal.exports``).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format

NO_BREAK_SPACE = "\xa0"


def amount(value: Decimal | int | None) -> str:
    """``value`` with two decimals, grouped by thousands, in the active language; "" for None."""
    if value is None:
        return ""
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def money(value: Decimal | int | None, currency: str = "") -> str:
    """``value`` as :func:`amount` followed by its ISO 4217 ``currency``; "" for None."""
    if value is None:
        return ""
    shown = amount(value)
    return f"{shown}{NO_BREAK_SPACE}{currency}" if currency else shown

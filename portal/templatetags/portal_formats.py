"""How values are written in templates: ``{{ value|money:currency }}`` and ``{{ value|amount }}``
(``portal.formats``), and ``{{ text|css_string }}`` for text inside a PDF's inline stylesheet."""

import re

from django import template
from django.utils.safestring import SafeString

from portal import formats

register = template.Library()
_CSS_PLAIN = re.compile(r"[A-Za-z0-9 ]")


@register.filter
def money(value, currency=""):
    """``1234.5|money:"EUR"`` reads ``1,234.50 EUR`` in English and ``1 234,50 EUR`` in French."""
    return formats.money(value, currency)


@register.filter
def amount(value):
    """An amount without its currency (the currency is in the column's heading)."""
    return formats.amount(value)


@register.filter
def css_string(value) -> SafeString:
    """``value`` as the inside of a double-quoted CSS string (``content: "..."``): every character
    but letters, digits and spaces as a CSS hex escape, so no quote, backslash, newline or
    ``</style>`` a user typed can end the string or the stylesheet."""
    text = "" if value is None else str(value)
    return SafeString("".join(c if _CSS_PLAIN.fullmatch(c) else f"\\{ord(c):x} " for c in text))

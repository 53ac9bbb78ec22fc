"""``{{ value|money:currency }}`` and ``{{ value|amount }}``: ``portal.formats`` in templates."""

from django import template

from portal import formats

register = template.Library()


@register.filter
def money(value, currency=""):
    """``1234.5|money:"EUR"`` reads ``1,234.50 EUR`` in English and ``1 234,50 EUR`` in French."""
    return formats.money(value, currency)


@register.filter
def amount(value):
    """An amount without its currency (the currency is in the column's heading)."""
    return formats.amount(value)

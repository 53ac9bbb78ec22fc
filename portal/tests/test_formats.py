"""Money as pages and PDFs write it (``portal.formats``), in each language the portal speaks."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.formats import amount, money


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "300,000,000.00 EUR"),
        # Django's fr formats: "," for decimals, U+00A0 (no-break space) between thousands.
        ("fr", "300\xa0000\xa0000,00 EUR"),
    ],
)
def test_money_has_thousands_separators_in_the_readers_language(language, expected):
    with translation.override(language):
        assert money(Decimal("300000000.00"), "EUR") == expected
        assert Template("{% load portal_formats %}{{ v|money:'EUR' }}").render(
            Context({"v": Decimal("3e8")})
        ) == (expected)


def test_amounts_round_half_up_to_the_cent_and_nothing_is_empty():
    with translation.override("en"):
        assert amount(Decimal("1234.565")) == "1,234.57"
        assert amount(Decimal("-1234.565")) == "-1,234.57"
        assert amount(12) == "12.00"
        assert amount(Decimal("999.999")) == "1,000.00"
        assert amount(None) == money(None, "EUR") == ""
        assert money(Decimal("5"), "") == "5.00"


def test_css_string_escapes_everything_that_could_end_the_string():
    rendered = Template("{% load portal_formats %}{{ v|css_string }}").render(
        Context({"v": 'NATO "X"\\ </style>\n'})
    )
    assert rendered == "NATO \\22 X\\22 \\5c  \\3c \\2f style\\3e \\a "

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


def test_the_page_scan_finds_the_old_formats_in_text_and_leaves_machine_values_alone():
    """The URL matrix scans every page with ``old_formats``: it must see what a reader sees."""
    from tests.matrix import old_formats

    assert old_formats("<td>07/09/2024</td><td>July 1, 2023</td><td>Oct. 2, 2023</td>") != []
    assert len(old_formats("<p>Saved 2026-12-01 19:28 for 5500000000.00 EUR</p>")) == 3  # ISO x2, money
    clean = (
        '<time datetime="2026-12-01T19:28:00+00:00">1 Dec 2026, 19:28 UTC</time>'
        '<input type="date" value="2024-06-01"><code>01/06/2024</code>'
        "<p>5,500,000,000.00 EUR · CO-POL-2024-07 · 23/5/2026: 100</p>"
    )
    assert old_formats(clean) == []

"""Load the 32 Allies and the non-Ally participants. Names and currencies follow NATO's 2026
defence-expenditure edition (Bulgaria and Croatia report in EUR)."""

from django.db import migrations

ALLIES = [
    # code, name, accession year, currency
    ("ALB", "Albania", 2009, "ALL"),
    ("BEL", "Belgium", 1949, "EUR"),
    ("BGR", "Bulgaria", 2004, "EUR"),
    ("CAN", "Canada", 1949, "CAD"),
    ("HRV", "Croatia", 2009, "EUR"),
    ("CZE", "Czechia", 1999, "CZK"),
    ("DNK", "Denmark", 1949, "DKK"),
    ("EST", "Estonia", 2004, "EUR"),
    ("FIN", "Finland", 2023, "EUR"),
    ("FRA", "France", 1949, "EUR"),
    ("DEU", "Germany", 1955, "EUR"),
    ("GRC", "Greece", 1952, "EUR"),
    ("HUN", "Hungary", 1999, "HUF"),
    ("ISL", "Iceland", 1949, "ISK"),
    ("ITA", "Italy", 1949, "EUR"),
    ("LVA", "Latvia", 2004, "EUR"),
    ("LTU", "Lithuania", 2004, "EUR"),
    ("LUX", "Luxembourg", 1949, "EUR"),
    ("MNE", "Montenegro", 2017, "EUR"),
    ("NLD", "Netherlands", 1949, "EUR"),
    ("MKD", "North Macedonia", 2020, "MKD"),
    ("NOR", "Norway", 1949, "NOK"),
    ("POL", "Poland", 1999, "PLN"),
    ("PRT", "Portugal", 1949, "EUR"),
    ("ROU", "Romania", 2004, "RON"),
    ("SVK", "Slovakia", 2004, "EUR"),
    ("SVN", "Slovenia", 2004, "EUR"),
    ("ESP", "Spain", 1982, "EUR"),
    ("SWE", "Sweden", 2024, "SEK"),
    ("TUR", "Türkiye", 1952, "TRY"),
    ("GBR", "United Kingdom", 1949, "GBP"),
    ("USA", "United States", 1949, "USD"),
]

NON_ALLIES = [
    # code, name, kind, currency
    ("UKR", "Ukraine", "partner", "UAH"),
    ("AUS", "Australia", "partner", "AUD"),
    ("JPN", "Japan", "partner", "JPY"),
    ("NZL", "New Zealand", "partner", "NZD"),
    ("KOR", "Republic of Korea", "partner", "KRW"),
    # The EU has no ISO 3166 alpha-3 code; EUU is the one World Bank and UN statistics use.
    ("EUU", "European Union", "organisation", "EUR"),
]


def load(apps, schema_editor):
    Nation = apps.get_model("portal", "Nation")
    for code, name, year, currency in ALLIES:
        Nation.objects.update_or_create(
            code=code, defaults={"name": name, "kind": "ally", "accession_year": year, "currency": currency}
        )
    for code, name, kind, currency in NON_ALLIES:
        Nation.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "accession_year": None, "currency": currency}
        )


def unload(apps, schema_editor):
    Nation = apps.get_model("portal", "Nation")
    Nation.objects.filter(code__in=[row[0] for row in ALLIES + NON_ALLIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

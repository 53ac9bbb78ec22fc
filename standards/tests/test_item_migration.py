"""Items' free STANAG lists become requirements on editions (standards.0002), and the field goes
(procurement.0003); what cannot be matched is kept, and the reverse restores the lists."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.tests.migrating import migrate_to
from standards.designations import format_designation, parse_designation

BEFORE = [("standards", "0001_initial"), ("procurement", "0002_idempotencyrecord_to_portal")]
AFTER = [("procurement", "0003_remove_item_stanags")]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("STANAG 4425", ("4425", None)),
        ("4425", ("4425", None)),
        (" stanag 4425 ", ("4425", None)),
        ("4425.2", ("4425", "2")),
        ("STANAG 4425.2", ("4425", "2")),
        ("STANAG 4425 Ed. 2", ("4425", "2")),
        ("STANAG 4425 ED 2", ("4425", "2")),
        ("STANAG 4425 (Edition 3)", ("4425", "3")),
        ("STANAG 4425 Edition 2", ("4425", "2")),
        ("STANAG 4425, Ed 12", ("4425", "12")),
        ("4425 Ed.2", ("4425", "2")),
        ("4425 edn 2", ("4425", "2")),
        ("STANAG 2459 Ed. 3", ("2459", "3")),
        ("STANAG-4425", ("4425", None)),
        ("STANAG no. 4425", ("4425", None)),
        ("STANAG 2953 Ed. d", ("2953", "D")),
        ("STANAG 2953 Ed. D v1", ("2953", "D v1")),
        ("STANAG 2953 Ed. D V01", ("2953", "D v1")),
        # Not STANAG designations, or not only one: kept as text for someone to resolve.
        ("AOP-29", None),
        ("STANREC 4770", None),
        ("Ballistic tables", None),
        ("STANAG", None),
        ("STANAG 4425 Edition", None),
        ("STANAG 4425 Ed. AB", None),
        ("STANAG 4425 Ed. 2 Amd 1", None),
        ("4425, 2895", None),
        ("4425.", None),
        ("123456", None),
        ("", None),
    ],
)
def test_designations_read_as_people_type_them(text, parsed):
    assert parse_designation(text) == parsed


def test_a_formatted_designation_reads_back():
    assert parse_designation(format_designation("4425", "2")) == ("4425", "2")
    assert parse_designation(format_designation("4425")) == ("4425", None)


@pytest.fixture
def _back_to_latest(transactional_db):
    # The tests that run next in this process expect every migration applied.
    yield
    migrate_to()


def _catalogue(old):
    """Editions of three STANAGs in the old state: 4425 with a promulgated edition among two,
    2459 with one edition only, 4187 with two and none promulgated."""
    Domain = old.get_model("standards", "Domain")
    Standard = old.get_model("standards", "Standard")
    domain = Domain.objects.create(code="mig-lbdm", name="Land battle decisive munitions")

    def edition(number, edition, status, doc_type="stanag"):
        return Standard.objects.create(
            doc_type=doc_type, number=number, edition=edition, title=f"Document {number}", status=status,
            promulgated_on=dt.date(2020, 1, 1), domain=domain, level="interchangeability",
        )  # fmt: skip

    return {
        "4425.1": edition("4425", "1", "superseded"),
        "4425.2": edition("4425", "2", "promulgated"),
        "2459.3": edition("2459", "3", "ratification_draft"),
        "4187.1": edition("4187", "1", "superseded"),
        "4187.2": edition("4187", "2", "superseded"),
        "AOP-29.A": edition("AOP-29", "A", "promulgated", doc_type="ap"),
    }


def _links(apps, item_id):
    """(linked edition ids, unmatched texts) of one item."""
    requirements = apps.get_model("standards", "ItemRequirement").objects.filter(item_id=item_id)
    unmatched = apps.get_model("standards", "UnmatchedDesignation").objects.filter(item_id=item_id)
    return (
        set(requirements.values_list("standard_id", flat=True)),
        sorted(unmatched.values_list("designation", flat=True)),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_back_to_latest")
def test_designations_become_requirements_and_the_rest_is_kept(capsys):
    old = migrate_to(BEFORE)
    Item = old.get_model("procurement", "Item")
    editions = _catalogue(old)
    round_ = Item.objects.create(
        code="mig-155", name="155 mm", capability_area="lbdm", unit="round",
        stanags=[
            "STANAG 4425",  # the promulgated edition of two
            "2459",  # the only edition
            "4425.1",  # the edition named
            "STANAG 9999",  # no such STANAG
            "AOP-29",  # not a STANAG designation
            "4187",  # two editions, none promulgated: ambiguous
            "STANAG 4187 Ed. 7",  # no such edition
            " STANAG 4425 ",  # a repeat
            "",
        ],
    )  # fmt: skip
    fuze = Item.objects.create(
        code="mig-fuze", name="Fuze", capability_area="lbdm", unit="fuze", stanags=["STANAG 4187 Edition 2"]
    )
    plain = Item.objects.create(code="mig-plain", name="Plain", capability_area="lbdm", unit="round")

    new = migrate_to(AFTER)
    report = capsys.readouterr().out
    round_links = (
        {editions["4425.2"].pk, editions["2459.3"].pk, editions["4425.1"].pk},
        ["4187", "AOP-29", "STANAG 4187 Ed. 7", "STANAG 9999"],
    )
    assert _links(new, round_.pk) == round_links
    assert _links(new, fuze.pk) == ({editions["4187.2"].pk}, [])
    assert _links(new, plain.pk) == (set(), [])
    assert "4 linked to editions, 4 kept unmatched" in report
    assert "unmatched mig-155: STANAG 9999" in report
    assert "stanags" not in {f.name for f in new.get_model("procurement", "Item")._meta.get_fields()}
    # A requirement recorded after the move, on a document the old list could not name.
    new.get_model("standards", "ItemRequirement").objects.create(
        item_id=plain.pk, standard_id=editions["AOP-29.A"].pk
    )

    back = migrate_to(BEFORE)
    OldItem = back.get_model("procurement", "Item")
    # Editions are written where the number has several, so each entry names the same edition.
    assert sorted(OldItem.objects.get(pk=round_.pk).stanags) == [
        "4187",
        "AOP-29",
        "STANAG 2459",
        "STANAG 4187 Ed. 7",
        "STANAG 4425 Ed. 1",
        "STANAG 4425 Ed. 2",
        "STANAG 9999",
    ]
    assert OldItem.objects.get(pk=fuze.pk).stanags == ["STANAG 4187 Ed. 2"]
    assert OldItem.objects.get(pk=plain.pk).stanags == ["AOP-29 Ed. A"]
    assert not back.get_model("standards", "ItemRequirement").objects.exists()
    assert not back.get_model("standards", "UnmatchedDesignation").objects.exists()

    # Forward again, the written-back lists link the same editions.
    again = migrate_to(AFTER)
    assert _links(again, round_.pk) == round_links
    assert _links(again, fuze.pk) == ({editions["4187.2"].pk}, [])
    assert _links(again, plain.pk) == (set(), ["AOP-29 Ed. A"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_back_to_latest")
def test_a_database_without_items_migrates_quietly(capsys):
    migrate_to(BEFORE)
    capsys.readouterr()
    migrate_to(AFTER)
    assert capsys.readouterr().out == ""

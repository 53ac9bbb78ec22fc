"""The standards demo loads the STANAGs of shared/data/nato/stanags.md with their caveats, the
14 reservations on the artillery standard, an alert on Poland's call-off, and loads once."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.models import Nation, ObjectChange, User
from procurement.models import CallOff
from standards import demo, selectors
from standards.models import (
    ChangeProposal,
    Domain,
    ItemRequirement,
    NationalResponse,
    ReviewCycle,
    Standard,
)

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Domain,
            Standard,
            NationalResponse,
            ItemRequirement,
            ReviewCycle,
            ChangeProposal,
            ObjectChange,
        )
    )


@pytest.fixture
def loaded():
    load()


def test_a_second_run_changes_nothing():
    load()
    before = counts()
    snapshot = list(NationalResponse.objects.order_by("pk").values_list("pk", "version", "ratification"))
    output = load()
    assert counts() == before
    assert (
        list(NationalResponse.objects.order_by("pk").values_list("pk", "version", "ratification")) == snapshot
    )
    assert "standards: domains created: 0, editions created: 0" in output


def test_every_stanag_of_the_file_with_its_caveat_and_edition_history(loaded):
    current = Standard.objects.filter(status="promulgated")
    assert set(current.values_list("number", flat=True)) == {
        "2459", "2953", "4425", "4355", "4144", "4439", "4297", "4187", "4369", "4157", "4240", "2895",
        "4370", "4569",
    }  # fmt: skip
    artillery = current.get(number="4425")
    assert (artillery.edition, artillery.covering_publication) == ("2", "AOP-29")
    assert artillery.notes.startswith("Confidence: medium for the scope, low for the exact title.")
    assert "Evidence: " in artillery.notes
    assert "portal's translation" in artillery.notes
    assert current.get(number="2953").covering_edition == "D v1"
    ruled_out = current.get(number="4569")
    assert ruled_out.domain.code == "armour"
    assert "rule it out" in ruled_out.notes
    assert not ruled_out.responses.exists()
    # The memorandum in the file is not a STANAG: nothing in the catalogue mentions it.
    assert not Standard.objects.filter(notes__icontains="JBMoU").exists()
    assert not Standard.objects.filter(title__icontains="memorandum").exists()
    # The three editions the file numbers have a superseded predecessor, for the edition history.
    for number, edition, earlier in (("2459", "3", "2"), ("2953", "4", "3"), ("4425", "2", "1")):
        new = Standard.objects.get(number=number, edition=edition)
        assert new.supersedes.edition == earlier
        assert new.supersedes.status == "superseded"
        assert "Illustrative earlier edition" in new.supersedes.notes
        # Editions are history: the old edition keeps its own responses.
        assert new.supersedes.responses.exists()


def test_fourteen_allies_reserve_on_the_artillery_standard_and_poland_is_alerted(loaded):
    artillery = Standard.objects.get(number="4425", edition="2")
    reserving = artillery.responses.filter(ratification="reservations")
    assert reserving.count() == demo.RESERVING_ALLIES == 14
    assert reserving.filter(nation__code="POL").exists()
    assert all(text.startswith("Illustrative") for text in reserving.values_list("reservations", flat=True))
    assert set(NationalResponse.objects.values_list("ratification_reference", flat=True)) == {demo.REFERENCE}
    # Directors record their own nation's; the secretariat the others', on their behalf.
    assert artillery.responses.get(nation__code="POL").updated_by.username == "director_pol"
    assert artillery.responses.get(nation__code="ITA").updated_by.username == "secretariat"
    assert ObjectChange.objects.filter(action="response.recorded_on_behalf").exists()
    assert not NationalResponse.objects.filter(nation__code="ISL").exists()
    # Poland's demo call-off for 155 mm rounds meets the reservation: an alert, for either reader.
    call_off = CallOff.objects.get(reference="DEMO-CO-LBDM-POL-1")
    for username in ("secretariat", "director_pol"):
        alerts = list(selectors.alert_list(user=User.objects.get(username=username), call_off=call_off))
        reservation = [a for a in alerts if a["standard_number"] == "4425"]
        assert [a["kind"] for a in reservation] == ["reservations"], username
        assert reservation[0]["nation_code"] == "POL"


def test_the_choice_of_reserving_allies_is_seeded_by_nation_code():
    codes = list(Nation.objects.filter(kind="ally").values_list("code", flat=True))
    chosen = demo.reserving_nations(codes)
    assert chosen == demo.reserving_nations(list(reversed(codes)))
    assert len(chosen) == 14
    assert "POL" in chosen
    assert "ISL" not in chosen


def test_items_require_their_editions_and_the_review_process_has_work(loaded):
    required = {
        (code, number)
        for code, number in ItemRequirement.objects.values_list("item__code", "standard__number")
    }
    assert required == {
        ("155mm-round", "4425"), ("155mm-round", "2459"), ("155mm-round", "4439"),
        ("155mm-fuze", "4187"), ("155mm-fuze", "4369"), ("120mm-mortar", "4425"), ("120mm-tank", "2459"),
    }  # fmt: skip
    assert set(ItemRequirement.objects.values_list("standard__status", flat=True)) == {"promulgated"}

    # Reviews: one due soon, one overdue and in progress, one done; and a proposal waits.
    today = timezone.localdate()
    reviews = {r.standard.number: r for r in ReviewCycle.objects.select_related("standard")}
    assert reviews["4425"].status == "due"
    assert today < reviews["4425"].due_on <= today + dt.timedelta(days=60)
    assert reviews["2953"].status == "in_progress"
    assert reviews["2953"].due_on < today
    assert (reviews["2459"].status, reviews["2459"].outcome) == ("completed", "no_change")
    proposal = ChangeProposal.objects.get()
    assert (proposal.nation.code, proposal.status, proposal.standard.number) == ("POL", "submitted", "4425")
    assert proposal.text.startswith("Illustrative")

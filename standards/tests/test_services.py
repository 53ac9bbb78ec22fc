"""The standards services' rules (issue 12, "Rules and bad input"), and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.exceptions import Conflict, Forbidden
from portal.models import Nation, ObjectChange
from standards import selectors, services
from standards.choices import AuditEvent, ReviewOutcome, ReviewStatus, StandardStatus
from standards.models import NationalResponse, Standard
from standards.services import ResponseInput
from standards.services.responses import RowsRejected

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def domain(secretariat):
    return services.domain_create(actor=secretariat, code="lbdm", name="Land battle decisive munitions")


@pytest.fixture
def make_standard(secretariat, domain):
    def make(number="4425", edition="2", status=StandardStatus.PROMULGATED, **fields):
        values = {
            "doc_type": "stanag",
            "number": number,
            "edition": edition,
            "title": f"Standard {number}",
            "status": status,
            "promulgated_on": dt.date(2020, 3, 31) if status != StandardStatus.STUDY else None,
            "domain": domain,
            "level": "interchangeability",
            **fields,
        }
        return services.standard_create(actor=secretariat, **values)

    return make


@pytest.fixture
def poland(owner):
    return Nation.objects.get(pk=owner.nation_id)


def answer(standard, **fields):
    return ResponseInput(standard=standard, **{"expected_version": 0, **fields})


# --- The catalogue ----------------------------------------------------------------------------


def test_next_review_due_is_computed_from_the_dates_and_the_cycle(make_standard, secretariat):
    standard = make_standard(review_cycle_months=36)
    assert standard.next_review_due == dt.date(2023, 3, 31)
    standard = services.standard_update(
        actor=secretariat, standard=standard, effective_on=dt.date(2021, 2, 28)
    )
    assert standard.next_review_due == dt.date(2024, 2, 28)
    study = make_standard(number="4439", status=StandardStatus.STUDY)
    assert study.next_review_due is None


def test_a_duplicate_type_number_and_edition_is_refused(make_standard):
    make_standard()
    with pytest.raises(ValidationError) as error:
        make_standard(number=" 4425 ")
    assert "already in the catalogue" in str(error.value)
    assert Standard.objects.count() == 1


def test_superseding_an_edition_that_is_not_promulgated_is_refused(make_standard):
    draft = make_standard(edition="1", status=StandardStatus.RATIFICATION_DRAFT)
    with pytest.raises(ValidationError) as error:
        make_standard(edition="2", status=StandardStatus.STUDY, supersedes=draft)
    assert "supersedes" in error.value.message_dict
    assert "Only a promulgated edition" in error.value.message_dict["supersedes"][0]


def test_promulgating_a_new_edition_supersedes_the_old_and_keeps_its_responses(
    make_standard, secretariat, owner, poland
):
    old = make_standard(edition="1")
    services.response_save(actor=owner, nation=poland, row=answer(old, ratification="ratified"))
    new = make_standard(edition="2", status=StandardStatus.STUDY, supersedes=old)
    old.refresh_from_db()
    assert old.status == StandardStatus.PROMULGATED  # a study edition is not in force yet
    services.standard_update(actor=secretariat, standard=new, status="promulgated", promulgated_on=TODAY)
    old.refresh_from_db()
    assert old.status == StandardStatus.SUPERSEDED
    assert ObjectChange.objects.filter(action=AuditEvent.EDITION_SUPERSEDED, object_id=str(old.pk)).exists()
    assert list(old.responses.values_list("ratification", flat=True)) == ["ratified"]
    assert new.responses.count() == 0


def test_only_the_secretariat_keeps_the_catalogue(make_standard, owner, nspa, domain):
    for actor in (owner, nspa):
        with pytest.raises(Forbidden):
            services.standard_create(
                actor=actor,
                doc_type="stanag",
                number="1",
                edition="1",
                title="x",
                status="study",
                domain=domain,
                level="compatibility",
            )


# --- National responses ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [StandardStatus.STUDY, StandardStatus.CANCELLED])
def test_a_response_to_a_study_or_cancelled_edition_is_refused(make_standard, owner, poland, status):
    standard = make_standard(status=status, promulgated_on=dt.date(2020, 1, 1) if status != "study" else None)
    with pytest.raises(RowsRejected) as error:
        services.response_save(actor=owner, nation=poland, row=answer(standard, ratification="ratified"))
    assert "takes no national response" in error.value.errors[0]["standard"][0]
    assert NationalResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"implementation": "implemented"}, "implemented_without_ratification", "tick"),
        (
            {"implementation": "implemented", "implemented_without_ratification": True},
            "without_ratification_reason",
            "reason",
        ),
        (
            {
                "ratification": "ratified",
                "implementation": "implemented",
                "implementation_date": TODAY + dt.timedelta(days=1),
            },
            "implementation_date",
            "future",
        ),
        ({"ratification": "ratified", "implementation": "planned"}, "implementation_date", "planned date"),
        ({"ratification": "reservations"}, "reservations", "State the reservations"),
        ({"ratification": "ratified", "ratified_on": TODAY + dt.timedelta(days=3)}, "ratified_on", "future"),
    ],
)
def test_each_response_rule_is_a_field_message(make_standard, owner, poland, fields, field, message):
    standard = make_standard()
    with pytest.raises(RowsRejected) as error:
        services.response_save(actor=owner, nation=poland, row=answer(standard, **fields))
    assert message in error.value.errors[0][field][0]
    assert NationalResponse.objects.count() == 0


def test_implemented_without_ratification_with_flag_and_reason_is_recorded(make_standard, owner, poland):
    standard = make_standard()
    response = services.response_save(
        actor=owner,
        nation=poland,
        row=answer(
            standard,
            implementation="implemented",
            implementation_date=TODAY,
            implemented_without_ratification=True,
            without_ratification_reason="Fielded with the allied battalion before ratification.",
        ),
    )
    assert response.implemented_without_ratification
    assert response.version == 1


def test_a_director_records_only_their_own_nation(make_standard, other, poland, nspa, make_user):
    standard = make_standard()
    for actor in (other, nspa, make_user("partner", "UKR", username="p"), make_user("board_member")):
        with pytest.raises(Forbidden):
            services.response_save(actor=actor, nation=poland, row=answer(standard, ratification="ratified"))
    assert NationalResponse.objects.count() == 0


def test_the_secretariat_records_on_a_nations_behalf_audited_as_such(make_standard, secretariat, poland):
    standard = make_standard()
    response = services.response_save(
        actor=secretariat, nation=poland, row=answer(standard, ratification="ratified")
    )
    change = ObjectChange.objects.get(object_id=str(response.pk), content_type__model="nationalresponse")
    assert change.action == AuditEvent.RESPONSE_ON_BEHALF
    assert "on behalf of" in change.message
    assert change.nation_id == poland.pk
    assert response.updated_by == secretariat


def test_a_stale_save_is_a_conflict_that_names_the_changes(make_standard, owner, secretariat, poland):
    standard = make_standard()
    services.response_save(actor=owner, nation=poland, row=answer(standard, ratification="ratified"))
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=answer(
            standard, ratification="reservations", reservations="Fuze setter differs.", expected_version=1
        ),
    )
    with pytest.raises(Conflict) as conflict:
        services.response_save(
            actor=owner,
            nation=poland,
            row=answer(standard, ratification="will_not_ratify", expected_version=1),
        )
    (row,) = conflict.value.detail["rows"]
    assert row["changed_fields"] == ["ratification", "reservations"]
    assert row["changed_by"] == ["sec"]
    assert row["current_version"] == 2
    assert NationalResponse.objects.get().ratification == "reservations"


def test_a_save_that_changes_nothing_leaves_no_trace(make_standard, owner, poland):
    standard = make_standard()
    services.response_save(actor=owner, nation=poland, row=answer(standard, ratification="ratified"))
    before = ObjectChange.objects.count()
    again = services.response_save(
        actor=owner, nation=poland, row=answer(standard, ratification="ratified", expected_version=1)
    )
    assert again.version == 1
    assert ObjectChange.objects.count() == before


def test_a_bulk_save_is_all_or_nothing_with_every_rows_messages(make_standard, owner, poland):
    good, bad, worse = make_standard("4425"), make_standard("2459"), make_standard("4439")
    rows = [
        answer(good, ratification="ratified"),
        answer(bad, ratification="reservations"),
        answer(worse, implementation="planned"),
    ]
    with pytest.raises(RowsRejected) as error:
        services.responses_save(actor=owner, nation=poland, rows=rows)
    assert set(error.value.errors) == {1, 2}
    assert NationalResponse.objects.count() == 0
    saved = services.responses_save(
        actor=owner,
        nation=poland,
        rows=[
            rows[0],
            answer(bad, ratification="reservations", reservations="Own charges."),
            rows[0].__class__(
                standard=worse,
                implementation="planned",
                implementation_date=TODAY + dt.timedelta(days=90),
                expected_version=0,
            ),
        ],
    )
    assert [response.version for response in saved] == [1, 1, 1]


def test_service_lines_are_checked_and_replaced(make_standard, owner, poland):
    standard = make_standard()
    line = services.ServiceLine
    with pytest.raises(RowsRejected):
        services.response_save(
            actor=owner,
            nation=poland,
            row=answer(standard, ratification="ratified", services=[line("army", "planned")]),
        )
    response = services.response_save(
        actor=owner,
        nation=poland,
        row=answer(standard, ratification="ratified", services=[line("army", "implemented", TODAY)]),
    )
    response = services.response_save(
        actor=owner,
        nation=poland,
        row=answer(
            standard, ratification="ratified", expected_version=1, services=[line("navy", "not_implemented")]
        ),
    )
    assert response.version == 2
    assert list(response.services.values_list("service", flat=True)) == ["navy"]


# --- Reviews and proposals ----------------------------------------------------------------------


def test_a_new_edition_outcome_creates_the_study_edition_linked_to_the_old(make_standard, secretariat):
    standard = make_standard()
    review = services.review_open(actor=secretariat, standard=standard, due_on=TODAY)
    review = services.review_start(actor=secretariat, review=review)
    with pytest.raises(Conflict) as conflict:
        services.review_start(actor=secretariat, review=review)
    assert "in progress" in conflict.value.message
    review = services.review_complete(
        actor=secretariat, review=review, outcome=ReviewOutcome.NEW_EDITION, new_edition="3"
    )
    new = review.new_edition
    assert (new.status, new.supersedes_id, new.edition, new.number) == ("study", standard.pk, "3", "4425")
    standard.refresh_from_db()
    assert standard.last_reviewed_on == TODAY
    assert standard.status == StandardStatus.PROMULGATED
    assert review.status == ReviewStatus.COMPLETED


def test_a_failed_new_edition_leaves_the_review_open(make_standard, secretariat):
    standard = make_standard()
    make_standard(edition="3", status=StandardStatus.STUDY)
    review = services.review_open(actor=secretariat, standard=standard, due_on=TODAY)
    with pytest.raises(ValidationError):
        services.review_complete(actor=secretariat, review=review, outcome="new_edition", new_edition="3")
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE
    assert Standard.objects.count() == 2


def test_a_cancel_outcome_cancels_the_edition(make_standard, secretariat):
    standard = make_standard()
    review = services.review_open(actor=secretariat, standard=standard, due_on=TODAY)
    services.review_complete(actor=secretariat, review=review, outcome=ReviewOutcome.CANCEL)
    standard.refresh_from_db()
    assert standard.status == StandardStatus.CANCELLED
    assert standard.next_review_due is None


def test_proposals_come_from_a_directors_own_nation_and_the_secretariat_decides(
    make_standard, owner, other, secretariat, poland
):
    standard = make_standard()
    with pytest.raises(Forbidden):
        services.proposal_submit(
            actor=other, standard=standard, nation=poland, text="Add 52-calibre charges."
        )
    proposal = services.proposal_submit(
        actor=owner, standard=standard, nation=poland, text="Add 52-calibre charges."
    )
    with pytest.raises(Forbidden):
        services.proposal_decide(actor=owner, proposal=proposal, status="accepted", decision="x")
    proposal = services.proposal_decide(
        actor=secretariat, proposal=proposal, status="accepted", decision="Into Ed. 3."
    )
    assert proposal.decided_on == TODAY
    with pytest.raises(Conflict):
        services.proposal_decide(actor=secretariat, proposal=proposal, status="rejected", decision="x")


# --- Reads ---------------------------------------------------------------------------------------


def test_partners_read_the_catalogue_and_nothing_per_nation(make_standard, owner, poland, make_user):
    standard = make_standard()
    services.response_save(actor=owner, nation=poland, row=answer(standard, ratification="ratified"))
    partner, board = make_user("partner", "UKR", username="p"), make_user("board_member", username="b")
    assert list(selectors.standard_list(user=partner)) == [standard]
    assert not selectors.response_list(user=partner).exists()
    assert selectors.response_list(user=board).count() == 1


def test_deadlines_cost_two_queries_at_any_size(make_standard, secretariat):
    make_standard()
    until = TODAY + dt.timedelta(days=365 * 20)
    with CaptureQueriesContext(connection) as small:
        rows = selectors.deadlines(user=secretariat, until=until)
    assert [row.kind for row in rows] == ["review_cycle_due"]
    for number in ("1", "2", "3"):
        standard = make_standard(number=number)
        services.review_open(actor=secretariat, standard=standard, due_on=TODAY)
    with CaptureQueriesContext(connection) as large:
        rows = selectors.deadlines(user=secretariat, until=until)
    assert len(small) == len(large) == 2
    assert sorted(row.kind for row in rows) == ["review_cycle_due"] + ["review_scheduled"] * 3

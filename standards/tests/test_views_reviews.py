"""The catalogue's upkeep pages as their users meet them: domains, the review process, change
proposals, item requirements and unmatched designations. Field errors keep the input, a wrong
state or a stale version is a 409 naming the current state, and each page keeps to its scope."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Nation, ObjectChange
from procurement.tests.factories import ItemFactory
from standards import services
from standards.models import (
    ChangeProposal,
    Domain,
    ItemRequirement,
    ReviewCycle,
    Standard,
    UnmatchedDesignation,
)
from standards.tests.factories import make_domain, make_standard

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"standards:{name}", kwargs=kwargs or None)


def detail(standard) -> str:
    return url("standard-detail", pk=standard.pk)


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def edition(secretariat):
    return make_standard(number="4425", edition="2", domain=make_domain(actor=secretariat), actor=secretariat)


@pytest.fixture
def review(secretariat, edition):
    return services.review_open(actor=secretariat, standard=edition, due_on=dt.date(2026, 6, 30))


@pytest.fixture
def poland():
    return Nation.objects.get(code="POL")


@pytest.fixture
def proposal(owner, edition, poland):
    return services.proposal_submit(actor=owner, standard=edition, nation=poland, text="Add zone 6.")


# --- Domains -------------------------------------------------------------------------------


def test_secretariat_adds_a_domain_with_its_french_name(client, secretariat):
    client.force_login(secretariat)
    response = client.post(
        url("domain-create"),
        {"code": "iamd", "name": "Air and missile defence", "name_fr": "Défense aérienne", "order": "20"},
    )
    assert response.status_code == 302
    assert response.url == url("domain-list")
    assert Domain.objects.get(code="iamd").name_fr == "Défense aérienne"
    listing = client.get(url("domain-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Défense aérienne" in page_text(listing)
    assert url("domain-edit", pk=Domain.objects.get(code="iamd").pk) in page_text(listing)


def test_a_duplicate_domain_code_is_a_field_message_and_the_input_stays(client, secretariat):
    make_domain(code="lbdm", actor=secretariat)
    client.force_login(secretariat)
    response = client.post(url("domain-create"), {"code": "lbdm", "name": "Typed again", "order": "5"})
    assert response.status_code == 400
    assert field_errors(response, "code")
    assert 'value="Typed again"' in page_text(response)
    assert Domain.objects.count() == 1


def test_a_stale_domain_edit_is_a_409_that_keeps_the_input(client, secretariat):
    domain = make_domain(code="lbdm", actor=secretariat)
    services.domain_update(actor=secretariat, domain=domain, name="Renamed meanwhile")
    client.force_login(secretariat)
    response = client.post(
        url("domain-edit", pk=domain.pk),
        {"code": "lbdm", "name": "My name", "order": "100", "version": "1"},
    )
    assert response.status_code == 409
    assert "changed by someone else" in page_text(response)
    assert 'value="My name"' in page_text(response)
    assert Domain.objects.get(pk=domain.pk).name == "Renamed meanwhile"


def test_readers_see_domains_without_an_edit_link_and_may_not_edit(client, owner, secretariat):
    domain = make_domain(code="lbdm", actor=secretariat)
    client.force_login(owner)
    listing = client.get(url("domain-list"))
    assert listing.status_code == 200
    assert url("domain-edit", pk=domain.pk) not in page_text(listing)
    assert client.get(url("domain-edit", pk=domain.pk)).status_code == 403
    assert client.post(url("domain-create"), {"code": "x", "name": "X", "order": "1"}).status_code == 403


# --- Reviews -------------------------------------------------------------------------------


def test_opening_a_review_goes_to_the_edition_and_a_second_one_is_a_field_message(
    client, secretariat, edition
):
    client.force_login(secretariat)
    response = client.post(url("review-open", pk=edition.pk), {"due_on": "2027-01-31", "notes": "First"})
    assert response.status_code == 302
    assert response.url == detail(edition)
    again = client.post(url("review-open", pk=edition.pk), {"due_on": "2027-03-31", "notes": "Second"})
    assert again.status_code == 400
    assert field_errors(again, "due_on") == [f"{edition} already has an open review."]
    assert "Second" in page_text(again)
    assert ReviewCycle.objects.filter(standard=edition).count() == 1


def test_a_review_of_an_edition_in_study_is_refused_naming_its_status(client, secretariat, edition):
    study = make_standard(number="4426", status="study", domain=edition.domain, actor=secretariat)
    client.force_login(secretariat)
    response = client.post(url("review-open", pk=study.pk), {"due_on": "2027-01-31"})
    assert response.status_code == 400
    assert "is study" in " ".join(response.context["form"].non_field_errors())


def test_the_review_form_starts_at_the_date_the_cycle_gives(client, secretariat, edition):
    client.force_login(secretariat)
    page = client.get(url("review-open", pk=edition.pk))
    assert page.context["form"].initial["due_on"] == edition.next_review_due


def test_starting_a_review_twice_is_a_409_naming_its_state(client, secretariat, review):
    client.force_login(secretariat)
    first = client.post(url("review-start", pk=review.pk), {"version": str(review.version)})
    assert first.status_code == 302
    assert first.url == detail(review.standard)
    review.refresh_from_db()
    assert review.status == "in_progress"
    second = client.post(url("review-start", pk=review.pk), {"version": str(review.version)})
    assert second.status_code == 409
    assert "the review is in progress" in page_text(second)


def test_completing_with_a_new_edition_needs_its_number_and_keeps_the_notes(client, secretariat, review):
    client.force_login(secretariat)
    data = {"outcome": "new_edition", "new_edition": "", "notes": "Zone 6 added", "version": "1"}
    missing = client.post(url("review-complete", pk=review.pk), data)
    assert missing.status_code == 400
    assert field_errors(missing, "new_edition")
    assert "Zone 6 added" in page_text(missing)

    done = client.post(url("review-complete", pk=review.pk), {**data, "new_edition": "3"})
    assert done.status_code == 302
    assert done.url == detail(review.standard)
    new = Standard.objects.get(number="4425", edition="3")
    assert (new.status, new.supersedes_id) == ("study", review.standard_id)
    review.refresh_from_db()
    assert (review.status, review.outcome, review.new_edition_id) == ("completed", "new_edition", new.pk)

    closed = client.post(url("review-complete", pk=review.pk), {**data, "version": str(review.version)})
    assert closed.status_code == 409
    assert "the review is completed" in page_text(closed)


def test_a_stale_review_completion_is_a_409(client, secretariat, review):
    services.review_start(actor=secretariat, review=review)
    client.force_login(secretariat)
    response = client.post(
        url("review-complete", pk=review.pk), {"outcome": "no_change", "version": str(review.version)}
    )
    assert response.status_code == 409
    assert ReviewCycle.objects.get(pk=review.pk).status == "in_progress"


def test_a_future_completion_date_is_a_field_message(client, secretariat, review):
    client.force_login(secretariat)
    later = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client.post(
        url("review-complete", pk=review.pk),
        {"outcome": "no_change", "completed_on": later, "version": "1"},
    )
    assert response.status_code == 400
    assert field_errors(response, "completed_on")


def test_directors_read_reviews_but_get_no_actions(client, owner, secretariat, review):
    client.force_login(owner)
    listing = client.get(url("review-list"))
    assert listing.status_code == 200
    assert str(review.standard) in page_text(listing)
    assert url("review-start", pk=review.pk) not in page_text(listing)
    assert client.get(url("review-start", pk=review.pk)).status_code == 403
    client.force_login(secretariat)
    assert url("review-start", pk=review.pk) in page_text(client.get(url("review-list")))


def test_partners_see_no_review(client, make_user, review):
    client.force_login(make_user("partner", "UKR"))
    assert client.get(url("review-list")).status_code == 403
    assert client.get(url("review-complete", pk=review.pk)).status_code == 404


def test_review_list_filters_and_exports_every_filtered_row(client, secretariat, review, edition):
    other = make_standard(number="4427", domain=edition.domain, actor=secretariat)
    started = services.review_open(actor=secretariat, standard=other, due_on=dt.date(2026, 1, 31))
    services.review_start(actor=secretariat, review=started)
    client.force_login(secretariat)
    response = client.get(url("review-list"), {"status": "due", "export": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Edition"] for row in rows] == [str(edition)]
    assert rows[0]["Due"] == "2026-06-30"
    assert "Actions" not in rows[0]


# --- Change proposals ----------------------------------------------------------------------


def test_a_director_proposes_for_their_own_nation_only(client, owner, edition, poland):
    client.force_login(owner)
    page = client.get(url("proposal-submit", pk=edition.pk))
    assert "nation" not in page.context["form"].fields
    france = Nation.objects.get(code="FRA")
    response = client.post(url("proposal-submit", pk=edition.pk), {"nation": france.pk, "text": "Zone 6"})
    assert response.status_code == 302
    assert response.url == detail(edition)
    assert ChangeProposal.objects.get().nation == poland


def test_the_secretariat_picks_the_proposer_nation(client, secretariat, edition):
    client.force_login(secretariat)
    missing = client.post(url("proposal-submit", pk=edition.pk), {"text": "On behalf"})
    assert missing.status_code == 400
    assert field_errors(missing, "nation")
    assert "On behalf" in page_text(missing)
    germany = Nation.objects.get(code="DEU")
    done = client.post(url("proposal-submit", pk=edition.pk), {"nation": germany.pk, "text": "On behalf"})
    assert done.status_code == 302
    assert ChangeProposal.objects.get().nation == germany
    # Only Allies propose: a partner nation is not a choice.
    ukraine = Nation.objects.get(code="UKR")
    refused = client.post(url("proposal-submit", pk=edition.pk), {"nation": ukraine.pk, "text": "No"})
    assert refused.status_code == 400
    assert field_errors(refused, "nation")


def test_a_proposal_on_a_superseded_edition_is_refused(client, owner, secretariat, edition):
    services.standard_create(
        actor=secretariat,
        doc_type="stanag",
        number="4425",
        edition="3",
        title="Next",
        status="promulgated",
        promulgated_on=dt.date(2024, 1, 1),
        domain=edition.domain,
        level="interchangeability",
        supersedes=edition,
    )
    client.force_login(owner)
    response = client.post(url("proposal-submit", pk=edition.pk), {"text": "Too late"})
    assert response.status_code == 400
    assert "superseded" in " ".join(response.context["form"].non_field_errors())
    assert not ChangeProposal.objects.exists()


def test_nspa_and_partners_may_not_propose(client, nspa, make_user, edition):
    for user in (nspa, make_user("partner", "UKR")):
        client.force_login(user)
        assert client.get(url("proposal-submit", pk=edition.pk)).status_code == 403


def test_accepting_needs_the_decision_text_and_a_decided_proposal_is_a_409(client, secretariat, proposal):
    client.force_login(secretariat)
    data = {"status": "accepted", "decision": "", "version": str(proposal.version)}
    missing = client.post(url("proposal-decide", pk=proposal.pk), data)
    assert missing.status_code == 400
    assert field_errors(missing, "decision")
    done = client.post(url("proposal-decide", pk=proposal.pk), {**data, "decision": "For Ed. 3"})
    assert done.status_code == 302
    assert done.url == detail(proposal.standard)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_on) == ("accepted", timezone.localdate())
    again = client.post(url("proposal-decide", pk=proposal.pk), {**data, "version": str(proposal.version)})
    assert again.status_code == 409
    assert "already accepted" in page_text(again)


def test_the_proposer_reads_proposals_but_may_not_decide(client, owner, proposal):
    client.force_login(owner)
    listing = client.get(url("proposal-list"), {"nation": "pol"})
    assert listing.status_code == 200
    assert "Add zone 6." in page_text(listing)
    assert url("proposal-decide", pk=proposal.pk) not in page_text(listing)
    assert client.get(url("proposal-decide", pk=proposal.pk)).status_code == 403


# --- Item requirements -----------------------------------------------------------------------


def test_nspa_links_an_item_and_a_second_link_is_a_message(client, nspa, edition):
    item = ItemFactory(name="155 mm round")
    client.force_login(nspa)
    response = client.post(url("requirement-add", pk=edition.pk), {"item": item.pk})
    assert response.status_code == 302
    assert response.url == detail(edition)
    assert ItemRequirement.objects.filter(item=item, standard=edition).exists()
    again = client.post(url("requirement-add", pk=edition.pk), {"item": item.pk})
    assert again.status_code == 400
    assert "already requires" in " ".join(again.context["form"].non_field_errors())


def test_directors_may_not_link_items(client, owner, edition):
    client.force_login(owner)
    assert client.get(url("requirement-add", pk=edition.pk)).status_code == 403
    assert client.post(url("requirement-add", pk=edition.pk), {"item": ItemFactory().pk}).status_code == 403
    assert not ItemRequirement.objects.exists()


def test_removal_asks_first_then_removes(client, secretariat, edition):
    requirement = services.requirement_add(actor=secretariat, item=ItemFactory(), standard=edition)
    client.force_login(secretariat)
    confirm = client.get(url("requirement-remove", pk=requirement.pk))
    assert confirm.status_code == 200
    assert "Remove the requirement" in page_text(confirm)
    assert ItemRequirement.objects.filter(pk=requirement.pk).exists()
    response = client.post(url("requirement-remove", pk=requirement.pk))
    assert response.status_code == 302
    assert response.url == detail(edition)
    assert not ItemRequirement.objects.filter(pk=requirement.pk).exists()
    assert ObjectChange.objects.filter(action="delete", actor_username=secretariat.username).exists()
    assert client.post(url("requirement-remove", pk=requirement.pk)).status_code == 404


# --- Unmatched designations ----------------------------------------------------------------


@pytest.fixture
def unmatched():
    # The item migration creates these rows; no service does, so the test makes one as it would.
    return UnmatchedDesignation.objects.create(
        item=ItemFactory(name="120 mm mortar round"), designation="4425.2"
    )


def test_only_nspa_and_the_secretariat_see_unmatched_designations(client, owner, nspa, unmatched):
    client.force_login(owner)
    assert client.get(url("unmatched-list")).status_code == 403
    assert client.get(url("unmatched-resolve", pk=unmatched.pk)).status_code == 404
    client.force_login(nspa)
    listing = client.get(url("unmatched-list"), {"q": "mortar"})
    assert "4425.2" in page_text(listing)
    assert url("unmatched-resolve", pk=unmatched.pk) in page_text(listing)


def test_resolving_to_an_edition_creates_the_requirement_and_drops_the_row(client, nspa, unmatched, edition):
    client.force_login(nspa)
    response = client.post(url("unmatched-resolve", pk=unmatched.pk), {"standard": edition.pk})
    assert response.status_code == 302
    assert response.url == detail(edition)
    assert ItemRequirement.objects.filter(item=unmatched.item, standard=edition).exists()
    assert not UnmatchedDesignation.objects.exists()


def test_resolving_as_none_drops_the_row_without_a_requirement(client, nspa, unmatched):
    client.force_login(nspa)
    response = client.post(url("unmatched-resolve", pk=unmatched.pk), {"no_standard": "on"})
    assert response.status_code == 302
    assert response.url == url("unmatched-list")
    assert not UnmatchedDesignation.objects.exists()
    assert not ItemRequirement.objects.exists()


def test_resolving_asks_for_one_answer(client, nspa, unmatched, edition):
    client.force_login(nspa)
    for data in ({}, {"standard": edition.pk, "no_standard": "on"}, {"standard": "999999"}):
        response = client.post(url("unmatched-resolve", pk=unmatched.pk), data)
        assert response.status_code == 400, data
        assert response.context["form"].errors, data
    assert UnmatchedDesignation.objects.filter(pk=unmatched.pk).exists()


# --- Hostile input ---------------------------------------------------------------------------


def test_nul_bytes_and_huge_numbers_are_field_messages(client, secretariat, owner, edition):
    client.force_login(secretariat)
    response = client.post(
        url("domain-create"), {"code": "nul", "name": "Bad\x00name", "order": "99999999999"}
    )
    assert response.status_code == 400
    assert field_errors(response, "name")
    assert field_errors(response, "order")
    client.force_login(owner)
    response = client.post(url("proposal-submit", pk=edition.pk), {"text": "Zone\x006"})
    assert response.status_code == 400
    assert field_errors(response, "text")
    assert client.get(url("review-list"), {"standard": "1" * 30}).status_code == 200

"""The boards pages as their readers see them: minutes frozen with the way to correct them, the
risk register's counts and heat map limited to what the reader may see, hostile-influence risks
standing out, the action tracker's overdue filter, recommendation moves, documents, the capacity
view, and French."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from boards import services
from boards.choices import RiskType
from boards.models import Document
from boards.tests.factories import make_meeting, make_risk, make_world, pdf_bytes

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(make_user):
    return make_world(make_user)


def test_editing_approved_minutes_is_refused_with_the_way_to_correct_them(client, world):
    held = make_meeting(world.wg1_member, world.wg1, days_from_now=-10)
    later = make_meeting(world.wg1_member, world.wg1, days_from_now=-1)
    minutes = services.minutes_draft(actor=world.wg1_member, meeting=held, text="Original")
    services.minutes_approve(actor=world.chair, minutes=minutes, at_meeting=later)
    client.force_login(world.wg1_member)
    response = client.post(f"/boards/minutes/{minutes.pk}/edit/", {"text": "Rewritten", "version": "2"})
    assert response.status_code == 400
    assert "propose a correction" in response.content.decode()
    minutes.refresh_from_db()
    assert minutes.text == "Original"
    page = client.get(f"/boards/meetings/{held.pk}/").content.decode()
    assert "Propose a correction" in page
    assert "Edit the draft" not in page


def test_the_risk_register_counts_only_what_its_reader_may_see(client, world):
    make_risk(world.wg2_member, world.wg2, likelihood=2, impact=2, risk_type=RiskType.HOSTILE_INFLUENCE)
    make_risk(
        world.wg2_member,
        world.wg2,
        likelihood=5,
        impact=5,
        sensitive=True,
        risk_type=RiskType.HOSTILE_INFLUENCE,
    )
    client.force_login(world.wg1_member)
    page = client.get("/boards/risks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["heat"].total == 1
    assert page.context["hostile"] == 1
    assert 'data-cell="5-5">0<' in html
    assert 'data-cell="2-2">1<' in html
    assert "risk-hostile" in html  # the row stands out
    client.force_login(world.secretariat)
    assert client.get("/boards/risks/").context["heat"].total == 2
    # The export is as scoped as the page.
    client.force_login(world.wg1_member)
    rows = client.get("/boards/risks/", {"export": "csv"}).content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2


def test_the_action_tracker_filters_overdue_actions(client, world):
    services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Late one",
        due_on=TODAY - dt.timedelta(days=3),
        owner_user=world.chair,
    )
    services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Due later",
        due_on=TODAY + dt.timedelta(days=3),
        owner_user=world.chair,
    )
    client.force_login(world.secretariat)
    page = client.get("/boards/actions/", {"overdue": "true"}).content.decode()
    assert "Late one" in page
    assert "Due later" not in page


def test_a_wrong_move_is_a_409_naming_the_state_and_a_wrong_role_a_403(client, world, owner):
    rec = services.recommendation_create(actor=world.wg1_member, body=world.wg1, title="T", text="...")
    client.force_login(world.secretariat)
    response = client.post(f"/boards/recommendations/{rec.pk}/move/", {"to": "approved", "version": "1"})
    assert response.status_code == 409
    assert "drafted by the working group" in response.content.decode()
    client.force_login(world.wg1_member)
    assert (
        client.post(f"/boards/recommendations/{rec.pk}/move/", {"to": "endorsed", "version": "1"}).status_code
        == 403
    )


def test_a_document_is_uploaded_from_the_meeting_page_and_listed_there(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1)
    client.force_login(world.wg1_member)
    response = client.post(
        f"/boards/meetings/{meeting.pk}/documents/new/",
        {"file": SimpleUploadedFile("Capacity notes.pdf", pdf_bytes(), "application/pdf"), "title": ""},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    page = client.get(f"/boards/meetings/{meeting.pk}/").content.decode()
    assert f"/boards/documents/{document.pk}/download/" in page
    assert "Capacity notes" in page
    refused = client.post(
        f"/boards/meetings/{meeting.pk}/documents/new/",
        {"file": SimpleUploadedFile("virus.pdf", b"MZ" + b"\0" * 100, "application/pdf")},
    )
    assert refused.status_code == 400
    assert "program" in refused.content.decode()
    assert Document.objects.count() == 1


def test_the_capacity_view_answers_its_readers_and_refuses_directors(client, world, owner):
    client.force_login(world.wg1_member)
    page = client.get("/boards/capacity/")
    assert page.status_code == 200
    assert 'data-testid="capacity"' in page.content.decode()
    bad = client.get("/boards/capacity/", {"year_from": "2030", "year_to": "2020"})
    assert bad.status_code == 200
    assert bad.context["filter"]["form"].errors
    client.force_login(owner)
    assert client.get("/boards/capacity/").status_code == 403


def test_the_meeting_page_speaks_french(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1)
    client.force_login(world.wg1_member)
    html = client.get(f"/boards/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ordre du jour" in html
    assert "Compte rendu" in html

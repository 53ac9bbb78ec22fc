"""The boards API: scoped reads (working groups apart, directors, partners, sensitive risks),
writes through the services, their rules as field messages, 409s that say what changed, exports
typed, and every JSON answer checked against the OpenAPI schema."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from boards import services
from boards.models import Document, Recommendation, Risk
from boards.selectors.capacity import capacity_view
from boards.tests.factories import make_meeting, make_risk, make_world, pdf_bytes
from boards.tests.test_capacity import data  # noqa: F401 (the capacity view's figures)
from portal.models import Nation, ObjectChange
from portal.tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

BASE = "/api/boards"
TODAY = timezone.localdate()


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def ok(response, path: str, method: str = "get", status: int = 200):
    """The response's JSON, after checking its status and that the schema documents its body."""
    assert response.status_code == status, response.content
    assert_matches_schema(response, path, method)
    return response.json()


@pytest.fixture
def drafts(world):
    """Each group's meeting with draft minutes; the Board's first meeting approved at its second."""
    wg1 = make_meeting(world.wg1_member, world.wg1, days_from_now=-10, title="WG1 held")
    wg2 = make_meeting(world.wg2_member, world.wg2, days_from_now=-10, title="WG2 held")
    board_first = make_meeting(world.secretariat, world.board, days_from_now=-60, title="Board 1")
    board_second = make_meeting(world.secretariat, world.board, days_from_now=-5, title="Board 2")
    wg1_minutes = services.minutes_draft(actor=world.wg1_member, meeting=wg1, text="WG1 draft")
    services.minutes_draft(actor=world.wg2_member, meeting=wg2, text="WG2 draft")
    board = services.minutes_draft(actor=world.secretariat, meeting=board_first, text="Board minutes")
    services.minutes_approve(actor=world.secretariat, minutes=board, at_meeting=board_second)
    return {"wg1": wg1, "wg2": wg2, "board": board_first, "wg1_minutes": wg1_minutes, "board_minutes": board}


# --- Scope ------------------------------------------------------------------------------------


def test_a_working_group_member_sees_only_their_groups_meetings_and_minutes(api, world, drafts):
    as_user(api, world.wg1_member)
    meetings = ok(api.get(f"{BASE}/meetings/"), f"{BASE}/meetings/")
    assert [m["title"] for m in meetings["results"]] == ["WG1 held"]
    minutes = ok(api.get(f"{BASE}/minutes/"), f"{BASE}/minutes/")
    assert [m["text"] for m in minutes["results"]] == ["WG1 draft"]
    # Working group 2's meeting is a 404, like one that does not exist.
    hidden = api.get(f"{BASE}/meetings/{drafts['wg2'].pk}/")
    assert ok(hidden, f"{BASE}/meetings/{{id}}/", status=404)["code"] == "not_found"
    detail = ok(api.get(f"{BASE}/meetings/{drafts['wg1'].pk}/"), f"{BASE}/meetings/{{id}}/")
    assert [m["text"] for m in detail["minutes"]] == ["WG1 draft"]


def test_directors_read_the_boards_approved_minutes_only(api, world, drafts, owner):
    as_user(api, owner)
    meetings = ok(api.get(f"{BASE}/meetings/"), f"{BASE}/meetings/")
    assert [m["title"] for m in meetings["results"]] == ["Board 1"]
    minutes = ok(api.get(f"{BASE}/minutes/"), f"{BASE}/minutes/")
    assert [(m["text"], m["state"]) for m in minutes["results"]] == [("Board minutes", "approved")]
    assert api.get(f"{BASE}/minutes/{drafts['wg1_minutes'].pk}/").status_code == 404
    # A director may read the record, not write it.
    refused = api.patch(f"{BASE}/minutes/{drafts['board_minutes'].pk}/", {"text": "x", "version": 2})
    assert ok(refused, f"{BASE}/minutes/{{id}}/", "patch", 403)["code"] == "permission_denied"
    # Bodies yes; their seats no.
    body = ok(api.get(f"{BASE}/bodies/{world.wg1.pk}/"), f"{BASE}/bodies/{{id}}/")
    assert (body["code"], body["memberships"]) == ("wg1", [])


def test_directors_read_recommendations_submitted_to_cnad_and_their_nations_actions(api, world, owner, other):
    draft = services.recommendation_create(actor=world.wg1_member, body=world.wg1, title="Draft", text="t")
    sent = services.recommendation_create(actor=world.wg1_member, body=world.wg1, title="Sent", text="t")
    for state in ("endorsed", "submitted"):
        sent = services.recommendation_move(actor=world.secretariat, recommendation=sent, to=state)
    poland, france = Nation.objects.get(code="POL"), Nation.objects.get(code="FRA")
    due = TODAY + dt.timedelta(days=5)
    polish = services.action_create(
        actor=world.wg1_member, body=world.wg1, text="Polish", due_on=due, owner_nation=poland
    )
    services.action_create(
        actor=world.wg1_member, body=world.wg1, text="French", due_on=due, owner_nation=france
    )
    as_user(api, owner)
    listed = ok(api.get(f"{BASE}/recommendations/"), f"{BASE}/recommendations/")
    assert [r["title"] for r in listed["results"]] == ["Sent"]
    assert api.get(f"{BASE}/recommendations/{draft.pk}/").status_code == 404
    actions = ok(api.get(f"{BASE}/actions/"), f"{BASE}/actions/")
    assert [(a["text"], a["owner_nation"]) for a in actions["results"]] == [("Polish", "POL")]
    as_user(api, other)
    assert api.get(f"{BASE}/actions/{polish.pk}/").status_code == 404


def test_partners_see_nothing(api, world, drafts, make_user):
    make_risk(world.wg2_member, world.wg2)
    partner = make_user("partner", "UKR", username="ukr_partner")
    as_user(api, partner)
    for path in (
        "bodies",
        "memberships",
        "meetings",
        "minutes",
        "documents",
        "actions",
        "recommendations",
        "risks",
    ):
        assert ok(api.get(f"{BASE}/{path}/"), f"{BASE}/{path}/")["count"] == 0, path
    assert api.get(f"{BASE}/bodies/{world.board.pk}/").status_code == 404
    heat = ok(api.get(f"{BASE}/risks/heat-map/"), f"{BASE}/risks/heat-map/")
    assert heat["total"] == 0
    assert ok(api.get(f"{BASE}/capacity/"), f"{BASE}/capacity/", status=403)["code"] == "permission_denied"


def test_sensitive_risks_and_their_counts_are_for_the_secretariat_and_working_group_2(api, world):
    open_risk = make_risk(world.wg2_member, world.wg2, likelihood=2, impact=3)
    secret = make_risk(world.wg2_member, world.wg2, sensitive=True, likelihood=5, impact=5)

    def seen(user):
        as_user(api, user)
        listed = ok(api.get(f"{BASE}/risks/"), f"{BASE}/risks/")
        heat = ok(api.get(f"{BASE}/risks/heat-map/"), f"{BASE}/risks/heat-map/")
        counts = {(c["likelihood"], c["impact"]): c["count"] for c in heat["cells"]}
        assert len(heat["cells"]) == 25
        return {r["id"] for r in listed["results"]}, heat["total"], counts[(5, 5)]

    assert seen(world.secretariat) == ({open_risk.pk, secret.pk}, 2, 1)
    assert seen(world.wg2_member) == ({open_risk.pk, secret.pk}, 2, 1)
    assert seen(world.wg1_member) == ({open_risk.pk}, 1, 0)
    as_user(api, world.wg1_member)
    assert api.get(f"{BASE}/risks/{secret.pk}/").status_code == 404
    # Nor does a filter or an export reveal it.
    assert ok(api.get(f"{BASE}/risks/", {"sensitive": "true"}), f"{BASE}/risks/")["count"] == 0
    rows = list(
        csv.reader(io.StringIO(api.get(f"{BASE}/risks/", {"export": "csv"}).content.decode("utf-8-sig")))
    )
    assert len(rows) == 2


# --- Meetings and the agenda ------------------------------------------------------------------


def meeting_body(world, **fields) -> dict:
    starts = (timezone.now() + dt.timedelta(days=20)).replace(microsecond=0)
    return {
        "body": world.wg1.pk,
        "title": "WG1 second meeting",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
        "location": "NATO HQ, Brussels",
        **fields,
    }


def test_meetings_are_created_and_a_stale_edit_is_a_409_naming_the_change(api, world):
    as_user(api, world.wg1_member)
    created = ok(api.post(f"{BASE}/meetings/", meeting_body(world)), f"{BASE}/meetings/", "post", 201)
    assert (created["body_code"], created["version"], created["status"]) == ("wg1", 1, "planned")
    assert created["classification"] == "NATO UNCLASSIFIED"
    url = f"{BASE}/meetings/{created['id']}/"
    changed = ok(
        api.patch(url, {"location": "Vilnius", "classification": "NATO RESTRICTED", "version": 1}),
        f"{BASE}/meetings/{{id}}/",
        "patch",
    )
    assert (changed["location"], changed["classification"], changed["version"]) == (
        "Vilnius",
        "NATO RESTRICTED",
        2,
    )
    stale = ok(api.patch(url, {"title": "Renamed", "version": 1}), f"{BASE}/meetings/{{id}}/", "patch", 409)
    assert (stale["current_version"], stale["changed_fields"], stale["changed_by"]) == (
        2,
        ["classification", "location"],
        ["w_wg1"],
    )
    # Field messages: a location is needed unless the meeting is virtual; a time zone must exist.
    bad = ok(
        api.post(f"{BASE}/meetings/", meeting_body(world, location="", time_zone="Mars/Olympus")),
        f"{BASE}/meetings/",
        "post",
        400,
    )
    assert set(bad) == {"location", "time_zone"}
    # Working group 2's member may not schedule working group 1's meetings.
    refused = as_user(api, world.wg2_member).post(f"{BASE}/meetings/", meeting_body(world))
    assert ok(refused, f"{BASE}/meetings/", "post", 403)["code"] == "permission_denied"


def test_the_agenda_is_added_to_reordered_and_a_stale_reorder_is_a_409_with_the_order_now(api, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=3)
    as_user(api, world.wg1_member)
    agenda = f"{BASE}/meetings/{meeting.pk}/agenda/"
    ids = []
    for title in ("Opening", "Capacity", "AOB"):
        item = ok(
            api.post(agenda, {"title": title, "presenter": world.wg1_member.pk}),
            f"{BASE}/meetings/{{id}}/agenda/",
            "post",
            201,
        )
        ids.append(item["id"])
    version = ok(api.get(f"{BASE}/meetings/{meeting.pk}/"), f"{BASE}/meetings/{{id}}/")["agenda_version"]
    assert version == 4
    reorder = f"{BASE}/meetings/{meeting.pk}/agenda/reorder/"
    path = f"{BASE}/meetings/{{id}}/agenda/reorder/"
    done = ok(api.post(reorder, {"order": [ids[1], ids[0], ids[2]], "agenda_version": version}), path, "post")
    assert [(i["title"], i["position"]) for i in done["agenda"]] == [
        ("Capacity", 1),
        ("Opening", 2),
        ("AOB", 3),
    ]
    assert done["agenda_version"] == version + 1
    # Someone else reordered meanwhile: 409, with the agenda as it is now.
    stale = ok(api.post(reorder, {"order": ids, "agenda_version": version}), path, "post", 409)
    assert stale["current_agenda_version"] == version + 1
    assert [i["title"] for i in stale["agenda"]] == ["Capacity", "Opening", "AOB"]
    # An order that leaves an item out is a field message.
    partial = ok(api.post(reorder, {"order": ids[:2], "agenda_version": version + 1}), path, "post", 400)
    assert list(partial) == ["order"]
    # Edit and remove an item; the removal answers the agenda now.
    item_path = f"{BASE}/meetings/{{id}}/agenda/{{item_id}}/"
    edited = ok(api.patch(f"{agenda}{ids[2]}/", {"notes": "Any other business"}), item_path, "patch")
    assert edited["notes"] == "Any other business"
    stale_remove = api.delete(f"{agenda}{ids[0]}/?agenda_version={version}")
    assert ok(stale_remove, item_path, "delete", 409)["current_agenda_version"] == version + 1
    removed = ok(api.delete(f"{agenda}{ids[0]}/?agenda_version={version + 1}"), item_path, "delete")
    assert [(i["title"], i["position"]) for i in removed["agenda"]] == [("Capacity", 1), ("AOB", 2)]
    # Another meeting's item is not this meeting's: 404.
    other = make_meeting(world.wg1_member, world.wg1, days_from_now=9)
    assert api.patch(f"{BASE}/meetings/{other.pk}/agenda/{ids[1]}/", {"notes": "x"}).status_code == 404


def test_attendance_is_recorded_then_changed(api, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=-1)
    as_user(api, world.wg1_member)
    url, path = f"{BASE}/meetings/{meeting.pk}/attendance/", f"{BASE}/meetings/{{id}}/attendance/"
    first = ok(api.post(url, {"user": world.chair.pk, "presence": "remote"}), path, "post")
    again = ok(api.post(url, {"user": world.chair.pk, "presence": "present"}), path, "post")
    assert (first["id"], again["presence"]) == (again["id"], "present")
    # Someone whose seat the member may not see cannot be named.
    bad = ok(api.post(url, {"user": world.wg2_member.pk, "presence": "present"}), path, "post", 400)
    assert list(bad) == ["user"]


# --- Minutes ----------------------------------------------------------------------------------


def test_minutes_are_drafted_edited_approved_then_frozen_and_corrected(api, world):
    held = make_meeting(world.secretariat, world.board, days_from_now=-30, title="Board held")
    later = make_meeting(world.secretariat, world.board, days_from_now=-1, title="Board later")
    as_user(api, world.chair)
    drafted = ok(
        api.post(f"{BASE}/minutes/", {"meeting": held.pk, "text": "Draft"}), f"{BASE}/minutes/", "post", 201
    )
    url, path = f"{BASE}/minutes/{drafted['id']}/", f"{BASE}/minutes/{{id}}/"
    edited = ok(api.patch(url, {"text": "Draft, edited", "version": 1}), path, "patch")
    assert edited["version"] == 2
    assert ok(api.patch(url, {"text": "Stale", "version": 1}), path, "patch", 409)["current_version"] == 2
    # Approved at the same meeting: a field message; at a later one: frozen.
    approve, approve_path = f"{url}approve/", f"{BASE}/minutes/{{id}}/approve/"
    same = ok(api.post(approve, {"at_meeting": held.pk, "version": 2}), approve_path, "post", 400)
    assert list(same) == ["at_meeting"]
    approved = ok(api.post(approve, {"at_meeting": later.pk, "version": 2}), approve_path, "post")
    assert (approved["state"], approved["approved_at_meeting"], approved["approved_by"]) == (
        "approved",
        later.pk,
        "w_chair",
    )
    again = ok(api.post(approve, {"at_meeting": later.pk, "version": 3}), approve_path, "post", 409)
    assert again["state"] == "approved"
    # Editing approved minutes is refused, with the way to correct them.
    frozen = ok(api.patch(url, {"text": "Rewritten", "version": 3}), path, "patch", 400)
    assert "propose a correction" in frozen["text"][0]
    correct, correct_path = f"{url}correct/", f"{BASE}/minutes/{{id}}/correct/"
    no_reason = ok(api.post(correct, {"text": "Corrected", "reason": " "}), correct_path, "post", 400)
    assert list(no_reason) == ["reason"]
    correction = ok(api.post(correct, {"text": "Corrected", "reason": "A date"}), correct_path, "post", 201)
    assert (correction["number"], correction["corrects"], correction["state"]) == (2, drafted["id"], "draft")
    # Version 2 follows now: correcting version 1 again is the 409 that says so.
    follows = ok(api.post(correct, {"text": "Again", "reason": "More"}), correct_path, "post", 409)
    assert follows["current_version_number"] == 2
    # A working group member who is not the chair or secretary may draft but not approve.
    wg1_meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=-3)
    as_user(api, world.wg1_member)
    wg1_minutes = ok(
        api.post(f"{BASE}/minutes/", {"meeting": wg1_meeting.pk, "text": "x"}),
        f"{BASE}/minutes/",
        "post",
        201,
    )
    refused = api.post(
        f"{BASE}/minutes/{wg1_minutes['id']}/approve/", {"at_meeting": wg1_meeting.pk, "version": 1}
    )
    assert ok(refused, approve_path, "post", 403)["code"] == "permission_denied"


# --- Documents --------------------------------------------------------------------------------


def test_documents_are_uploaded_downloaded_scoped_and_removed(
    api, world, documents_root, django_capture_on_commit_callbacks
):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=-2)
    as_user(api, world.wg1_member)
    url = f"{BASE}/meetings/{meeting.pk}/documents/"
    upload = SimpleUploadedFile("Agenda v2.pdf", pdf_bytes(), "application/pdf")
    created = ok(
        api.post(url, {"file": upload, "title": ""}, format="multipart"),
        f"{BASE}/meetings/{{id}}/documents/",
        "post",
        201,
    )
    assert (created["title"], created["kind"], created["content_type"]) == (
        "Agenda v2",
        "pdf",
        "application/pdf",
    )
    # JSON is not the upload's body: 415.
    assert api.post(url, {"title": "x"}, format="json").status_code == 415
    # A program renamed .pdf is refused by its content, field by field; nothing is stored.
    hostile = SimpleUploadedFile("papers.pdf", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf")
    refused = ok(
        api.post(url, {"file": hostile}, format="multipart"),
        f"{BASE}/meetings/{{id}}/documents/",
        "post",
        400,
    )
    assert list(refused) == ["file"]
    assert Document.objects.count() == 1
    download = api.get(created["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="Agenda v2.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf_bytes()
    # Working group 2 may neither see nor fetch it.
    as_user(api, world.wg2_member)
    assert api.get(created["download"]).status_code == 404
    assert ok(api.get(f"{BASE}/documents/"), f"{BASE}/documents/")["count"] == 0
    assert api.delete(f"{BASE}/documents/{created['id']}/").status_code == 404
    as_user(api, world.wg1_member)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{BASE}/documents/{created['id']}/").status_code == 204
    assert not Document.objects.exists()
    assert not any(p.is_file() for p in documents_root.rglob("*"))


# --- Actions and recommendations --------------------------------------------------------------


def test_actions_are_created_filtered_updated_and_a_stale_update_is_a_409(api, world):
    as_user(api, world.wg1_member)
    body = {
        "body": world.wg1.pk,
        "text": "Survey 155mm capacity",
        "owner_nation": "POL",
        "due_on": str(TODAY + dt.timedelta(days=30)),
    }
    created = ok(api.post(f"{BASE}/actions/", body), f"{BASE}/actions/", "post", 201)
    assert (created["owner_label"], created["status"], created["overdue"]) == ("Poland", "open", False)
    no_owner = ok(
        api.post(f"{BASE}/actions/", {**body, "owner_nation": None}), f"{BASE}/actions/", "post", 400
    )
    assert list(no_owner) == ["owner_user"]
    late = services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Late",
        due_on=TODAY - dt.timedelta(days=1),
        owner_user=world.wg1_member,
    )
    overdue = ok(api.get(f"{BASE}/actions/", {"overdue": "true"}), f"{BASE}/actions/")
    assert [a["id"] for a in overdue["results"]] == [late.pk]
    by_nation = ok(api.get(f"{BASE}/actions/", {"nation": "pol", "status": "open"}), f"{BASE}/actions/")
    assert [a["id"] for a in by_nation["results"]] == [created["id"]]
    assert ok(api.get(f"{BASE}/actions/", {"status": "nonsense"}), f"{BASE}/actions/", status=400).keys() == {
        "status"
    }
    url, path = f"{BASE}/actions/{created['id']}/", f"{BASE}/actions/{{id}}/"
    done = ok(api.patch(url, {"status": "done", "version": 1}), path, "patch")
    assert (done["status"], done["version"]) == ("done", 2)
    stale = ok(api.patch(url, {"text": "Again", "version": 1}), path, "patch", 409)
    assert (stale["changed_fields"], stale["changed_by"]) == (["status"], ["w_wg1"])


def test_recommendations_move_with_409_on_a_wrong_step_and_403_on_a_wrong_role(api, world):
    as_user(api, world.wg1_member)
    created = ok(
        api.post(f"{BASE}/recommendations/", {"body": world.wg1.pk, "title": "Stockpiles", "text": "t"}),
        f"{BASE}/recommendations/",
        "post",
        201,
    )
    url = f"{BASE}/recommendations/{created['id']}/"
    move, path = f"{url}move/", f"{BASE}/recommendations/{{id}}/move/"
    # A working group member may not endorse (the Board does): 403.
    assert (
        ok(api.post(move, {"to": "endorsed", "version": 1}), path, "post", 403)["code"] == "permission_denied"
    )
    as_user(api, world.chair)
    endorsed = ok(api.post(move, {"to": "endorsed", "version": 1}), path, "post")
    assert (endorsed["state"], endorsed["endorsed_on"]) == ("endorsed", str(TODAY))
    # A board member may not record CNAD's answer: 403, before the workflow is looked at.
    assert (
        ok(api.post(move, {"to": "approved", "version": 2}), path, "post", 403)["code"] == "permission_denied"
    )
    # Only a draft is edited.
    frozen = ok(api.patch(url, {"title": "x", "version": 2}), f"{BASE}/recommendations/{{id}}/", "patch", 409)
    assert frozen["state"] == "endorsed"
    # Approving what CNAD has not received: 409, naming the state it is in.
    as_user(api, world.secretariat)
    wrong = ok(api.post(move, {"to": "approved", "version": 2}), path, "post", 409)
    assert (wrong["state"], wrong["allowed_from"]) == ("endorsed", ["submitted"])
    assert "endorsed" in wrong["detail"]
    as_user(api, world.secretariat)
    for to in ("submitted", "returned"):
        body = {"to": to, "version": ok(api.get(url), f"{BASE}/recommendations/{{id}}/")["version"]}
        if to == "returned":
            no_note = ok(api.post(move, body), path, "post", 400)
            assert list(no_note) == ["note"]
            body["note"] = "Cost it first."
        ok(api.post(move, body), path, "post")
    listed = ok(
        api.get(f"{BASE}/recommendations/", {"state": "returned", "body": world.wg1.pk}),
        f"{BASE}/recommendations/",
    )
    assert [(r["id"], r["decision_note"]) for r in listed["results"]] == [(created["id"], "Cost it first.")]


# --- Risks ------------------------------------------------------------------------------------


def risk_body(world, **fields) -> dict:
    return {
        "body": world.wg2.pk,
        "title": "Nitrocellulose from one plant",
        "tier": "tier_2",
        "supplier": "Supplier A",
        "supplier_country": "SWE",
        "risk_type": "single_source",
        "likelihood": 4,
        "impact": 5,
        "review_on": str(TODAY + dt.timedelta(days=90)),
        **fields,
    }


def test_risks_are_recorded_scored_and_bounded_and_a_stale_update_is_a_409(api, world):
    as_user(api, world.wg2_member)
    created = ok(api.post(f"{BASE}/risks/", risk_body(world)), f"{BASE}/risks/", "post", 201)
    assert (created["score"], created["version"], created["sensitive"]) == (20, 1, False)
    bounds = ok(
        api.post(f"{BASE}/risks/", risk_body(world, likelihood=6, impact=0)), f"{BASE}/risks/", "post", 400
    )
    assert set(bounds) == {"likelihood", "impact"}
    country = ok(
        api.post(f"{BASE}/risks/", risk_body(world, supplier_country="se")), f"{BASE}/risks/", "post", 400
    )
    assert list(country) == ["supplier_country"]
    # Only the register's body keeps risks.
    elsewhere = ok(
        api.post(f"{BASE}/risks/", risk_body(world, body=world.board.pk)), f"{BASE}/risks/", "post", 400
    )
    assert list(elsewhere) == ["body"]
    url, path = f"{BASE}/risks/{created['id']}/", f"{BASE}/risks/{{id}}/"
    changed = ok(api.patch(url, {"impact": 2, "version": 1}), path, "patch")
    assert (changed["score"], changed["version"]) == (8, 2)
    assert ok(api.patch(url, {"impact": 9, "version": 2}), path, "patch", 400).keys() == {"impact"}
    stale = ok(api.patch(url, {"status": "closed", "version": 1}), path, "patch", 409)
    assert stale["changed_fields"] == ["impact"]
    assert Risk.objects.get().score == 8
    filtered = ok(
        api.get(f"{BASE}/risks/", {"risk_type": "single_source", "tier": "tier_2"}), f"{BASE}/risks/"
    )
    assert filtered["count"] == 1
    assert ok(api.get(f"{BASE}/risks/", {"tier": "tier_9"}), f"{BASE}/risks/", status=400).keys() == {"tier"}


@pytest.mark.usefixtures("data")
def test_the_capacity_view_gives_the_selectors_figures_with_the_disclosure_rule(
    api, world, nspa, owner, settings
):
    """The figures of ``test_capacity``'s plans, demand and orders, as the selector gives them to
    each reader: every cell for NSPA, the cells the disclosure rule allows for a board member."""
    settings.AGGREGATE_MIN_NATIONS = 3
    for reader in (nspa, world.wg1_member):
        view = ok(as_user(api, reader).get(f"{BASE}/capacity/"), f"{BASE}/capacity/")
        expected = capacity_view(user=reader)
        assert (view["cycle"], view["year_from"], view["year_to"]) == (
            expected.cycle.year,
            expected.years.start,
            expected.years.stop - 1,
        )
        assert (view["withheld"], view["minimum"]) == (expected.withheld, expected.minimum)
        names = (
            "year",
            "demanded",
            "firm",
            "contracted_max",
            "ordered",
            "delivered",
            "capacity",
            "surge",
            "gap",
        )
        assert [(r["item"], *(r[n] for n in names)) for r in view["rows"]] == [
            (r.item.pk, *(getattr(r, n) for n in names)) for r in expected.rows
        ]
    # The board member's round in 2026: its firm part and its deliveries withheld (two nations).
    member_rows = ok(api.get(f"{BASE}/capacity/"), f"{BASE}/capacity/")["rows"]
    round_2026 = next(r for r in member_rows if r["item_name"] == "155 mm artillery round")
    assert (round_2026["demanded"], round_2026["firm"], round_2026["delivered"]) == (7500, None, None)
    assert ok(
        api.get(f"{BASE}/capacity/", {"year_from": 2030, "year_to": 2020}), f"{BASE}/capacity/", status=400
    ).keys() == {"year_to"}
    assert as_user(api, owner).get(f"{BASE}/capacity/").status_code == 403


# --- Exports ----------------------------------------------------------------------------------


def test_lists_export_typed_csv_and_xlsx_of_every_filtered_row(api, world):
    due = TODAY + dt.timedelta(days=3)
    for n in range(3):
        services.action_create(
            actor=world.wg1_member,
            body=world.wg1,
            text=f"=Action {n}",
            due_on=due,
            owner_user=world.wg1_member,
        )
    as_user(api, world.wg1_member)
    response = api.get(f"{BASE}/actions/", {"export": "csv", "header": "names", "page_size": 1})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="board-actions-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["text", "body", "owner", "due_on", "status", "overdue", "meeting"]
    assert len(rows) == 4  # every row, not one page
    assert rows[1][0] == "'=Action 0"  # formula-looking text is inert
    assert rows[1][3] == due.isoformat()
    xlsx = api.get(f"{BASE}/meetings/", {"export": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    make_meeting(world.wg1_member, world.wg1, days_from_now=-4, title="=Exported")
    sheet = load_workbook(
        io.BytesIO(api.get(f"{BASE}/meetings/", {"export": "xlsx", "header": "names"}).content)
    ).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["id", "body", "title"]
    row = list(sheet[2])
    assert isinstance(row[0].value, int)
    assert row[2].value == "=Exported"
    assert row[2].data_type == "s"
    assert isinstance(row[header.index("starts_at")].value, dt.datetime)
    assert row[header.index("virtual")].value is False
    assert sheet.freeze_panes == "A2"
    # A bad format or header is a field message.
    bad = ok(api.get(f"{BASE}/meetings/", {"export": "pdf", "header": "x"}), f"{BASE}/meetings/", status=400)
    assert set(bad) == {"export", "header"}


def test_writes_leave_their_audit_row(api, world):
    as_user(api, world.wg1_member)
    created = api.post(f"{BASE}/recommendations/", {"body": world.wg1.pk, "title": "Audited", "text": "t"})
    assert created.status_code == 201
    trail = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Recommendation), object_id=str(created.json()["id"])
    )
    assert list(trail.values_list("action", "actor_username")) == [("create", "w_wg1")]
    # A write refused by its scope inside the service (working group 1's member recording in
    # working group 2's register) leaves neither a row nor an audit row.
    before = ObjectChange.objects.count()
    assert api.post(f"{BASE}/risks/", risk_body(world)).status_code == 403
    assert (ObjectChange.objects.count(), Risk.objects.count()) == (before, 0)

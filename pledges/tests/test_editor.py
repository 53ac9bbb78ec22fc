"""The director's plan editor in the browser: sections and entry tables saved with htmx,
conflicts that keep the user's text, submission, and who may reach what."""

import datetime as dt
import re
from html import unescape
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pledges import selectors, services
from pledges.choices import AuditEvent, Commitment, PlanStatus
from pledges.models import CapacityLine, NationalPlan, PlanCycle, PlanSection
from pledges.services import CommentInput
from pledges.views import editor
from portal.models import ObjectChange
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ALL = "1,2,3,4,5,6,7,8,9"  # the submission page's confirmation that every section may be empty


@pytest.fixture
def cycle():
    return PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))


@pytest.fixture
def plan(owner, cycle):
    return services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)


@pytest.fixture
def director(client, owner):
    client.force_login(owner)
    return client


def url(name, **kwargs):
    return reverse(f"pledges:{name}", kwargs=kwargs or None)


def body(response) -> str:
    return response.content.decode()


def section(plan, commitment=1) -> PlanSection:
    plan.refresh_from_db()
    return PlanSection.objects.get(plan_version=plan.current_version, commitment=commitment)


def save_section(client, plan, text, version, commitment=1, **extra):
    return client.post(
        url("section-save", pk=plan.pk, commitment=commitment),
        {f"section-{commitment}-narrative": text, f"section-{commitment}-version": version},
        **extra,
    )


def capacity_data(item, prefix="capacityline-new", **overrides):
    data = {
        "item": item.pk,
        "site": "Mesko, Skarżysko-Kamienna",
        "commitment": 3,
        "baseline_output": 30000,
        "baseline_year": 2023,
        "current_output": 60000,
        "target_output": 150000,
        "target_year": 2027,
        "surge_capacity": 20000,
        "lead_time_months": 18,
        **overrides,
    }
    return {f"{prefix}-{key}": value for key, value in data.items()}


def add_capacity_line(owner, plan, item, **overrides):
    fields = {
        "item": item,
        "site": "Nitro-Chem",
        "commitment": 3,
        "baseline_output": 1000,
        "baseline_year": 2023,
        "current_output": 2000,
        "target_output": 5000,
        "target_year": 2027,
        "surge_capacity": 0,
        "lead_time_months": 12,
        **overrides,
    }
    return services.entry_save(actor=owner, plan=plan, kind="capacityline", fields=fields)


def hidden_version(html: str, commitment: int = 1) -> int:
    return int(re.search(rf'name="section-{commitment}-version" value="(\d+)"', html)[1])


# --- The list of plans ----------------------------------------------------------------------


def test_director_starts_the_plan_of_a_cycle(director, owner, cycle):
    page = body(director.get(url("plan-home")))
    assert "Start the 2026 plan" in page
    response = director.post(url("plan-start", cycle_pk=cycle.pk))
    plan = NationalPlan.objects.get(nation=owner.nation, cycle=cycle)
    assert response.status_code == 302
    assert response["Location"] == url("plan-edit", pk=plan.pk)
    page = body(director.get(url("plan-home")))
    assert "Start the 2026 plan" not in page
    assert url("plan-edit", pk=plan.pk) in page
    # A second start of the same cycle is refused with a message, not an error page.
    again = director.post(url("plan-start", cycle_pk=cycle.pk), follow=True)
    assert "already has a plan" in body(again)
    assert NationalPlan.objects.filter(nation=owner.nation).count() == 1


@pytest.mark.parametrize("role", ["secretariat", "nspa", "board_member", "partner", "no_role"])
def test_plan_list_is_the_directors(client, users_by_role, role, cycle):
    client.force_login(users_by_role[role])
    assert client.get(url("plan-home")).status_code == 403
    assert client.post(url("plan-start", cycle_pk=cycle.pk)).status_code == 403
    assert not NationalPlan.objects.exists()


def test_director_does_not_see_another_nations_plan_in_the_list(client, other, plan):
    client.force_login(other)
    page = body(client.get(url("plan-home")))
    assert url("plan-edit", pk=plan.pk) not in page
    assert "Start the 2026 plan" in page


# --- The editor page ------------------------------------------------------------------------


def test_editor_shows_the_nine_sections_and_the_status(director, plan):
    response = director.get(url("plan-edit", pk=plan.pk))
    html = body(response)
    assert response.status_code == 200
    assert 'data-testid="plan-status">Draft<' in html
    assert 'data-testid="version-number">1<' in html
    for commitment in range(1, 10):
        assert f'id="section-form-{commitment}"' in html
        assert f'hx-post="{url("section-save", pk=plan.pk, commitment=commitment)}"' in html
        assert hidden_version(html, commitment) == 1
    assert "June 30, 2026" in html or "30 June 2026" in html or "2026-06-30" in html
    for kind in ("capacityline", "investment", "measure"):
        assert f'id="entries-{kind}"' in html


def test_section_save_returns_the_fragment_with_the_new_version(director, plan):
    response = save_section(director, plan, "Framework contracts for 155mm.", 1, **HTMX)
    html = body(response)
    assert response.status_code == 200
    assert "<html" not in html  # a fragment, not a page
    assert 'id="section-body-1"' in html
    assert re.search(r"Saved at \d\d:\d\d · save 1<", html)  # the first save, not "version 2"
    assert hidden_version(html) == 2
    assert "Framework contracts for 155mm." in html
    assert section(plan).narrative == "Framework contracts for 155mm."
    # The fragment's own version saves again without a conflict.
    assert save_section(director, plan, "Second pass.", hidden_version(html), **HTMX).status_code == 200
    assert section(plan).narrative == "Second pass."


def test_section_save_without_javascript_redirects_back_to_the_section(director, plan):
    response = save_section(director, plan, "Plain form post.", 1)
    assert response.status_code == 302
    assert response["Location"] == url("plan-edit", pk=plan.pk) + "#section-1"


def test_section_errors_are_shown_next_to_the_field(director, plan):
    too_long = "x" * 50_001
    response = save_section(director, plan, too_long, 1, **HTMX)
    html = body(response)
    assert response.status_code == 400
    assert 'class="field-error"' in html
    assert "at most 50000 characters" in html
    assert section(plan).narrative == ""
    missing_version = director.post(
        url("section-save", pk=plan.pk, commitment=1), {"section-1-narrative": "text"}, **HTMX
    )
    assert missing_version.status_code == 400
    assert "the save this section started from is missing" in body(missing_version)


def test_two_editors_on_one_section_the_second_merges_and_saves(owner, make_user, plan):
    first, second = Client(), Client()
    first.force_login(owner)
    second.force_login(make_user("director", "POL", username="delegate_pol"))
    # Both opened the page at version 1.
    for client in (first, second):
        assert hidden_version(body(client.get(url("plan-edit", pk=plan.pk)))) == 1
    assert save_section(first, plan, "First director's text.", 1, **HTMX).status_code == 200

    conflict = save_section(second, plan, "Second director's text.", 1, **HTMX)
    html = body(conflict)
    assert conflict.status_code == 409
    assert 'data-testid="conflict"' in html
    # The saved text is shown read-only; the user's own text stays in the editable box.
    current = re.search(r'data-testid="conflict-current">([^<]*)</textarea>', html)[1]
    assert unescape(current) == "First director's text."
    assert re.search(r'name="section-1-narrative"[^>]*>\s*Second director&#x27;s text\.</textarea>', html)
    assert "owner_pol" in html  # who changed it
    assert hidden_version(html) == 2
    assert section(plan).narrative == "First director's text."  # nothing overwritten

    merged = save_section(second, plan, "First director's text. Second director's text.", 2, **HTMX)
    assert merged.status_code == 200
    assert section(plan).narrative == "First director's text. Second director's text."


def test_section_of_an_unknown_commitment_is_404(director, plan):
    assert save_section(director, plan, "text", 1, commitment=10, **HTMX).status_code == 404


# --- Entry tables ---------------------------------------------------------------------------


def test_add_edit_and_remove_a_capacity_line(director, owner, plan):
    item = ItemFactory(name="155mm artillery round")
    added = director.post(url("entry-add", pk=plan.pk, kind="capacityline"), capacity_data(item), **HTMX)
    html = body(added)
    assert added.status_code == 200
    assert 'id="entries-capacityline"' in html
    assert "<html" not in html
    assert "155mm artillery round" in html
    assert "150,000 by 2027" in html
    assert "Added a capacity line." in html
    line = CapacityLine.objects.get()

    editing = director.get(url("entry-edit", pk=plan.pk, kind="capacityline", entry_id=line.pk), **HTMX)
    assert editing.status_code == 200
    assert f'id="entry-form-capacityline-{line.pk}"' in body(editing)
    assert f'form="entry-form-capacityline-{line.pk}"' in body(editing)

    data = capacity_data(item, prefix=f"capacityline-{line.pk}", target_output=180000)
    edited = director.post(url("entry-edit", pk=plan.pk, kind="capacityline", entry_id=line.pk), data, **HTMX)
    assert edited.status_code == 200
    assert "180,000 by 2027" in body(edited)
    line.refresh_from_db()
    assert line.target_output == 180000

    removed = director.post(url("entry-delete", pk=plan.pk, kind="capacityline", entry_id=line.pk), **HTMX)
    assert removed.status_code == 200
    assert "No capacity line yet." in body(removed)
    assert not CapacityLine.objects.exists()


def test_entry_errors_are_inline_per_field(director, plan):
    item = ItemFactory()
    bad = capacity_data(item, target_year=2020, site="")
    response = director.post(url("entry-add", pk=plan.pk, kind="capacityline"), bad, **HTMX)
    html = body(response)
    assert response.status_code == 400
    assert "Site: This field is required." in html
    assert not CapacityLine.objects.exists()
    # The typed values stay in the add row.
    assert 'value="150000"' in html
    # A rule only the model knows (target before baseline) also lands on its field.
    response = director.post(
        url("entry-add", pk=plan.pk, kind="capacityline"), capacity_data(item, target_year=2020), **HTMX
    )
    assert response.status_code == 400
    assert "Target year: The target year cannot precede the baseline year." in body(response)


def test_investment_and_measure_rows(director, plan):
    investment = {
        "investment-new-description": "New TNT line",
        "investment-new-kind": "new",
        "investment-new-value": "1250000.50",
        "investment-new-currency": "pln",
        "investment-new-year": 2026,
        "investment-new-commitment": 2,
    }
    response = director.post(url("entry-add", pk=plan.pk, kind="investment"), investment, **HTMX)
    assert response.status_code == 200
    assert "1,250,000.50 PLN" in body(response)
    measure = {"measure-new-title": "Open a 155mm demand signal", "measure-new-commitment": 1,
               "measure-new-status": "planned", "measure-new-due_date": "2026-09-01"}  # fmt: skip
    response = director.post(url("entry-add", pk=plan.pk, kind="measure"), measure, **HTMX)
    assert response.status_code == 200
    assert "Open a 155mm demand signal" in body(response)
    bad_currency = {**investment, "investment-new-currency": "E1"}
    response = director.post(url("entry-add", pk=plan.pk, kind="investment"), bad_currency, **HTMX)
    assert response.status_code == 400
    assert "Use three capital letters." in body(response)


def test_capacity_line_items_come_from_the_catalogue(director, plan):
    item = ItemFactory(name="GEM-T missile")
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    assert f'<option value="{item.pk}">GEM-T missile</option>' in html
    data = {**capacity_data(item), "capacityline-new-item": 999999}
    response = director.post(url("entry-add", pk=plan.pk, kind="capacityline"), data, **HTMX)
    assert response.status_code == 400
    assert "Select a valid choice" in body(response)


def test_unknown_entry_kind_or_row_is_404(director, other, plan):
    assert director.get(url("entry-add", pk=plan.pk, kind="plan")).status_code == 404
    assert director.get(url("entry-edit", pk=plan.pk, kind="measure", entry_id=999)).status_code == 404
    assert director.post(url("entry-delete", pk=plan.pk, kind="measure", entry_id=999)).status_code == 404
    # A row of another nation's plan is not a row of this one.
    french_plan = services.plan_start(actor=other, nation=other.nation, cycle=plan.cycle)
    line = add_capacity_line(other, french_plan, ItemFactory())
    edit = url("entry-edit", pk=plan.pk, kind="capacityline", entry_id=line.pk)
    assert director.get(edit).status_code == 404
    data = capacity_data(ItemFactory(), prefix=f"capacityline-{line.pk}", site="Hijack")
    assert director.post(edit, data).status_code == 404
    delete = url("entry-delete", pk=plan.pk, kind="capacityline", entry_id=line.pk)
    assert director.post(delete).status_code == 404
    line.refresh_from_db()
    assert line.site == "Nitro-Chem"


# --- Submission and read-only ---------------------------------------------------------------


def test_submit_freezes_the_plan_and_the_editor_turns_read_only(director, owner, plan):
    save_section(director, plan, "Our narrative.", 1, **HTMX)
    response = director.post(url("plan-submit", pk=plan.pk), {"comment": "First filing.", "confirm": ALL})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    assert 'data-testid="plan-status">Submitted<' in html
    assert 'data-testid="read-only"' in html
    assert "<textarea" not in html
    assert "hx-post" not in html
    assert "Our narrative." in html
    # Saving anyway is a conflict on the state, shown in the fragment; nothing changes.
    late = save_section(director, plan, "Too late.", 2, **HTMX)
    assert late.status_code == 409
    assert "Cannot edit: the plan is submitted." in body(late)
    assert "Too late.</textarea>" in body(late)  # the unsaved text is still there to copy
    late_row = director.post(
        url("entry-add", pk=plan.pk, kind="capacityline"), capacity_data(ItemFactory()), **HTMX
    )
    assert late_row.status_code == 409
    assert section(plan).narrative == "Our narrative."
    assert not CapacityLine.objects.exists()
    # Submitting twice is a 409 page with the reason.
    again = director.post(url("plan-submit", pk=plan.pk))
    assert again.status_code == 409
    assert "Cannot submit: the plan is submitted." in body(again)


def test_returned_plan_shows_the_reviewers_comments_by_section(director, owner, secretariat, plan):
    save_section(director, plan, "First text.", 1, **HTMX)
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(
        actor=secretariat,
        plan=plan,
        comments=[CommentInput("Add 2028 targets.", commitment=3), CommentInput("Overall: good start.")],
    )
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    assert 'data-testid="plan-status">Returned<' in html
    assert 'data-testid="version-number">2<' in html
    plan_wide = html.split('data-testid="plan-comments"')[1].split("</section>")[0]
    assert "Overall: good start." in plan_wide
    assert "Add 2028 targets." not in plan_wide
    section_three = html.split('id="section-3"')[1].split("</section>")[0]
    assert "Add 2028 targets." in section_three
    assert "Add 2028 targets." not in html.split('id="section-3"')[0].split('data-testid="plan-comments"')[1]
    # The new draft version is editable again, starting from the returned text.
    assert 'id="section-form-1"' in html
    assert "First text." in html
    assert save_section(director, plan, "Revised.", 1, **HTMX).status_code == 200


# --- Scope ----------------------------------------------------------------------------------


def test_another_nations_plan_is_404(client, other, plan):
    client.force_login(other)
    item = ItemFactory()
    assert client.get(url("plan-edit", pk=plan.pk)).status_code == 404
    assert save_section(client, plan, "Hijack", 1, **HTMX).status_code == 404
    assert (
        client.post(url("entry-add", pk=plan.pk, kind="capacityline"), capacity_data(item)).status_code == 404
    )
    assert client.post(url("plan-submit", pk=plan.pk)).status_code == 404
    assert section(plan).narrative == ""
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


@pytest.mark.parametrize("role", ["secretariat", "nspa"])
def test_secretariat_and_nspa_cannot_edit(client, users_by_role, owner, plan, role):
    client.force_login(users_by_role[role])
    # A draft does not exist for them.
    assert client.get(url("plan-edit", pk=plan.pk)).status_code == 404
    assert save_section(client, plan, "x", 1, **HTMX).status_code == 404
    services.plan_submit(actor=owner, plan=plan)
    # Once submitted they may see the plan (elsewhere) but never edit it here.
    assert client.get(url("plan-edit", pk=plan.pk)).status_code == 403
    assert save_section(client, plan, "x", 1, **HTMX).status_code == 403
    line_url = url("entry-add", pk=plan.pk, kind="capacityline")
    assert client.post(line_url, capacity_data(ItemFactory()), **HTMX).status_code == 403
    assert client.post(url("plan-submit", pk=plan.pk)).status_code == 403
    assert section(plan).narrative == ""


# --- Query counts, scripts ------------------------------------------------------------------


def test_editor_query_count_is_the_same_at_two_sizes(director, owner, plan, django_assert_num_queries):
    page = url("plan-edit", pk=plan.pk)
    counts = []
    for size in (2, 20):
        for _ in range(size - CapacityLine.objects.count()):
            add_capacity_line(owner, plan, ItemFactory())
            services.entry_save(
                actor=owner, plan=plan, kind="measure", fields={"title": "A measure", "commitment": 1}
            )
        with CaptureQueriesContext(connection) as queries:
            response = director.get(page)
        assert response.status_code == 200
        assert body(response).count('class="entry-actions"') >= size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # Session, user, nation; plan, version, content (version + 5 prefetches); item choices;
    # the frameworks and programmes the nation joins (section 4); the earlier cycle's plan (the
    # year-on-year link).
    with django_assert_num_queries(3 + 1 + 1 + 6 + 1 + 2 + 1):
        director.get(page)


def test_the_editor_loads_its_script_after_the_content(director, plan):
    # No inline code on the editor's pages: the URL matrix checks every HTML response.
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    assert '<script src="/static/js/plan-editor.js" defer></script>' in html
    assert html.index("plan-editor.js") > html.index("</main>")  # in extra_js, after the content


def test_editor_script_is_served(director):
    path = finders.find("js/plan-editor.js")
    assert path is not None
    source = Path(path).read_text(encoding="utf-8")
    assert "beforeunload" in source
    assert "htmx:afterRequest" in source
    response = director.get("/static/js/plan-editor.js")
    assert response.status_code == 200
    assert b"beforeunload" in b"".join(
        response.streaming_content if response.streaming else [response.content]
    )


def test_section_four_lists_the_frameworks_the_nation_joins(client, owner):
    import datetime as dt

    from pledges.models import PlanCycle
    from pledges.services import plan_start
    from procurement.tests.factories import make_framework

    joined = make_framework(nations=["POL"])
    not_joined = make_framework(nations=["FRA"])
    plan = plan_start(
        actor=owner,
        nation=owner.nation,
        cycle=PlanCycle.objects.create(year=2030, due_date=dt.date(2030, 6, 30)),
    )
    client.force_login(owner)
    html = client.get(reverse("pledges:plan-edit", kwargs={"pk": plan.pk})).content.decode()
    assert joined.reference in html
    assert not_joined.reference not in html


# --- Submission: a page of its own that lists the empty sections ---------------------------


def submit_page(client, plan):
    return client.get(url("plan-submit", pk=plan.pk))


def empty_listed(html: str) -> list[str]:
    """The empty sections the submission page lists, as the user reads them."""
    block = re.search(r'data-testid="empty-sections">(.*?)</ul>', html, re.S)
    items = re.findall(r"<li>(.*?)</li>", block[1], re.S) if block else []
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def confirmation(html: str) -> str:
    return unescape(re.search(r'name="confirm" value="([^"]*)"', html)[1])


def test_the_editor_links_to_the_submission_page_instead_of_submitting(director, plan):
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    assert f'href="{url("plan-submit", pk=plan.pk)}" data-submit-link' in html
    # No submission form on the editor: leaving it never carries a POST a prompt could cancel.
    assert f'action="{url("plan-submit", pk=plan.pk)}"' not in html


def test_the_submission_page_lists_the_empty_sections_by_name(director, owner, plan):
    save_section(director, plan, "We share demand signals with NSPA.", 1, **HTMX)
    save_section(director, plan, "  \n\t ", 1, commitment=2, **HTMX)  # blank text is no text
    add_capacity_line(owner, plan, ItemFactory())  # section 3: no text, but a capacity line
    response = submit_page(director, plan)
    html = body(response)
    assert response.status_code == 200
    assert empty_listed(html) == [f"{c} {Commitment(c).label}" for c in (2, 4, 5, 6, 7, 8, 9)]
    assert "7 of 9 sections are empty" in html
    assert f'href="{url("plan-edit", pk=plan.pk)}#section-2"' in html  # each links to its section
    assert confirmation(html) == "2,4,5,6,7,8,9"
    assert "Submit with 7 empty sections" in html
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT  # showing the page submits nothing


def test_with_empty_sections_only_the_confirmation_submits(director, plan):
    save_section(director, plan, "Only section one.", 1, **HTMX)
    shown = body(submit_page(director, plan))
    # A POST without the confirmation (an old form, a script) brings the page back, unsubmitted.
    response = director.post(url("plan-submit", pk=plan.pk), {"comment": "Read section 1 first."})
    html = body(response)
    assert response.status_code == 400
    assert 'data-testid="not-submitted"' in html
    assert len(empty_listed(html)) == 8
    assert "Read section 1 first." in html  # the note typed is kept
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not ObjectChange.objects.filter(action=AuditEvent.PLAN_SUBMITTED).exists()
    # The page's button confirms what the page listed: that submits.
    data = {"comment": "Read section 1 first.", "confirm": confirmation(shown)}
    response = director.post(url("plan-submit", pk=plan.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url("plan-edit", pk=plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    submitted = ObjectChange.objects.get(action=AuditEvent.PLAN_SUBMITTED)
    assert submitted.message == "Read section 1 first."
    page = body(director.get(url("plan-edit", pk=plan.pk)))
    assert "Plan version 1 is now frozen." in page


def test_a_section_emptied_after_the_page_was_shown_is_not_confirmed(director, plan):
    save_section(director, plan, "One.", 1, **HTMX)
    save_section(director, plan, "Two.", 1, commitment=2, **HTMX)
    shown = confirmation(body(submit_page(director, plan)))
    assert shown == "3,4,5,6,7,8,9"
    # Meanwhile (another window, a delegate) section 2 is emptied.
    assert save_section(director, plan, "", section(plan, 2).version, commitment=2, **HTMX).status_code == 200
    response = director.post(url("plan-submit", pk=plan.pk), {"confirm": shown})
    assert response.status_code == 400
    assert empty_listed(body(response))[0] == f"2 {Commitment(2).label}"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_a_plan_without_empty_sections_is_submitted_straight_away(director, plan):
    for commitment in range(1, 10):
        save_section(director, plan, f"Text of section {commitment}.", 1, commitment=commitment, **HTMX)
    html = body(submit_page(director, plan))
    assert 'data-testid="no-empty-sections"' in html
    assert 'data-testid="empty-sections"' not in html
    assert "Submit the plan now" in html
    response = director.post(url("plan-submit", pk=plan.pk))  # nothing to confirm
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_a_note_too_long_is_shown_on_the_page_and_nothing_is_submitted(director, plan):
    response = director.post(url("plan-submit", pk=plan.pk), {"comment": "x" * 2001, "confirm": ALL})
    html = body(response)
    assert response.status_code == 400
    assert "correct the note for the reviewer" in html
    assert "at most 2000 characters" in html
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_the_submission_page_of_a_submitted_plan_leads_back_to_the_plan(director, owner, plan):
    services.plan_submit(actor=owner, plan=plan)
    response = director.get(url("plan-submit", pk=plan.pk), follow=True)
    assert response.redirect_chain == [(url("plan-edit", pk=plan.pk), 302)]
    assert "The plan is submitted: there is nothing to submit." in body(response)


def test_the_submission_page_is_the_nations_alone(client, users_by_role, other, owner, plan):
    client.force_login(other)
    assert submit_page(client, plan).status_code == 404
    client.force_login(users_by_role["secretariat"])
    assert submit_page(client, plan).status_code == 404  # a draft does not exist for them
    services.plan_submit(actor=owner, plan=plan)
    assert submit_page(client, plan).status_code == 403


# --- Submitted late -------------------------------------------------------------------------


def late_note(html: str) -> str | None:
    found = re.search(r'data-testid="late-note">([^<]*)<', html)
    return unescape(found[1]) if found else None


def test_a_plan_submitted_after_its_due_date_says_how_late_on_its_pages(director, owner, secretariat):
    today = timezone.now().date()  # the day the submission is stamped with
    cycle = PlanCycle.objects.create(year=2031, due_date=today - dt.timedelta(days=5))
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    assert "it will show as submitted 5 days late" in body(submit_page(director, plan))
    director.post(url("plan-submit", pk=plan.pk), {"confirm": ALL})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert late_note(body(director.get(url("plan-edit", pk=plan.pk)))) == "submitted late, 5 days"
    reviewer = Client()
    reviewer.force_login(secretariat)
    assert late_note(body(reviewer.get(url("plan-review", pk=plan.pk)))) == "submitted late, 5 days"
    # Returned and revised, the plan keeps the note: it was first filed five days late.
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("Fill section 2.")])
    assert late_note(body(director.get(url("plan-edit", pk=plan.pk)))) == "submitted late, 5 days"
    assert late_note(body(reviewer.get(url("plan-review", pk=plan.pk)))) == "submitted late, 5 days"


def test_a_plan_submitted_on_time_has_no_late_note(director, owner, secretariat):
    cycle = PlanCycle.objects.create(year=2032, due_date=timezone.now().date() + dt.timedelta(days=10))
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    assert 'data-testid="will-be-late"' not in body(submit_page(director, plan))
    services.plan_submit(actor=owner, plan=plan)
    assert late_note(body(director.get(url("plan-edit", pk=plan.pk)))) is None
    reviewer = Client()
    reviewer.force_login(secretariat)
    assert late_note(body(reviewer.get(url("plan-review", pk=plan.pk)))) is None


# --- The plan's tools: exports, upload, comparisons ----------------------------------------

TOOL_ROUTES = {
    "pdf": "plan-pdf",
    "xlsx": "plan-xlsx",
    "capacity-upload": "capacity-upload",
    "diff": "plan-diff",
    "diff-yoy": "plan-diff-yoy",
}


def tools_on(html: str) -> dict[str, str]:
    """The tool links on the editor page: name -> href."""
    return {name: unescape(href) for href, name in re.findall(r'href="([^"]+)" data-tool="([^"]+)"', html)}


def opens(client, href: str) -> bool:
    """Whether a tool's page does its job for this client: a 200 that is not an empty comparison."""
    response = client.get(href)
    return response.status_code == 200 and b'data-testid="diff-error"' not in response.content


def returned_with_a_previous_plan(owner, secretariat, plan):
    """Last cycle's plan submitted; this one submitted, returned, and open in plan version 2."""
    last_cycle = PlanCycle.objects.create(year=2025, due_date=dt.date(2025, 6, 30))
    previous = services.plan_start(actor=owner, nation=owner.nation, cycle=last_cycle)
    services.plan_submit(actor=owner, plan=previous)
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("Add 2028 targets.")])


def test_the_directors_plan_page_links_to_the_tools_they_may_use(director, owner, secretariat, plan):
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    # A first draft: downloads and the upload; nothing to compare yet.
    first_draft = ("pdf", "xlsx", "capacity-upload")
    assert tools_on(html) == {name: url(TOOL_ROUTES[name], pk=plan.pk) for name in first_draft}
    assert all(opens(director, href) for href in tools_on(html).values())
    assert "Upload capacity lines from XLSX" in html

    services.plan_submit(actor=owner, plan=plan)
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    assert set(tools_on(html)) == {"pdf", "xlsx"}  # a submitted plan takes no upload

    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("More.")])
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    assert set(tools_on(html)) == {"pdf", "xlsx", "capacity-upload", "diff"}
    assert "Compare plan versions" in html
    assert all(opens(director, href) for href in tools_on(html).values())


def test_year_on_year_is_linked_once_there_is_an_earlier_plan(director, owner, secretariat, plan):
    returned_with_a_previous_plan(owner, secretariat, plan)
    html = body(director.get(url("plan-edit", pk=plan.pk)))
    assert tools_on(html)["diff-yoy"] == url("plan-diff-yoy", pk=plan.pk)
    assert "Compare with the 2025 plan" in html
    assert opens(director, tools_on(html)["diff-yoy"])


@pytest.mark.parametrize("stage", ["draft", "submitted", "returned"])
@pytest.mark.parametrize("role", ["director", "secretariat", "nspa"])
def test_a_tool_is_offered_exactly_when_its_page_does_its_job(
    client, rf, users_by_role, owner, secretariat, plan, stage, role
):
    # The editor shows its tools to directors only, but the rule it applies is each target's own:
    # checked here for readers of every kind, against what the target page answers them.
    if stage == "submitted":
        services.plan_submit(actor=owner, plan=plan)
    elif stage == "returned":
        returned_with_a_previous_plan(owner, secretariat, plan)
    user = users_by_role[role]
    plan.refresh_from_db()
    client.force_login(user)
    usable = {name for name, route in TOOL_ROUTES.items() if opens(client, url(route, pk=plan.pk))}
    version = selectors.plan_version_get(user=user, plan=plan)
    if version is None:  # another nation's draft: no page of it, and no tool either
        assert usable == set()
        return
    request = rf.get("/")
    request.user = user
    offered = {tool["name"] for tool in editor._tools(request, plan, version)}
    assert offered == usable


# --- Two kinds of version: "plan version N" and "save N" -----------------------------------


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def bare_versions(text: str) -> list[str]:
    """Each "version" a page says that is not a plan version (nor the plan's version N)."""
    return [
        text[max(match.start() - 30, 0) : match.end() + 20]
        for match in re.finditer(r"\bversions?\b", text, re.I)
        if not re.search(r"plan\s+$", text[: match.start()], re.I)
    ]


def test_plan_versions_and_section_saves_are_named_apart(owner, make_user, director, plan):
    page = visible_text(body(director.get(url("plan-edit", pk=plan.pk))))
    assert "Plan version 1" in page
    assert bare_versions(page) == []
    saved = body(save_section(director, plan, "First text.", 1, **HTMX))
    assert "· save 1" in visible_text(saved)
    assert bare_versions(visible_text(saved)) == []
    # Another director saves twice more; this one, still on save 1, meets the conflict.
    delegate = Client()
    delegate.force_login(make_user("director", "POL", username="delegate_pol"))
    for n, text in ((2, "Second."), (3, "Third.")):
        assert save_section(delegate, plan, text, n, **HTMX).status_code == 200
    conflict = visible_text(body(save_section(director, plan, "Mine.", 2, **HTMX)))
    assert "Someone else saved this section after you opened it (2 saves since)." in conflict
    assert "Saved text now (save 3)" in conflict
    assert bare_versions(conflict) == []
    submit = visible_text(body(submit_page(director, plan)))
    assert "Submitting freezes plan version 1" in submit
    assert bare_versions(submit) == []

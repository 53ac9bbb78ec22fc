"""The plan workflow: who may do what, in which state, with versions frozen on submission."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from pledges import selectors, services
from pledges.choices import PlanStatus
from pledges.models import NationalPlan, PlanCycle, PlanSection, PlanVersion
from pledges.services import CommentInput
from portal.exceptions import Conflict, Forbidden, NotFound
from portal.models import Nation, ObjectChange
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))


@pytest.fixture
def plan(owner, cycle):
    return services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)


def section(plan, commitment=1):
    plan.refresh_from_db()
    return PlanSection.objects.get(plan_version=plan.current_version, commitment=commitment)


def capacity_fields(**overrides):
    return {
        "item": ItemFactory(),
        "commitment": 3,
        "site": "Mesko, Skarżysko-Kamienna",
        "baseline_output": 30000,
        "baseline_year": 2023,
        "current_output": 60000,
        "target_output": 150000,
        "target_year": 2027,
        "surge_capacity": 20000,
        "lead_time_months": 18,
        **overrides,
    }


def test_full_cycle_submit_review_return_resubmit_accept(plan, owner, secretariat):
    services.section_save(actor=owner, section=section(plan), narrative="First text", expected_version=1)
    services.entry_save(actor=owner, plan=plan, kind="capacityline", fields=capacity_fields())
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(
        actor=secretariat,
        plan=plan,
        comments=[CommentInput("Add 2028 targets.", commitment=3), CommentInput("")],
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    assert plan.current_version.number == 2
    assert not plan.current_version.frozen
    # The reviewed version is frozen and untouched; the new draft starts as a copy.
    first = PlanVersion.objects.get(plan=plan, number=1)
    assert first.frozen
    assert first.comments.get().text == "Add 2028 targets."
    assert section(plan).narrative == "First text"
    old_key = first.capacitylines.get().key
    assert plan.current_version.capacitylines.get().key == old_key

    services.section_save(actor=owner, section=section(plan), narrative="Revised", expected_version=1)
    assert PlanSection.objects.get(plan_version=first, commitment=1).narrative == "First text"
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_accept(actor=secretariat, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED
    actions = list(
        ObjectChange.objects.filter(object_id=str(plan.pk), action__startswith="plan.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        ["plan.started", "plan.submitted", "plan.review_started", "plan.returned", "plan.submitted",
         "plan.review_started", "plan.accepted"]
    )  # fmt: skip


def test_drafts_are_invisible_to_the_secretariat_until_submitted(plan, owner, secretariat, nspa, other):
    assert not selectors.plan_list(user=secretariat).exists()
    assert not selectors.plan_list(user=nspa).exists()
    assert not selectors.plan_list(user=other).exists()
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("More detail.")])
    services.section_save(actor=owner, section=section(plan), narrative="secret revision", expected_version=1)
    plan.refresh_from_db()
    # The secretariat still sees the plan, but reads the frozen version 1, never the new draft.
    assert selectors.plan_version_get(user=secretariat, plan=plan).number == 1
    assert selectors.plan_version_get(user=owner, plan=plan).number == 2
    frozen = selectors.plan_content_get(user=secretariat, version_id=plan.current_version_id - 1)
    assert "secret revision" not in [sec.narrative for sec in frozen.sections.all()]
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.plan_content_get(user=secretariat, version_id=plan.current_version_id)


@pytest.mark.parametrize(
    ("do", "expected"),
    [
        ("start_review_draft", NotFound),  # a draft does not exist for the secretariat
        ("accept_submitted", Conflict),  # accept needs "in review"
        ("director_accepts", Forbidden),
        ("other_nation_submits", NotFound),
        ("submit_twice", Conflict),
        ("edit_submitted", Conflict),
        ("partner_submits", NotFound),
    ],
)
def test_illegal_transitions(do, expected, plan, owner, other, secretariat, make_user):
    if do == "start_review_draft":
        call = lambda: services.plan_start_review(actor=secretariat, plan=plan)  # noqa: E731
    else:
        services.plan_submit(actor=owner, plan=plan)
        call = {
            "accept_submitted": lambda: services.plan_accept(actor=secretariat, plan=plan),
            "director_accepts": lambda: services.plan_accept(actor=owner, plan=plan),
            "other_nation_submits": lambda: services.plan_submit(actor=other, plan=plan),
            "submit_twice": lambda: services.plan_submit(actor=owner, plan=plan),
            "edit_submitted": lambda: services.section_save(
                actor=owner, section=section(plan), narrative="x", expected_version=None
            ),
            "partner_submits": lambda: services.plan_submit(actor=make_user("partner", "UKR"), plan=plan),
        }[do]
    status_before = NationalPlan.objects.get(pk=plan.pk).status
    with pytest.raises(expected):
        call()
    assert NationalPlan.objects.get(pk=plan.pk).status == status_before


def test_return_needs_a_comment(plan, owner, secretariat):
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("   ")])
    assert "at least one comment" in excinfo.value.message_dict["comments"][0]


def test_director_starts_only_own_nation(owner, cycle):
    with pytest.raises(Forbidden):
        services.plan_start(actor=owner, nation=Nation.objects.get(code="FRA"), cycle=cycle)
    # The ADD scope is checked on the saved row, and the refusal rolls the save back.
    assert not NationalPlan.objects.filter(nation__code="FRA").exists()
    assert not ObjectChange.objects.filter(action="plan.started").exists()


def test_stale_section_save_is_a_conflict_with_the_current_text(plan, owner):
    s = section(plan)
    services.section_save(actor=owner, section=s, narrative="Colleague's text", expected_version=1)
    with pytest.raises(Conflict) as excinfo:
        services.section_save(actor=owner, section=s, narrative="My text", expected_version=1)
    assert excinfo.value.detail["current"] == {"narrative": "Colleague's text", "version": 2}
    assert excinfo.value.detail["changed_fields"] == ["narrative"]
    assert section(plan).narrative == "Colleague's text"


@pytest.mark.django_db(transaction=True)
def test_two_editors_save_the_same_section_concurrently_one_wins(make_user, nation):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    cycle = PlanCycle.objects.create(year=2027, due_date=dt.date(2027, 6, 30))
    a = make_user("director", "NLD", username="nld_a")
    b = make_user("director", "NLD", username="nld_b")
    plan = services.plan_start(actor=a, nation=nation("NLD"), cycle=cycle)
    target = section(plan, 2)
    barrier = threading.Barrier(2)
    outcomes = []

    def save(user, text):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            services.section_save(actor=user, section=target, narrative=text, expected_version=1)
            outcomes.append("saved")
        except Conflict as exc:
            outcomes.append(exc.detail["current"]["narrative"])
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(a, "A's text")),
        threading.Thread(target=save, args=(b, "B's text")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcomes.count("saved") == 1, outcomes
    winner = section(plan, 2).narrative
    assert winner in {"A's text", "B's text"}
    assert [o for o in outcomes if o != "saved"] == [winner]  # the loser is shown the winner's text


def test_entries_validate_and_are_scoped_to_the_draft(plan, owner):
    with pytest.raises(ValidationError) as excinfo:
        services.entry_save(
            actor=owner, plan=plan, kind="capacityline", fields=capacity_fields(target_year=2020)
        )
    assert "target_year" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.entry_save(actor=owner, plan=plan, kind="capacityline", fields={"status": "x"})
    with pytest.raises(ValidationError):
        services.entry_save(actor=owner, plan=plan, kind="secret", fields={})
    line = services.entry_save(actor=owner, plan=plan, kind="capacityline", fields=capacity_fields())
    services.entry_save(
        actor=owner, plan=plan, kind="capacityline", entry_id=line.pk, fields={"current_output": 70000}
    )
    line.refresh_from_db()
    assert line.current_output == 70000
    services.entry_delete(actor=owner, plan=plan, kind="capacityline", entry_id=line.pk)
    assert not plan.current_version.capacitylines.exists()


def test_overdue_job_marks_late_drafts_once(plan, owner):
    assert services.plans_mark_overdue(today=dt.date(2026, 7, 1)) == 1
    assert services.plans_mark_overdue(today=dt.date(2026, 7, 2)) == 0
    plan.refresh_from_db()
    assert plan.overdue
    services.plan_submit(actor=owner, plan=plan)
    plan.refresh_from_db()
    assert not plan.overdue


def test_overdue_task_records_a_job_run(plan):
    from pledges.tasks import mark_overdue_plans
    from portal.models import JobRun

    mark_overdue_plans.apply().get()
    run = JobRun.objects.get(job_name="pledges.tasks.mark_overdue_plans")
    assert run.state == "succeeded"
    assert "marked_overdue" in run.result

"""Version diffs: per section (side by side) and per entry, between versions and year on year."""

import datetime as dt

import pytest

from pledges import selectors, services
from pledges.diff import text_rows, version_diff
from pledges.models import PlanCycle, PlanSection
from pledges.services import CommentInput
from pledges.tests.test_services import capacity_fields

pytestmark = pytest.mark.django_db


def test_text_rows_pair_lines_side_by_side():
    rows = text_rows("a\nb\nc", "a\nB\nc\nd")
    assert [(r.tag, r.old, r.new) for r in rows] == [
        ("equal", "a", "a"),
        ("replace", "b", "B"),
        ("equal", "c", "c"),
        ("insert", None, "d"),
    ]


def _returned_plan(owner, secretariat):
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    first = PlanSection.objects.get(plan_version=plan.current_version, commitment=3)
    services.section_save(actor=owner, section=first, narrative="Line one\nLine two", expected_version=1)
    kept = services.entry_save(
        actor=owner, plan=plan, kind="capacityline", fields=capacity_fields(site="Site A")
    )
    services.entry_save(
        actor=owner, plan=plan, kind="measure", fields={"title": "Dropped later", "commitment": 9}
    )
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("Raise targets.")])
    plan.refresh_from_db()
    return plan, kept


def test_diff_between_two_versions_of_a_plan(owner, secretariat, django_assert_max_num_queries):
    plan, kept = _returned_plan(owner, secretariat)
    draft = plan.current_version
    section = PlanSection.objects.get(plan_version=draft, commitment=3)
    services.section_save(
        actor=owner, section=section, narrative="Line one\nLine 2\nLine three", expected_version=1
    )
    copy = draft.capacitylines.get(key=kept.key)
    services.entry_save(
        actor=owner, plan=plan, kind="capacityline", entry_id=copy.pk, fields={"target_output": 200000}
    )
    services.entry_delete(actor=owner, plan=plan, kind="measure", entry_id=draft.measures.get().pk)
    services.entry_save(actor=owner, plan=plan, kind="investment", fields={
        "description": "New LAP line", "kind": "new", "value": "120000000", "currency": "PLN", "year": 2026,
        "commitment": 3})  # fmt: skip

    old = selectors.plan_content_get(user=owner, version_id=draft.pk - 1)
    new = selectors.plan_content_get(user=owner, version_id=draft.pk)
    with django_assert_max_num_queries(0):
        diff = version_diff(old, new)
    assert [s.commitment for s in diff.changed_sections] == [3]
    assert [(r.tag, r.old, r.new) for r in diff.changed_sections[0].rows] == [
        ("equal", "Line one", "Line one"),
        ("replace", "Line two", "Line 2"),
        ("insert", None, "Line three"),
    ]
    statuses = {(e.kind, e.status) for e in diff.changed_entries}
    assert statuses == {("capacityline", "changed"), ("investment", "added"), ("measure", "removed")}
    changed = next(e for e in diff.entries if e.kind == "capacityline")
    assert [(c.field, c.old, c.new) for c in changed.changes] == [("target_output", "150000", "200000")]


def test_year_on_year_pairs_entries_by_natural_key(owner):
    plans = []
    for year in (2025, 2026):
        cycle = PlanCycle.objects.create(year=year, due_date=dt.date(year, 6, 30))
        plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
        plans.append(plan)
    item_fields = capacity_fields(site="Mesko")
    for plan, target in zip(plans, (100000, 150000), strict=True):
        services.entry_save(
            actor=owner, plan=plan, kind="capacityline", fields={**item_fields, "target_output": target}
        )
    versions = [selectors.plan_content_get(user=owner, version_id=p.current_version_id) for p in plans]
    diff = version_diff(*versions, year_on_year=True)
    assert [(e.status, [c.field for c in e.changes]) for e in diff.entries] == [
        ("changed", ["target_output"])
    ]
    assert version_diff(*versions).entries[0].status in {"added", "removed"}  # keys differ across cycles

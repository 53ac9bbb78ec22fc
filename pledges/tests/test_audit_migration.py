"""Audit rows written before the trail knew about drafts are marked private by the migration."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from portal.tests.migrating import migrate_to

BEFORE = [("portal", "0002_load_nations"), ("pledges", "0002_dip_metrics")]
AFTER = [("portal", "0003_objectchange_privacy"), ("pledges", "0003_audit_privacy")]


@pytest.fixture(autouse=True)
def _back_to_latest(transactional_db):
    # The tests that run next in this process expect every migration applied.
    yield
    migrate_to()


@pytest.mark.django_db(transaction=True)
def test_existing_rows_about_drafts_become_private_to_their_nation():
    old = migrate_to(BEFORE)
    Nation = old.get_model("portal", "Nation")
    ObjectChange = old.get_model("portal", "ObjectChange")
    ContentType = old.get_model("contenttypes", "ContentType")
    PlanCycle = old.get_model("pledges", "PlanCycle")
    NationalPlan = old.get_model("pledges", "NationalPlan")
    PlanVersion = old.get_model("pledges", "PlanVersion")
    Measure = old.get_model("pledges", "Measure")
    poland, france = Nation.objects.get(code="POL"), Nation.objects.get(code="FRA")
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))

    def plan_with_measure(nation, *, submitted: bool):
        plan = NationalPlan.objects.create(nation=nation, cycle=cycle, status="draft")
        version = PlanVersion.objects.create(plan=plan, number=1, frozen=submitted)
        plan.current_version = version
        plan.first_submitted_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC) if submitted else None
        plan.save()
        measure = Measure.objects.create(plan_version=version, key=uuid.uuid4(), commitment=1, title="t")
        return plan, version, measure

    draft_plan, draft_version, draft_measure = plan_with_measure(poland, submitted=False)
    sent_plan, _, sent_measure = plan_with_measure(france, submitted=True)
    types = {
        m: ContentType.objects.get_or_create(app_label="pledges", model=m)[0]
        for m in ("nationalplan", "measure")
    }

    def row(model, obj, after):
        return ObjectChange.objects.create(
            action="create", content_type=types[model], object_id=str(obj.pk), object_repr="x", after=after
        ).pk

    rows = {
        "draft_plan": row("nationalplan", draft_plan, {"nation_id": poland.pk}),
        "draft_measure": row("measure", draft_measure, {"plan_version_id": draft_version.pk, "title": "t"}),
        "sent_plan": row("nationalplan", sent_plan, {"nation_id": france.pk}),
        "sent_measure": row("measure", sent_measure, {"plan_version_id": sent_measure.plan_version_id}),
    }

    new = migrate_to(AFTER)
    marked = {
        name: new.get_model("portal", "ObjectChange").objects.values("draft_key", "nation_id").get(pk=pk)
        for name, pk in rows.items()
    }
    key = f"pledges.planversion:{draft_version.pk}"
    assert marked["draft_plan"] == {"draft_key": key, "nation_id": poland.pk}
    assert marked["draft_measure"] == {"draft_key": key, "nation_id": poland.pk}
    assert marked["sent_plan"] == {"draft_key": "", "nation_id": france.pk}
    assert marked["sent_measure"] == {"draft_key": "", "nation_id": france.pk}

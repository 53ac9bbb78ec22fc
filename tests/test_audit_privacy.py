"""The audit trail is as private as what it describes (DESIGN, convention 12).

Canary strings are planted in a nation's unsubmitted plan, in a returned plan's redraft and in a
draft expenditure return, then every audit surface is read as every role: /activity/ (every page),
the home page's recent changes, the framework History panel and the API. Nobody outside the nation
sees a canary until the draft is submitted; after that the secretariat does.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from pledges import services
from pledges.models import PlanCycle, PlanSection
from pledges.services import CommentInput
from pledges.services import plans as plan_services
from portal.models import ObjectChange
from portal.selectors import objectchange_history, objectchange_list
from procurement.models import FrameworkContract
from procurement.tests.factories import ItemFactory, make_calloff, make_framework

pytestmark = pytest.mark.django_db

POL_CANARIES = ("CANARY-POL-SECTION", "CANARY-POL-MEASURE", "CANARY-POL-INVEST", "CANARY-POL-SITE")
POL_DELETED = "CANARY-POL-DELETED"
FRA_REDRAFT = "CANARY-FRA-REDRAFT"
FRA_SUBMITTED = "CANARY-FRA-SUBMITTED"


def _section(plan, commitment):
    plan.refresh_from_db()
    return PlanSection.objects.get(plan_version=plan.current_version, commitment=commitment)


def _plant_pol_draft(owner, cycle):
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    services.section_save(
        actor=owner, section=_section(plan, 1), narrative=POL_CANARIES[0], expected_version=1
    )
    services.entry_save(
        actor=owner, plan=plan, kind="measure", fields={"commitment": 2, "title": POL_CANARIES[1]}
    )
    services.entry_save(
        actor=owner,
        plan=plan,
        kind="investment",
        fields={"commitment": 4, "description": POL_CANARIES[2], "kind": "new", "value": "10.00",
                "currency": "EUR", "year": 2026},
    )  # fmt: skip
    services.entry_save(
        actor=owner,
        plan=plan,
        kind="capacityline",
        fields={"item": ItemFactory(), "commitment": 3, "site": POL_CANARIES[3], "baseline_output": 1,
                "baseline_year": 2023, "current_output": 1, "target_output": 2, "target_year": 2027,
                "lead_time_months": 6},
    )  # fmt: skip
    gone = services.entry_save(
        actor=owner, plan=plan, kind="measure", fields={"commitment": 5, "title": POL_DELETED}
    )
    services.entry_delete(actor=owner, plan=plan, kind="measure", entry_id=gone.pk)
    return plan


def _plant_fra_redraft(other, secretariat, cycle):
    plan = services.plan_start(actor=other, nation=other.nation, cycle=cycle)
    services.entry_save(
        actor=other, plan=plan, kind="measure", fields={"commitment": 1, "title": FRA_SUBMITTED}
    )
    services.plan_submit(actor=other, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("Add targets.")])
    services.entry_save(
        actor=other, plan=plan, kind="measure", fields={"commitment": 1, "title": FRA_REDRAFT}
    )
    return plan


@pytest.fixture
def scene(owner, other, secretariat, nspa):
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    pol_plan = _plant_pol_draft(owner, cycle)
    fra_plan = _plant_fra_redraft(other, secretariat, cycle)
    pol_return = services.return_create(actor=owner, edition_year=2026, price_base_year=2021)
    record = services.record_save(
        actor=owner, dataset=pol_return, year=2025, values={"gdp_usd_constant_m": 1000}
    )
    framework = make_framework()
    make_calloff(framework, nation="POL")
    return {"pol_plan": pol_plan, "fra_plan": fra_plan, "pol_return": pol_return, "record": record,
            "framework": framework}  # fmt: skip


def _draft_row_ids(scene) -> dict[str, set[int]]:
    """Audit rows about each draft, found by what they describe (not by the privacy fields)."""
    targets = {"expendituredataset": scene["pol_return"].pk, "expenditurerecord": scene["record"].pk}
    rows = set()
    for model, pk in targets.items():
        rows |= set(
            ObjectChange.objects.filter(content_type__model=model, object_id=str(pk)).values_list(
                "pk", flat=True
            )
        )
    return {"pol_return": rows}


def _pages_text(client, url: str) -> str:
    """Every page of a paginated list, concatenated."""
    text, page = "", 1
    while True:
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        html = response.content.decode()
        text += html
        if not re.search(rf"[?&]page={page + 1}\b", html):
            return text
        page += 1


def _surfaces(client, user, scene) -> str:
    client.force_login(user)
    text = _pages_text(client, reverse("activity"))
    text += client.get(reverse("home")).content.decode()
    fw = client.get(reverse("procurement:framework-detail", kwargs={"pk": scene["framework"].pk}))
    if fw.status_code == 200:
        text += fw.content.decode()
    for path in ("/api/me/", "/api/jobs/"):
        text += client.get(path).content.decode()
    # The selectors behind those pages, with no page size in the way.
    rows = list(objectchange_list(user=user))
    text += "".join(f"{r.object_repr} {r.before} {r.after} {r.message}" for r in rows)
    history = objectchange_history(
        user=user, targets=[(FrameworkContract, FrameworkContract.objects.all())], limit=1000
    )
    text += "".join(f"{r.object_repr} {r.before} {r.after} {r.message}" for r in history)
    return text


def _visible_ids(user) -> set[int]:
    return set(objectchange_list(user=user).values_list("pk", flat=True))


ALL_POL = (*POL_CANARIES, POL_DELETED)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("secretariat", {FRA_SUBMITTED}),
        ("nspa", set()),
        ("board_member", set()),
        ("partner", set()),
        ("no_role", set()),
        # A colleague of the owner (Poland): the nation's own drafts, never France's redraft.
        ("director", set(ALL_POL)),
        ("superuser", {*ALL_POL, FRA_REDRAFT, FRA_SUBMITTED}),
    ],
)
def test_no_audit_surface_shows_another_nations_draft(client, scene, users_by_role, role, sees):
    user = users_by_role[role]
    text = _surfaces(client, user, scene)
    for canary in (*ALL_POL, FRA_REDRAFT, FRA_SUBMITTED):
        assert (canary in text) == (canary in sees), (role, canary)
    drafts = _draft_row_ids(scene)["pol_return"]
    assert drafts
    assert (drafts <= _visible_ids(user)) == (role in {"director", "superuser"}), role
    assert not (drafts & _visible_ids(user)) or role in {"director", "superuser"}, role


def test_the_other_nations_director_sees_only_their_own(client, scene, other, owner):
    text = _surfaces(client, other, scene)
    for canary in ALL_POL:
        assert canary not in text
    assert FRA_REDRAFT in text
    assert FRA_SUBMITTED in text
    assert not (_draft_row_ids(scene)["pol_return"] & _visible_ids(other))
    # And the owner sees all their own work, deleted entries included.
    own = _surfaces(client, owner, scene)
    assert all(canary in own for canary in ALL_POL)


def test_submitting_releases_the_drafts_trail_to_the_secretariat(client, scene, owner, other, secretariat):
    services.plan_submit(actor=owner, plan=scene["pol_plan"])
    services.plan_submit(actor=other, plan=scene["fra_plan"])
    services.return_submit(actor=owner, dataset=scene["pol_return"])
    text = _surfaces(client, secretariat, scene)
    for canary in (*ALL_POL, FRA_REDRAFT, FRA_SUBMITTED):
        assert canary in text, canary
    assert _draft_row_ids(scene)["pol_return"] <= _visible_ids(secretariat)
    # Other nations still read only their own and their nation's rows.
    assert not any(canary in _surfaces(client, other, scene) for canary in ALL_POL)


def test_a_rolled_back_submission_releases_nothing(scene, owner, secretariat, monkeypatch):
    before = _visible_ids(secretariat)

    def fail(*args, **kwargs):
        raise RuntimeError("the submission fails after the release")

    monkeypatch.setattr(plan_services, "model_update", fail)  # where plan_submit looks it up
    with pytest.raises(RuntimeError):
        services.plan_submit(actor=owner, plan=scene["pol_plan"])
    assert _visible_ids(secretariat) == before


def test_record_change_marks_rows_from_the_object_itself(scene, owner):
    """Every app inherits the rule: the row's nation and draft come from the object."""
    rows = ObjectChange.objects.filter(actor=owner)
    assert rows.exists()
    assert set(rows.values_list("nation__code", flat=True)) == {"POL"}
    pol_version = scene["pol_plan"].current_version_id
    plan_rows = rows.exclude(content_type__model__in=["expendituredataset", "expenditurerecord"])
    assert set(plan_rows.values_list("draft_key", flat=True)) == {f"pledges.planversion:{pol_version}"}
    assert set(
        rows.filter(content_type__model__in=["expendituredataset", "expenditurerecord"]).values_list(
            "draft_key", flat=True
        )
    ) == {f"pledges.expendituredataset:{scene['pol_return'].pk}"}

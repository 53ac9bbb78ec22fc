"""GET /api/procurement/frameworks/{id}/ocds/: a framework and its call-offs as an OCDS release
package, scoped like the rest of the API, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from portal.models import Nation, ObjectChange
from portal.tests.openapi import assert_matches_schema
from procurement import services
from procurement.models import Amendment, CallOff, Delivery, FrameworkContract
from procurement.ocds import OCID_PREFIX
from procurement.tests.factories import ItemFactory, amend, make_framework, nspa_user

SCHEMA_PATH = "/api/procurement/frameworks/{id}/ocds/"


@pytest.fixture
def api():
    return APIClient()


def url(framework) -> str:
    return f"/api/procurement/frameworks/{framework.pk}/ocds/"


def framework_process(package, framework) -> list[dict]:
    """The framework's releases: its amendment releases, oldest first, then its current one."""
    return [r for r in package["releases"] if r["ocid"] == f"{OCID_PREFIX}-framework-{framework.pk}"]


def calloff_releases(package) -> list[dict]:
    return [r for r in package["releases"] if r["ocid"].startswith(f"{OCID_PREFIX}-calloff-")]


def calloff_release(package, reference) -> dict:
    (release,) = [r for r in calloff_releases(package) if r["contracts"][0]["id"] == reference]
    return release


def place(framework, actor, *, nation, reference, lines, order_date=dt.date(2024, 6, 1)):
    return services.calloff_create(
        actor=actor,
        framework=framework,
        nation=Nation.objects.get(code=nation),
        reference=reference,
        order_date=order_date,
        lines=[
            services.CallOffLineInput(framework_line=fl, quantity=q, schedule=sched) for fl, q, sched in lines
        ],
    )


def deliver(line, actor, *, lot, quantity, accepted, on, reason=""):
    return services.delivery_record(
        actor=actor,
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=on,
            quantity_delivered=quantity,
            quantity_accepted=accepted,
            quantity_rejected=quantity - accepted,
            rejection_reason=reason,
            lot_number=lot,
            location="Bourges",
        ),
    )


@pytest.fixture
def setup(db):
    """A framework (POL, FRA) with a supplier, two lines and an amendment; a Polish call-off with
    a two-part schedule and three deliveries; a French call-off with one delivery."""
    nspa = nspa_user()
    framework = make_framework(
        actor=nspa,
        nations=("POL", "FRA"),
        lines=((Decimal("100.00"), 5000), (Decimal("4500.50"), 200)),
    )
    supplier = services.supplier_create(actor=nspa, name="Nexter Munitions", country="FRA")
    services.framework_update(actor=nspa, framework=framework, expected_version=None, suppliers=[supplier])
    amend(
        framework,
        actor=nspa,
        rationale="ceiling_change",
        description="Ceiling raised.",
        ceiling_value=Decimal("2000000.00"),
    )
    rounds, shells = framework.lines.order_by("pk")
    polish = place(
        framework,
        nspa,
        nation="POL",
        reference="CO-POL",
        lines=[
            (rounds, 100, [(dt.date(2024, 12, 31), 50), (dt.date(2025, 6, 30), 50)]),
            (shells, 10, []),
        ],
    )
    polish_rounds = polish.lines.get(framework_line=rounds)
    deliver(polish_rounds, nspa, lot="P-1", quantity=30, accepted=30, on=dt.date(2024, 10, 1))
    deliver(
        polish_rounds, nspa, lot="P-2", quantity=40, accepted=38, on=dt.date(2025, 1, 15), reason="Dented"
    )
    deliver(polish_rounds, nspa, lot="P-3", quantity=30, accepted=30, on=dt.date(2025, 5, 1))
    french = place(framework, nspa, nation="FRA", reference="CO-FRA", lines=[(rounds, 20, [])])
    deliver(french.lines.get(), nspa, lot="F-1", quantity=20, accepted=20, on=dt.date(2024, 8, 1))
    framework.refresh_from_db()
    return {"nspa": nspa, "framework": framework, "polish": polish, "french": french, "supplier": supplier}


def test_release_package_shape(api, setup):
    framework, polish = setup["framework"], setup["polish"]
    api.force_authenticate(setup["nspa"])
    response = api.get(url(framework))
    assert response.status_code == 200
    assert_matches_schema(response, SCHEMA_PATH)
    package = response.json()
    assert package["uri"] == f"http://testserver{url(framework)}"
    assert package["publisher"] == {"name": "NSPA (portal)"}
    assert package["version"] == "1.1"
    assert dt.datetime.fromisoformat(package["publishedDate"])

    *history, release = framework_process(package, framework)
    call_offs = calloff_releases(package)
    ocid = f"{OCID_PREFIX}-framework-{framework.pk}"
    assert release["ocid"] == ocid
    assert release["id"].startswith(ocid)
    assert release["tag"] == ["award", "contract"]
    roles = {party["id"]: party["roles"] for party in release["parties"]}
    assert roles == {
        "NSPA": ["buyer", "procuringEntity"],
        f"supplier-{setup['supplier'].pk}": ["supplier"],
        "POL": ["payer"],
        "FRA": ["payer"],
    }
    techniques = release["tender"]["techniques"]
    assert techniques["hasFrameworkAgreement"] is True
    assert techniques["frameworkAgreement"]["method"] == "withoutReopeningCompetition"
    assert techniques["frameworkAgreement"]["value"] == {"amount": 2000000, "currency": "EUR"}
    assert release["tender"]["contractPeriod"] == {
        "startDate": "2024-01-01T00:00:00Z",
        "endDate": "2027-12-31T00:00:00Z",
    }
    (award,) = release["awards"]
    shells = framework.lines.order_by("pk")[1]
    assert award["suppliers"] == [{"id": f"supplier-{setup['supplier'].pk}", "name": "Nexter Munitions"}]
    assert award["items"][1] == {
        "id": str(shells.pk),
        "description": shells.item.name,
        "classification": {
            "scheme": "x-NSPA-catalogue",
            "id": shells.item.code,
            "description": shells.item.name,
        },
        "quantity": 200,
        "unit": {"name": "round", "value": {"amount": 4500.5, "currency": "EUR"}},
    }
    (contract,) = release["contracts"]
    # The ceiling is the framework's maximum, never a contract value (issue 11: summing contract
    # values must not count the call-offs twice); the award keeps the ceiling it was awarded with.
    assert "value" not in contract
    assert "value" not in award
    assert contract["maximumValue"] == {"amount": 2000000, "currency": "EUR"}
    assert award["maximumValue"] == {"amount": 1000000, "currency": "EUR"}
    assert contract["status"] == "active"
    assert contract["period"]["endDate"] == "2027-12-31T00:00:00Z"
    (amendment,) = contract["amendments"]
    assert amendment["date"] == "2025-02-01T00:00:00Z"
    assert amendment["rationaleCode"] == "ceiling_change"
    assert amendment["rationale"] == "Ceiling changed"
    assert amendment["description"] == "Ceiling raised."
    # No deprecated ``changes`` (with the portal's field names): the releases before and after.
    assert "changes" not in amendment
    before, after = history
    assert (amendment["amendsReleaseID"], amendment["releaseID"]) == (before["id"], after["id"])
    assert before["contracts"][0]["maximumValue"] == {"amount": 1000000, "currency": "EUR"}
    assert after["contracts"][0]["maximumValue"] == {"amount": 2000000, "currency": "EUR"}
    assert after["tag"] == ["contractAmendment"]

    assert [c["contracts"][0]["id"] for c in call_offs] == ["CO-FRA", "CO-POL"]
    polish_release = calloff_release(package, "CO-POL")
    assert polish_release["ocid"] == f"{OCID_PREFIX}-calloff-{polish.pk}"
    assert polish_release["tag"] == ["award", "contract", "implementation"]
    assert polish_release["relatedProcesses"] == [
        {
            "id": "framework",
            "relationship": ["framework"],
            "title": framework.title,
            "scheme": "ocid",
            "identifier": ocid,
        }
    ]
    assert polish_release["buyer"] == {"id": "POL", "name": "Poland"}
    (contract,) = polish_release["contracts"]
    assert contract["value"] == {"amount": 55005, "currency": "EUR"}  # 100 x 100.00 + 10 x 4,500.50
    assert contract["period"] == {"startDate": "2024-06-01T00:00:00Z", "endDate": "2025-06-30T00:00:00Z"}
    assert [(i["quantity"], i["unit"]["value"]["amount"]) for i in contract["items"]] == [
        (100, 100),
        (10, 4500.5),
    ]
    assert contract["implementation"]["transactions"] == []
    milestones = contract["implementation"]["milestones"]
    assert {m["type"] for m in milestones} == {"delivery"}
    assert {m["status"] for m in milestones} == {"met"}
    dented = milestones[1]
    assert dented["dateMet"] == "2025-01-15T00:00:00Z"
    assert (dented["quantityDelivered"], dented["quantityAccepted"], dented["quantityRejected"]) == (
        40,
        38,
        2,
    )
    assert dented["lotNumber"] == "P-2"
    assert "40 round" in dented["description"]
    assert "Dented" in dented["description"]


def test_delivery_due_dates_come_from_the_schedule(api, setup):
    """Scheduled: 50 by 2024-12-31, 50 by 2025-06-30. Delivered 30, 40, 30: the second delivery
    completes units 31-70, so it falls due with the second scheduled part."""
    api.force_authenticate(setup["nspa"])
    package = api.get(url(setup["framework"])).json()
    polish_release = calloff_release(package, "CO-POL")
    milestones = polish_release["contracts"][0]["implementation"]["milestones"]
    assert [(m["lotNumber"], m["dueDate"]) for m in milestones] == [
        ("P-1", "2024-12-31T00:00:00Z"),
        ("P-2", "2025-06-30T00:00:00Z"),
        ("P-3", "2025-06-30T00:00:00Z"),
    ]
    # Without a schedule there is no due date to report.
    french_release = calloff_release(package, "CO-FRA")
    (milestone,) = french_release["contracts"][0]["implementation"]["milestones"]
    assert "dueDate" not in milestone


def test_a_director_sees_only_their_own_nations_call_offs(api, setup, owner, other):
    api.force_authenticate(owner)
    response = api.get(url(setup["framework"]))
    assert response.status_code == 200
    assert_matches_schema(response, SCHEMA_PATH)
    assert [r["contracts"][0]["id"] for r in calloff_releases(response.json())] == ["CO-POL"]
    api.force_authenticate(other)
    assert [r["contracts"][0]["id"] for r in calloff_releases(api.get(url(setup["framework"])).json())] == [
        "CO-FRA"
    ]


@pytest.mark.parametrize(
    ("role", "code", "expected"),
    [
        ("director", "DEU", 404),  # Germany does not take part
        ("partner", "UKR", 404),
        ("board_member", None, 404),
        (None, None, 404),
        ("secretariat", None, 200),
    ],
)
def test_who_may_read_the_ocds_export(api, setup, make_user, role, code, expected):
    api.force_authenticate(make_user(role, code, username="reader"))
    response = api.get(url(setup["framework"]))
    assert response.status_code == expected
    if expected == 200:
        assert len(calloff_releases(response.json())) == 2


def test_unknown_framework_is_404(api, nspa):
    api.force_authenticate(nspa)
    assert api.get("/api/procurement/frameworks/999999/ocds/").status_code == 404


def _queries(api, framework) -> int:
    with CaptureQueriesContext(connection) as context:
        assert api.get(url(framework)).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["nspa", "director"])
def test_query_count_does_not_grow_with_call_offs_and_deliveries(api, setup, users_by_role, role):
    framework, nspa = setup["framework"], setup["nspa"]
    api.force_authenticate(users_by_role[role])  # the director is Polish
    small = _queries(api, framework)
    rounds, shells = framework.lines.order_by("pk")
    for i in range(4):
        call_off = place(
            framework,
            nspa,
            nation="POL",
            reference=f"CO-MORE-{i}",
            lines=[(rounds, 10, [(dt.date(2025, 1, 1), 10)]), (shells, 1, [])],
        )
        for lot in range(2):
            deliver(call_off.lines.get(framework_line=rounds), nspa, lot=f"M{lot}", quantity=5, accepted=5,
                    on=dt.date(2024, 7, 1))  # fmt: skip
    services.framework_line_add(
        actor=nspa, framework=framework, item=ItemFactory(), unit_price=Decimal("1.00"), max_quantity=10
    )
    services.framework_participant_add(
        actor=nspa, framework=framework, nation=Nation.objects.get(code="DEU"), joined_on=dt.date(2024, 9, 1)
    )
    large = _queries(api, framework)
    # Framework, suppliers, lines, participants, amendments; call-offs, their lines, schedules,
    # deliveries.
    assert small == large == 9
    assert len(calloff_releases(api.get(url(framework)).json())) == (6 if role == "nspa" else 5)


# --- Release ids and dates ---------------------------------------------------------------------

PAST = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def age_everything() -> None:
    """Date every row and audit row the feed reads at ``PAST``, so that a change made now is
    seen to move a release's date whatever the clock's resolution."""
    ObjectChange.objects.update(time=PAST)
    FrameworkContract.objects.update(created_at=PAST, updated_at=PAST)
    Amendment.objects.update(created_at=PAST)
    CallOff.objects.update(created_at=PAST)
    Delivery.objects.update(created_at=PAST)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def latest_audit(obj) -> dt.datetime:
    return ObjectChange.objects.filter(object_id=str(obj.pk)).order_by("-time")[0].time


def test_reading_twice_gives_the_same_package_and_every_reader_the_same_releases(api, setup, owner):
    api.force_authenticate(setup["nspa"])
    first = api.get(url(setup["framework"])).json()
    assert api.get(url(setup["framework"])).json() == first
    # The date of an on-demand package is that of the last change to its contents (OCDS).
    assert first["publishedDate"] == max(r["date"] for r in first["releases"])
    api.force_authenticate(owner)  # Poland's director, in French: the feed is in English for all
    seen = api.get(url(setup["framework"]), HTTP_ACCEPT_LANGUAGE="fr").json()
    assert framework_process(seen, setup["framework"]) == framework_process(first, setup["framework"])
    assert calloff_releases(seen) == [calloff_release(first, "CO-POL")]
    assert len({r["id"] for r in first["releases"]}) == len(first["releases"])


def test_adding_a_framework_line_gives_the_framework_release_a_new_id_and_date(api, setup):
    framework, nspa = setup["framework"], setup["nspa"]
    api.force_authenticate(nspa)
    age_everything()
    before = api.get(url(framework)).json()
    *history, current = framework_process(before, framework)
    assert current["date"] == stamp(PAST)
    line = services.framework_line_add(
        actor=nspa, framework=framework, item=ItemFactory(), unit_price=Decimal("9.99"), max_quantity=7
    )
    after = api.get(url(framework)).json()
    *history_after, current_after = framework_process(after, framework)
    assert current_after["id"] != current["id"]
    assert current_after["date"] == stamp(latest_audit(line)) > stamp(PAST)
    assert len(current_after["awards"][0]["items"]) == len(current["awards"][0]["items"]) + 1
    # Nothing else changed: the amendment releases and the call-offs' keep their ids and dates.
    assert history_after == history
    assert calloff_releases(after) == calloff_releases(before)


def test_correcting_a_delivery_gives_its_call_off_release_a_new_id_and_date(api, setup):
    framework, nspa = setup["framework"], setup["nspa"]
    api.force_authenticate(nspa)
    age_everything()
    before = api.get(url(framework)).json()
    delivery = Delivery.objects.filter(call_off_line__call_off=setup["polish"]).order_by("pk")[0]
    services.delivery_correct(actor=nspa, delivery=delivery, location="Warsaw depot")
    after = api.get(url(framework)).json()
    polish, polish_after = calloff_release(before, "CO-POL"), calloff_release(after, "CO-POL")
    assert polish_after["id"] != polish["id"]
    assert polish_after["date"] == stamp(latest_audit(delivery)) > polish["date"] == stamp(PAST)
    milestone = polish_after["contracts"][0]["implementation"]["milestones"][0]
    assert milestone["location"] == "Warsaw depot"
    assert calloff_release(after, "CO-FRA") == calloff_release(before, "CO-FRA")
    assert framework_process(after, framework) == framework_process(before, framework)


def test_an_imported_delivery_moves_its_call_off_release(api, setup):
    """Imported deliveries have no audit row each: their own created_at dates the release."""
    framework, nspa = setup["framework"], setup["nspa"]
    api.force_authenticate(nspa)
    age_everything()
    before = calloff_release(api.get(url(framework)).json(), "CO-POL")
    line = setup["polish"].lines.order_by("pk")[1]  # the shells: none delivered yet
    services.deliveries_import(
        actor=nspa,
        rows=[
            services.DeliveryInput(
                call_off_line_id=line.pk,
                delivered_on=dt.date(2024, 9, 1),
                quantity_delivered=1,
                quantity_accepted=1,
                quantity_rejected=0,
                rejection_reason="",
                lot_number="F-IMPORTED",
                location="",
            )
        ],
        file_name="deliveries.csv",
        sha256="0" * 64,
    )
    after = calloff_release(api.get(url(framework)).json(), "CO-POL")
    assert after["id"] != before["id"]
    assert after["date"] == stamp(Delivery.objects.get(lot_number="F-IMPORTED").created_at) > before["date"]


def test_renaming_an_item_changes_every_release_that_shows_it(api, setup):
    framework, nspa = setup["framework"], setup["nspa"]
    api.force_authenticate(nspa)
    age_everything()
    before = api.get(url(framework)).json()
    shells = framework.lines.order_by("pk")[1].item  # ordered by Poland only
    services.item_update(actor=nspa, item=shells, name="155mm shell, renamed")
    after = api.get(url(framework)).json()
    assert framework_process(after, framework)[-1]["id"] != framework_process(before, framework)[-1]["id"]
    assert framework_process(after, framework)[-1]["date"] == stamp(latest_audit(shells))
    assert calloff_release(after, "CO-POL")["id"] != calloff_release(before, "CO-POL")["id"]
    assert calloff_release(after, "CO-FRA") == calloff_release(before, "CO-FRA")


def test_a_new_amendment_adds_a_release_and_keeps_the_earlier_ones(api, setup):
    framework, nspa = setup["framework"], setup["nspa"]
    api.force_authenticate(nspa)
    before = framework_process(api.get(url(framework)).json(), framework)
    amend(
        framework,
        actor=nspa,
        date=dt.date(2025, 3, 1),
        rationale="period_extension",
        description="One more year.",
        period_end=dt.date(2028, 12, 31),
    )
    *history, current = framework_process(api.get(url(framework)).json(), framework)
    assert history[:-1] == before[:-1]  # what was published before keeps its ids
    first, second = current["contracts"][0]["amendments"]
    assert first["releaseID"] == second["amendsReleaseID"] == history[1]["id"]
    assert second["releaseID"] == history[2]["id"]
    assert history[2]["contracts"][0]["period"] == {"endDate": "2028-12-31T00:00:00Z"}
    assert history[2]["tender"]["techniques"]["frameworkAgreement"] == {
        "period": {"endDate": "2028-12-31T00:00:00Z"}
    }
    # Before the first amendment: the contract terms as they were, the ceiling before it was raised.
    assert history[0]["contracts"][0]["period"] == {
        "startDate": "2024-01-01T00:00:00Z",
        "endDate": "2027-12-31T00:00:00Z",
    }
    assert history[0]["contracts"][0]["status"] == "active"
    assert history[0]["contracts"][0]["maximumValue"] == {"amount": 1000000, "currency": "EUR"}
    assert current["contracts"][0]["period"]["endDate"] == "2028-12-31T00:00:00Z"

"""The DIP metrics and expenditure datasets API: scope per role, filters and their 400s, a national
return filed and submitted through the API, optimistic locking (409 naming the changed fields),
every response checked against the OpenAPI schema, and pinned query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pledges import services
from pledges.models import DipMetric, ExpenditureDataset, ExpenditureRecord
from pledges.tests.dip_data import synthetic_edition
from portal.models import ObjectChange
from portal.tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

METRICS = "/api/pledges/dip-metrics/"
DATASETS = "/api/pledges/expenditure-datasets/"
DATASET = "/api/pledges/expenditure-datasets/{id}/"
RECORDS = "/api/pledges/expenditure-datasets/{id}/records/"
RECORD = "/api/pledges/expenditure-datasets/{id}/records/{record_id}/"
SUBMIT = "/api/pledges/expenditure-datasets/{id}/submit/"
MAKE_REFERENCE = "/api/pledges/expenditure-datasets/{id}/make-reference/"


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def year_body(year: int, **overrides) -> dict:
    return {"year": year, **inputs(), **overrides}


def inputs(**overrides) -> dict:
    """One year's input values, without the year (as the services take them)."""
    return {
        "def_usd_constant_m": "30000.00",
        "gdp_usd_constant_m": "1000000.00",
        "def_usd_current_m": "31000.00",
        "gdp_usd_current_m": "1050000.00",
        "def_nc_current_m": "120000.00",
        "currency": "PLN",
        "equipment_pct": "35.50",
        "personnel_pct": "40.00",
        **overrides,
    }


@pytest.fixture
def edition(secretariat):
    return synthetic_edition(
        secretariat, edition_year=2026, codes=["POL", "FRA", "DEU"], years=range(2014, 2026)
    )


@pytest.fixture
def draft(owner):
    return services.return_create(actor=owner, edition_year=2026, price_base_year=2021)


# --- Metrics --------------------------------------------------------------------------------


def test_metrics_filter_by_nation_and_year(owner, edition):
    response = client_for(owner).get(METRICS, {"nation": "pol", "year": 2024})
    assert response.status_code == 200, response.content
    assert_matches_schema(response, METRICS)
    [item] = response.json()["results"]
    metric = DipMetric.objects.get(dataset=edition, subject="POL", year=2024)
    assert (item["dataset"], item["subject"], item["nation"], item["year"]) == (
        edition.pk,
        "POL",
        "POL",
        2024,
    )
    assert Decimal(item["pct_gdp"]) == metric.pct_gdp
    assert item["meets_2pct"] == metric.meets_2pct


def test_metrics_aggregates_by_subject_and_year_range(owner, edition):
    response = client_for(owner).get(METRICS, {"subject": "nato", "year_from": 2023, "year_to": 2024})
    assert response.status_code == 200, response.content
    assert_matches_schema(response, METRICS)
    rows = response.json()["results"]
    assert [(r["subject"], r["nation"], r["year"]) for r in rows] == [
        ("NATO", None, 2023),
        ("NATO", None, 2024),
    ]
    assert {r["nations_count"] for r in rows} == {3}


def test_metrics_flags(secretariat, edition):
    """Expected from ``synthetic_rows``: in year j of the edition a nation's share of GDP is
    1.2 + 0.15 j + i/10 and its equipment share 15 + (3i + j) mod 20, i its place in DEU, FRA, POL."""
    api = client_for(secretariat)

    def subjects(**params) -> set[str]:
        response = api.get(METRICS, params)
        assert response.status_code == 200
        return {r["subject"] for r in response.json()["results"]}

    # 2019 (j = 5): Germany 1.95%, France 2.05%, Poland 2.15%; together about 2.06%.
    meets = {"FRA", "POL", "NATO", "NATO_EU_CA"}
    assert subjects(meets_2pct="true", year=2019) == meets
    assert subjects(meets_2pct="false", year=2019) == {"DEU"}
    # 2018 (j = 4): Poland's 2.00% meets it; 1.80%, 1.90% and about 1.91% together do not.
    assert subjects(meets_2pct="true", year=2018) == {"POL"}
    # 2016 (j = 2): equipment 17%, 20% (meets it), 23%; weighted by defence expenditure about 20.3%.
    assert subjects(meets_20pct="true", year=2016) == meets
    assert subjects(meets_20pct="false", year=2016) == {"DEU"}


def test_metrics_never_mix_datasets(secretariat, edition):
    older = synthetic_edition(secretariat, edition_year=2025, codes=["POL"], years=range(2022, 2025), seed=7)
    api = client_for(secretariat)
    default = api.get(METRICS, {"nation": "POL", "year": 2024}).json()["results"]
    assert [r["dataset"] for r in default] == [edition.pk]  # the reference: the first edition imported
    picked = api.get(METRICS, {"nation": "POL", "year": 2024, "dataset": older.pk}).json()["results"]
    assert [r["dataset"] for r in picked] == [older.pk]
    assert picked[0]["pct_gdp"] != default[0]["pct_gdp"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "1800"}, "year"),
        ({"year_from": "2.5"}, "year_from"),
        ({"dataset": "x"}, "dataset"),
        ({"year_from": "2025", "year_to": "2020"}, "year_to"),
    ],
)
def test_bad_metric_filters_are_400_with_the_field(owner, edition, params, field):
    response = client_for(owner).get(METRICS, params)
    assert response.status_code == 400
    assert field in response.json()


def test_metric_scope_per_role(
    owner, other, secretariat, nspa, outsider, edition, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_save(actor=owner, dataset=draft, year=2025, values=inputs())
    assert DipMetric.objects.filter(dataset=draft).exists()  # the recompute ran on commit
    own = client_for(owner).get(METRICS, {"dataset": draft.pk}).json()
    assert [r["subject"] for r in own["results"]] == ["POL"]
    # A draft is its nation's alone: the secretariat and another director see nothing of it.
    for user in (secretariat, other):
        assert client_for(user).get(METRICS, {"dataset": draft.pk}).json()["count"] == 0
    # NSPA and a user without a role read no expenditure figures at all.
    for user in (nspa, outsider):
        assert client_for(user).get(METRICS).json()["count"] == 0


def test_metric_list_query_count_is_pinned(owner, secretariat, django_assert_num_queries):
    api = client_for(owner)
    synthetic_edition(secretariat, edition_year=2026, codes=["POL"], years=range(2024, 2026))
    # default dataset, count, page
    with django_assert_num_queries(3):
        small = api.get(METRICS)
    synthetic_edition(
        secretariat, edition_year=2026, codes=["POL", "FRA", "DEU", "ITA"], years=range(2014, 2026)
    )
    with django_assert_num_queries(3):
        large = api.get(METRICS)
    assert small.json()["count"] < large.json()["count"]


# --- Datasets -------------------------------------------------------------------------------


def test_dataset_scope_per_role(owner, other, secretariat, nspa, edition, draft):
    def ids(user):
        response = client_for(user).get(DATASETS)
        assert response.status_code == 200
        assert_matches_schema(response, DATASETS)
        return {d["id"] for d in response.json()["results"]}

    assert ids(owner) == {edition.pk, draft.pk}
    assert ids(other) == ids(secretariat) == {edition.pk}
    assert ids(nspa) == set()
    response = client_for(owner).get(DATASET.format(id=edition.pk))
    assert_matches_schema(response, DATASET)
    assert (response.json()["records_count"], response.json()["is_reference"]) == (36, True)
    assert client_for(other).get(DATASET.format(id=draft.pk)).status_code == 404
    assert client_for(secretariat).get(DATASET.format(id=draft.pk)).status_code == 404


def test_make_reference(secretariat, owner, edition):
    older = synthetic_edition(secretariat, edition_year=2025, codes=["POL"], years=range(2022, 2025))
    assert client_for(owner).post(MAKE_REFERENCE.format(id=older.pk)).status_code == 403
    response = client_for(secretariat).post(MAKE_REFERENCE.format(id=older.pk))
    assert response.status_code == 200, response.content
    assert_matches_schema(response, MAKE_REFERENCE, "post")
    assert response.json()["is_reference"] is True
    assert list(ExpenditureDataset.objects.filter(is_reference=True)) == [older]
    assert ObjectChange.objects.filter(action="dataset.made_reference", object_id=str(older.pk)).exists()


def test_make_reference_of_a_return_is_400(secretariat, owner, draft):
    services.record_save(actor=owner, dataset=draft, year=2025, values={"gdp_usd_constant_m": 10})
    services.return_submit(actor=owner, dataset=draft)
    response = client_for(secretariat).post(MAKE_REFERENCE.format(id=draft.pk))
    assert response.status_code == 400
    assert "dataset" in response.json()


def test_dataset_list_query_count_is_pinned(secretariat, django_assert_num_queries):
    api = client_for(secretariat)
    synthetic_edition(secretariat, edition_year=2024, codes=["POL"], years=range(2024, 2025))
    with django_assert_num_queries(2):
        assert api.get(DATASETS).json()["count"] == 1
    for edition_year in (2025, 2026):
        synthetic_edition(
            secretariat, edition_year=edition_year, codes=["POL", "FRA"], years=range(2020, 2025)
        )
    with django_assert_num_queries(2):
        assert api.get(DATASETS).json()["count"] == 3


# --- A national return through the API ------------------------------------------------------


def test_a_return_filed_and_submitted_through_the_api(
    owner, other, secretariat, django_capture_on_commit_callbacks
):
    director = client_for(owner)
    response = director.post(
        DATASETS, {"edition_year": 2026, "price_base_year": 2021, "nation": "FRA", "status": "submitted"}
    )
    assert response.status_code == 201, response.content
    assert_matches_schema(response, DATASETS, "post")
    body = response.json()
    # nation and status are not inputs: the director's own nation, a draft.
    assert (body["nation"], body["status"], body["source"], body["records_count"]) == (
        "POL",
        "draft",
        "national_return",
        0,
    )
    records = RECORDS.format(id=body["id"])

    # The recompute job is queued after each commit (eager in tests).
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(records, year_body(2025), format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/pledges/expenditure-datasets/{id}/records/", "post")
    first = response.json()
    assert (first["nation"], first["year"], first["version"]) == ("POL", 2025, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(records, year_body(2024, equipment_pct="18.00"), format="json")
    assert response.status_code == 201, response.content

    metric = DipMetric.objects.get(dataset_id=body["id"], subject="POL", year=2025)
    assert metric.pct_gdp == Decimal("3.0000")

    url = RECORD.format(id=body["id"], record_id=first["id"])
    with django_capture_on_commit_callbacks(execute=True):
        response = director.patch(url, {"def_usd_constant_m": "40000", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/expenditure-datasets/{id}/records/{record_id}/", "patch")
    assert (response.json()["def_usd_constant_m"], response.json()["version"]) == ("40000.00", 2)
    assert DipMetric.objects.get(dataset_id=body["id"], subject="POL", year=2025).pct_gdp == Decimal("4.0000")

    response = director.get(records)
    assert_matches_schema(response, "/api/pledges/expenditure-datasets/{id}/records/")
    assert [r["year"] for r in response.json()["results"]] == [2024, 2025]

    # Before submission: another director and the secretariat get the 404 of no such return.
    for user in (other, secretariat):
        assert client_for(user).get(DATASET.format(id=body["id"])).status_code == 404
    assert client_for(other).post(records, year_body(2023), format="json").status_code == 404

    response = director.post(SUBMIT.format(id=body["id"]), {"version": body["version"]}, format="json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/expenditure-datasets/{id}/submit/", "post")
    assert (response.json()["status"], response.json()["submitted_by"]) == ("submitted", "owner_pol")

    # Submitted: the secretariat reads it; nobody edits it any more.
    response = client_for(secretariat).get(records)
    assert [r["year"] for r in response.json()["results"]] == [2024, 2025]
    assert director.patch(url, {"def_usd_constant_m": "1", "version": 2}, format="json").status_code == 409
    assert ExpenditureRecord.objects.get(pk=first["id"]).def_usd_constant_m == Decimal("40000")
    audited = set(ObjectChange.objects.filter(actor_username="owner_pol").values_list("action", flat=True))
    assert {"create", "update", "return.submitted"} <= audited


def test_editing_a_submitted_return_is_409(owner, draft):
    record = services.record_save(actor=owner, dataset=draft, year=2025, values={"gdp_usd_constant_m": 10})
    services.return_submit(actor=owner, dataset=draft)
    api = client_for(owner)
    response = api.patch(RECORD.format(id=draft.pk, record_id=record.pk), {"version": 1}, format="json")
    assert response.status_code == 409
    assert_matches_schema(response, "/api/pledges/expenditure-datasets/{id}/records/{record_id}/", "patch")
    assert response.json()["status"] == "submitted"


def test_stale_version_is_409_naming_the_fields_and_who(owner, make_user, draft):
    delegate = make_user("director", "POL", username="pol_delegate")
    record = services.record_save(actor=owner, dataset=draft, year=2025, values={"gdp_usd_constant_m": 10})
    url = RECORD.format(id=draft.pk, record_id=record.pk)
    assert (
        client_for(delegate).patch(url, {"equipment_pct": "22", "version": 1}, format="json").status_code
        == 200
    )
    response = client_for(owner).patch(url, {"personnel_pct": "50", "version": 1}, format="json")
    assert response.status_code == 409
    assert_matches_schema(response, "/api/pledges/expenditure-datasets/{id}/records/{record_id}/", "patch")
    body = response.json()
    assert (body["changed_by"], body["current_version"]) == (["pol_delegate"], 2)
    assert "equipment_pct" in body["changed_fields"]
    assert "personnel_pct" not in body["changed_fields"]
    assert ExpenditureRecord.objects.get(pk=record.pk).personnel_pct is None
    # A stale delete is refused the same way; the current version deletes.
    assert client_for(owner).delete(f"{url}?version=1").status_code == 409
    assert client_for(owner).delete(f"{url}?version=2").status_code == 204
    assert not ExpenditureRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"def_usd_constant_m": "-1"}, "def_usd_constant_m"),
        ({"equipment_pct": "101"}, "equipment_pct"),
        ({"equipment_pct": "60", "personnel_pct": "50"}, "other_pct"),
        ({"year": 1800}, "year"),
        ({"gdp_usd_constant_m": "0"}, "gdp_usd_constant_m"),
        ({"currency": ""}, "currency"),
    ],
)
def test_bad_inputs_are_400_and_nothing_is_saved(owner, draft, overrides, field):
    body = {**year_body(2025), **overrides}
    response = client_for(owner).post(RECORDS.format(id=draft.pk), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ExpenditureRecord.objects.filter(dataset=draft).exists()


def test_duplicate_year_is_400(owner, draft):
    api = client_for(owner)
    assert api.post(RECORDS.format(id=draft.pk), year_body(2025), format="json").status_code == 201
    response = api.post(RECORDS.format(id=draft.pk), year_body(2025), format="json")
    assert response.status_code == 400
    assert "year" in response.json()
    assert ExpenditureRecord.objects.filter(dataset=draft).count() == 1


def test_second_return_for_a_year_is_400(owner, draft):
    response = client_for(owner).post(DATASETS, {"edition_year": 2026, "price_base_year": 2021})
    assert response.status_code == 400
    assert "edition_year" in response.json()


def test_writes_without_the_grant_are_403(nspa, secretariat, outsider, draft, edition):
    for user in (nspa, outsider):
        api = client_for(user)
        assert api.post(DATASETS, {"edition_year": 2027, "price_base_year": 2021}).status_code == 403
        assert api.post(RECORDS.format(id=draft.pk), year_body(2025), format="json").status_code == 403
        assert api.post(SUBMIT.format(id=draft.pk), {"version": 1}).status_code == 403
    # The secretariat may not file a return, nor add years to a NATO edition by hand.
    api = client_for(secretariat)
    assert api.post(DATASETS, {"edition_year": 2027, "price_base_year": 2021}).status_code == 403
    assert api.post(RECORDS.format(id=edition.pk), year_body(2025), format="json").status_code == 403
    assert not ExpenditureDataset.objects.filter(edition_year=2027).exists()


def test_submitting_an_empty_return_is_400(owner, draft):
    response = client_for(owner).post(SUBMIT.format(id=draft.pk), {"version": draft.version})
    assert response.status_code == 400
    assert "records" in response.json()


def test_record_of_another_dataset_is_404(owner, draft, edition):
    record = ExpenditureRecord.objects.filter(dataset=edition).first()
    url = RECORD.format(id=draft.pk, record_id=record.pk)
    assert client_for(owner).patch(url, {"version": 1}, format="json").status_code == 404

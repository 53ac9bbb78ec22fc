"""National expenditure returns in the browser: a director files, edits and submits their nation's
return; who sees what; field errors with the input kept; a stale edit's 409; audit rows; pinned
query counts of the dataset list and the return page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from pledges import services
from pledges.models import DipMetric, ExpenditureDataset, ExpenditureRecord
from pledges.tasks import recompute_dip_metrics
from pledges.tests.dip_data import synthetic_edition
from portal.choices import JobState
from portal.models import JobRun, ObjectChange

pytestmark = pytest.mark.django_db

LIST = reverse("pledges:dip-datasets")


def page(pk: int) -> str:
    return reverse("pledges:dip-dataset", kwargs={"pk": pk})


def year_post(prefix: str, year: int | str, version: int | None = None, **overrides) -> dict:
    values = {
        "year": year,
        "def_usd_constant_m": "30000",
        "gdp_usd_constant_m": "1000000",
        "def_usd_current_m": "31000",
        "gdp_usd_current_m": "1050000",
        "def_nc_current_m": "120000",
        "currency": "pln",
        "equipment_pct": "35.5",
        "personnel_pct": "40",
        **overrides,
    }
    if version is not None:
        values["version"] = version
    return {f"{prefix}-{name}": value for name, value in values.items()}


@pytest.fixture
def draft(owner):
    return services.return_create(actor=owner, edition_year=2026, price_base_year=2021)


def add_year(owner, dataset, year, **values):
    return services.record_save(
        actor=owner, dataset=dataset, year=year, values={"gdp_usd_constant_m": 1000, **values}
    )


def test_a_director_files_and_submits_a_return(
    client, owner, other, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Start Poland" in response.content.decode()

    response = client.post(
        reverse("pledges:dip-return-start"), {"start-edition_year": 2026, "start-price_base_year": 2021}
    )
    assert response.status_code == 302
    dataset = ExpenditureDataset.objects.get(nation__code="POL", edition_year=2026)
    assert (dataset.status, dataset.source, dataset.price_base_year) == ("draft", "national_return", 2021)
    assert response.url == page(dataset.pk)

    add = reverse("pledges:dip-record-add", kwargs={"pk": dataset.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(add, year_post("record-new", 2024)).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(add, year_post("record-new", 2025, equipment_pct="18")).status_code == 302
    record = ExpenditureRecord.objects.get(dataset=dataset, year=2025)
    assert (record.currency, record.nation.code) == ("PLN", "POL")

    edit = reverse("pledges:dip-record-edit", kwargs={"pk": dataset.pk, "record_pk": record.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit, year_post(f"record-{record.pk}", 2025, version=1, def_usd_constant_m="25000")
        )
    assert response.status_code == 302
    metric = DipMetric.objects.get(dataset=dataset, subject="POL", year=2025)
    record.refresh_from_db()
    assert metric.pct_gdp == (100 * record.def_usd_constant_m / record.gdp_usd_constant_m).quantize(
        Decimal("0.0001")
    )
    assert metric.pct_gdp == Decimal("2.5000")
    assert not metric.stale

    # The page shows the computed figures next to the inputs.
    body = client.get(page(dataset.pk)).content.decode()
    row = body.split('data-testid="record-2025"', 1)[1].split("</tr>", 1)[0]
    assert '"pct-gdp">2.50<' in row
    assert '"equipment">35.50<' in row
    assert "stale, recomputing" not in row

    # Before submission the secretariat sees nothing of it.
    client.force_login(secretariat)
    assert client.get(page(dataset.pk)).status_code == 404
    assert dataset.title not in client.get(LIST).content.decode()

    client.force_login(owner)
    submit = reverse("pledges:dip-return-submit", kwargs={"pk": dataset.pk})
    assert client.post(submit, {"version": dataset.version}).status_code == 302
    dataset.refresh_from_db()
    assert dataset.status == "submitted"
    body = client.get(page(dataset.pk)).content.decode()
    assert "Add a year" not in body
    assert "Submit the return" not in body

    client.force_login(secretariat)
    response = client.get(page(dataset.pk))
    assert response.status_code == 200
    assert "2.50" in response.content.decode()
    assert dataset.title in client.get(LIST).content.decode()
    client.force_login(other)
    assert client.get(page(dataset.pk)).status_code == 404

    audited = list(ObjectChange.objects.filter(actor_username="owner_pol").values_list("action", flat=True))
    assert audited.count("create") == 3  # the return and its two years
    assert "update" in audited
    assert "return.submitted" in audited


def test_stale_marks_show_until_the_recompute_has_run(client, owner, draft):
    add_year(owner, draft, 2025, def_usd_constant_m=20)
    with transaction.atomic():
        services.dip_recompute(dataset_id=draft.pk)
    add_year(owner, draft, 2024, def_usd_constant_m=20)  # marks the nation's figures stale
    client.force_login(owner)
    body = client.get(page(draft.pk)).content.decode()
    assert "stale, recomputing" in body
    assert "2.00" in body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"def_usd_constant_m": "-5"}, "def_usd_constant_m", "greater than or equal to 0"),
        ({"equipment_pct": "120"}, "equipment_pct", "less than or equal to 100"),
        ({"equipment_pct": "70", "personnel_pct": "40"}, "other_pct", "more than 100%"),
        ({"year_": "1800"}, "year", "greater than or equal to 1949"),
    ],
)
def test_bad_input_gives_field_errors_and_saves_nothing(client, owner, draft, overrides, field, message):
    client.force_login(owner)
    add = reverse("pledges:dip-record-add", kwargs={"pk": draft.pk})
    year = overrides.pop("year_", 2025)
    response = client.post(add, year_post("record-new", year, **overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_record-new-{field}_error"' in body  # what the input's aria-describedby names
    assert message in body
    assert 'value="31000"' in body  # the input is kept
    assert not ExpenditureRecord.objects.filter(dataset=draft).exists()


def test_duplicate_year_is_a_field_error(client, owner, draft):
    add_year(owner, draft, 2025)
    client.force_login(owner)
    response = client.post(
        reverse("pledges:dip-record-add", kwargs={"pk": draft.pk}), year_post("record-new", 2025)
    )
    assert response.status_code == 400
    assert "already has a row for 2025" in response.content.decode()
    assert ExpenditureRecord.objects.filter(dataset=draft).count() == 1


def test_a_second_return_for_the_year_is_a_field_error(client, owner, draft):
    client.force_login(owner)
    response = client.post(
        reverse("pledges:dip-return-start"), {"start-edition_year": 2026, "start-price_base_year": 2021}
    )
    assert response.status_code == 400
    assert "already has an expenditure return for 2026" in response.content.decode()


def test_stale_edit_is_409_naming_the_changed_fields(client, owner, make_user, draft):
    delegate = make_user("director", "POL", username="pol_delegate")
    record = add_year(owner, draft, 2025)
    services.record_save(
        actor=delegate,
        dataset=draft,
        year=2025,
        values={"equipment_pct": 22},
        record_id=record.pk,
        expected_version=1,
    )
    client.force_login(owner)
    edit = reverse("pledges:dip-record-edit", kwargs={"pk": draft.pk, "record_pk": record.pk})
    response = client.post(edit, year_post(f"record-{record.pk}", 2025, version=1, personnel_pct="50"))
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by someone else" in body
    assert "equipment_pct" in body
    assert "pol_delegate" in body
    assert 'value="50"' in body  # the editor's input is kept
    record.refresh_from_db()
    assert (record.personnel_pct, record.equipment_pct) == (None, Decimal("22.00"))
    # Saving again after reviewing overwrites deliberately.
    assert f'name="record-{record.pk}-version" value="2"' in body
    response = client.post(edit, year_post(f"record-{record.pk}", 2025, version=2, personnel_pct="50"))
    assert response.status_code == 302


def test_delete_a_year(client, owner, draft):
    record = add_year(owner, draft, 2025)
    client.force_login(owner)
    url = reverse("pledges:dip-record-delete", kwargs={"pk": draft.pk, "record_pk": record.pk})
    assert client.post(url, {"version": 1}).status_code == 302
    assert not ExpenditureRecord.objects.filter(pk=record.pk).exists()
    assert ObjectChange.objects.filter(action="delete", object_id=str(record.pk)).exists()


def test_deleting_a_year_marks_the_figures_stale_and_queues_the_recompute(owner, draft):
    dropped = add_year(owner, draft, 2024, def_usd_constant_m=20)
    add_year(owner, draft, 2025, def_usd_constant_m=21)
    with transaction.atomic():
        services.dip_recompute(dataset_id=draft.pk)
    # As if a worker had run the recompute the saves queued: a queued run would absorb a new one.
    JobRun.objects.filter(job_name=recompute_dip_metrics.name).update(state=JobState.SUCCEEDED)
    draft.refresh_from_db()
    changed_before = draft.inputs_changed_at

    services.record_delete(actor=owner, record=dropped, expected_version=dropped.version)

    # 2025's real change was computed from 2024, so the whole series is stale, not only 2024.
    metrics = DipMetric.objects.filter(dataset=draft)
    assert set(metrics.values_list("year", "stale")) == {(2024, True), (2025, True)}
    queued = JobRun.objects.get(job_name=recompute_dip_metrics.name, state=JobState.QUEUED)
    assert queued.args == {"dataset_id": draft.pk, "nation_id": owner.nation_id}
    draft.refresh_from_db()
    assert draft.inputs_changed_at > changed_before
    with transaction.atomic():
        services.dip_recompute(**queued.args)
    assert list(metrics.values_list("year", "stale", "real_change_pct")) == [(2025, False, None)]


def test_submitting_an_empty_return_says_why(client, owner, draft):
    client.force_login(owner)
    response = client.post(reverse("pledges:dip-return-submit", kwargs={"pk": draft.pk}), {"version": 1})
    assert response.status_code == 400
    assert "Add at least one year" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_other_nations_writes_are_404_and_other_roles_403(client, other, nspa, draft, owner):
    record = add_year(owner, draft, 2025)
    urls = [
        reverse("pledges:dip-record-add", kwargs={"pk": draft.pk}),
        reverse("pledges:dip-record-edit", kwargs={"pk": draft.pk, "record_pk": record.pk}),
        reverse("pledges:dip-record-delete", kwargs={"pk": draft.pk, "record_pk": record.pk}),
        reverse("pledges:dip-return-submit", kwargs={"pk": draft.pk}),
    ]
    client.force_login(other)
    assert [client.post(url, year_post("record-new", 2024)).status_code for url in urls] == [404] * 4
    client.force_login(nspa)
    assert [client.post(url).status_code for url in urls] == [403] * 4
    assert client.get(LIST).status_code == 403
    assert ExpenditureRecord.objects.filter(dataset=draft).count() == 1


def test_secretariat_makes_an_edition_the_reference(client, secretariat, owner):
    first = synthetic_edition(secretariat, edition_year=2025, codes=["POL"], years=range(2023, 2025))
    second = synthetic_edition(secretariat, edition_year=2026, codes=["POL"], years=range(2023, 2026))
    client.force_login(owner)
    assert "Make reference" not in client.get(LIST).content.decode()
    client.force_login(secretariat)
    body = client.get(LIST).content.decode()
    assert body.count("Make reference<") == 1  # the edition that is not yet the reference
    url = reverse("pledges:dip-dataset-make-reference", kwargs={"pk": second.pk})
    assert client.post(url).status_code == 302
    assert list(ExpenditureDataset.objects.filter(is_reference=True)) == [second]
    assert first.pk != second.pk


def test_dataset_list_query_count_is_pinned(client, secretariat, owner, django_assert_num_queries):
    client.force_login(owner)
    synthetic_edition(secretariat, edition_year=2024, codes=["POL"], years=range(2024, 2025))
    # session, user, the user's nation (the page names it), datasets
    with django_assert_num_queries(4):
        assert client.get(LIST).status_code == 200
    for edition_year in (2025, 2026):
        synthetic_edition(
            secretariat, edition_year=edition_year, codes=["POL", "FRA"], years=range(2020, 2025)
        )
    for edition_year in (2025, 2026):
        services.return_create(actor=owner, edition_year=edition_year, price_base_year=2021)
    with django_assert_num_queries(4):
        body = client.get(LIST).content.decode()
    assert body.count('data-testid="dataset-') == 5


def test_return_page_query_count_is_pinned(client, owner, draft, django_assert_num_queries):
    client.force_login(owner)
    add_year(owner, draft, 2025, def_usd_constant_m=20)
    with transaction.atomic():
        services.dip_recompute(dataset_id=draft.pk)
    # session, user, the user's nation (page header), dataset, records, metrics
    with django_assert_num_queries(6):
        assert client.get(page(draft.pk)).status_code == 200
    for year in range(2014, 2025):
        add_year(owner, draft, year, def_usd_constant_m=20)
    with transaction.atomic():
        services.dip_recompute(dataset_id=draft.pk)
    with django_assert_num_queries(6):
        body = client.get(page(draft.pk)).content.decode()
    assert body.count('data-testid="record-') == 12


def test_a_garbled_version_is_400_and_changes_nothing(client, owner, draft):
    record = add_year(owner, draft, 2025)
    client.force_login(owner)
    submit = reverse("pledges:dip-return-submit", kwargs={"pk": draft.pk})
    delete = reverse("pledges:dip-record-delete", kwargs={"pk": draft.pk, "record_pk": record.pk})
    assert client.post(submit, {"version": "x"}).status_code == 400
    assert client.post(delete, {"version": "-1"}).status_code == 400
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert ExpenditureRecord.objects.filter(pk=record.pk).exists()

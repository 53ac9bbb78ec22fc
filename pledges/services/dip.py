"""Writes to expenditure data, and the DIP metrics recompute.

Every change to a dataset's inputs goes through ``_inputs_changed`` in the same transaction: it
moves the dataset's input watermark, marks the affected metrics stale and queues a recompute in the
job outbox (published after commit; if Redis is down the row waits for the sweeper). The recompute
is an idempotent upsert on (dataset, subject, year), run under a lock on the dataset row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from pledges import dip
from pledges.choices import Aggregate, AuditEvent, DatasetSource, DatasetStatus
from pledges.models import (
    EDITION_FIELDS,
    INPUT_FIELDS,
    DipMetric,
    ExpenditureDataset,
    ExpenditureRecord,
    PublishedAggregate,
)
from pledges.rules import FILE_RETURN, MANAGE_EDITIONS
from portal import jobs
from portal.audit import record_change, release_draft, snapshot
from portal.choices import AuditAction
from portal.concurrency import check_version
from portal.exceptions import Conflict, Forbidden, NotFound
from portal.permissions import CHANGE, VIEW, allows, ensure_added, ensure_allowed, may, restrict

METRIC_FIELDS = (
    "nation_id",
    "is_estimate",
    "nations_count",
    "pct_gdp",
    "equipment_pct",
    "computed_pct_gdp",
    "published_pct_gdp",
    "computed_equipment_pct",
    "published_equipment_pct",
    "reconcile",
    "real_change_pct",
    "meets_2pct",
    "meets_20pct",
    "hague_core_pct",
    "hague_gap_pct",
    "hague_related_pct",
    "path_base_year",
    "path_pct",
    "on_track",
)

# The recompute task's name (``pledges.tasks`` registers it under this name and imports this module).
RECOMPUTE_JOB = "pledges.tasks.recompute_dip_metrics"


def _locked_dataset(dataset_id: int) -> ExpenditureDataset:
    return (
        ExpenditureDataset.objects.select_for_update(of=("self",)).select_related("nation").get(pk=dataset_id)
    )


def _inputs_changed(dataset: ExpenditureDataset, *, nation_ids: Iterable[int] | None) -> None:
    """Record that inputs changed: watermark, stale metrics, and a recompute in the outbox.

    ``dataset`` must be locked by the caller. ``nation_ids`` None means the whole dataset.
    """
    dataset.inputs_changed_at = timezone.now()
    ExpenditureDataset.objects.filter(pk=dataset.pk).update(inputs_changed_at=dataset.inputs_changed_at)
    stale = DipMetric.objects.filter(dataset=dataset, stale=False)
    nation_ids = None if nation_ids is None else sorted(set(nation_ids))
    if nation_ids is not None:
        stale = stale.filter(Q(nation_id__in=nation_ids) | Q(subject__in=Aggregate.values))
    stale.update(stale=True)
    if nation_ids is not None and len(nation_ids) == 1:
        jobs.enqueue_once(RECOMPUTE_JOB, dataset_id=dataset.pk, nation_id=nation_ids[0])
    else:
        jobs.enqueue_once(RECOMPUTE_JOB, dataset_id=dataset.pk)


# --- NATO editions ----------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    dataset: ExpenditureDataset
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    # NATO's published aggregates created, updated or deleted.
    aggregates_changed: int = 0
    changed_nations: set[int] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.aggregates_changed)


def _require_secretariat(actor, doing: str) -> None:
    if not may(actor, ExpenditureDataset, MANAGE_EDITIONS):
        raise Forbidden(f"Only the CNAD secretariat may {doing}.")


def _input_values(record: ExpenditureRecord) -> dict:
    return {name: getattr(record, name) for name in EDITION_FIELDS}


def _same(a: Mapping, b: Mapping, names: Iterable[str] = EDITION_FIELDS) -> bool:
    """Compare values as stored (Decimal('12.00') equals Decimal('12'))."""
    return all(a.get(name) == b.get(name) for name in names)


AGGREGATE_FIELDS = ("pct_gdp", "equipment_pct")


def _aggregate_values(published: PublishedAggregate) -> dict:
    return {name: getattr(published, name) for name in AGGREGATE_FIELDS}


def _published_aggregates_import(
    actor, dataset: ExpenditureDataset, aggregates: Sequence[Mapping], outcome: ImportOutcome
) -> None:
    """Make the edition hold exactly NATO's published ``aggregates`` (``subject``, ``year`` and
    ``AGGREGATE_FIELDS``): only rows that differ are written, each audited."""
    existing = {(a.subject, a.year): a for a in PublishedAggregate.objects.filter(dataset=dataset)}
    seen: set[tuple[str, int]] = set()
    for row in aggregates:
        key = (row["subject"], row["year"])
        seen.add(key)
        values = {name: row.get(name) for name in AGGREGATE_FIELDS}
        published = existing.get(key)
        if published is not None and _same(_aggregate_values(published), values, AGGREGATE_FIELDS):
            continue
        before = None if published is None else snapshot(published)
        if published is None:
            published = PublishedAggregate(dataset=dataset, subject=key[0], year=key[1])
        for name, value in values.items():
            setattr(published, name, value)
        published.full_clean(validate_unique=False, validate_constraints=False)
        published.save()
        record_change(
            actor=actor,
            obj=published,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            before=before,
            after=snapshot(published),
        )
        outcome.aggregates_changed += 1
    for key, published in existing.items():
        if key not in seen:
            record_change(actor=actor, obj=published, action=AuditAction.DELETE, before=snapshot(published))
            published.delete()
            outcome.aggregates_changed += 1


@transaction.atomic
def nato_edition_import(
    *,
    actor,
    edition_year: int,
    price_base_year: int,
    rows: Sequence[Mapping],
    aggregates: Sequence[Mapping] = (),
    title: str = "",
    published_on=None,
    notes: str = "",
) -> ImportOutcome:
    """Make the NATO edition ``edition_year`` hold exactly ``rows`` (validated: nation, year and
    the EDITION_FIELDS) and NATO's published ``aggregates`` (``pledges.expenditure_import.Edition``).
    Only rows that differ are written, each audited; a re-run of the same file writes nothing.
    Another edition is never touched."""
    _require_secretariat(actor, "import NATO expenditure tables")
    dataset = (
        ExpenditureDataset.objects.select_for_update()
        .filter(source=DatasetSource.NATO_EDITION, edition_year=edition_year)
        .first()
    )
    if dataset is None:
        dataset = ExpenditureDataset(
            source=DatasetSource.NATO_EDITION,
            edition_year=edition_year,
            price_base_year=price_base_year,
            title=title or f"NATO defence expenditure, {edition_year} edition",
            published_on=published_on,
            notes=notes,
            status=DatasetStatus.PUBLISHED,
            # The first edition imported opens the dashboard until the secretariat picks another.
            is_reference=not ExpenditureDataset.objects.filter(is_reference=True).exists(),
        )
        dataset.full_clean()
        dataset.save()
        record_change(actor=actor, obj=dataset, action=AuditAction.CREATE, after=snapshot(dataset))
    elif dataset.price_base_year != price_base_year:
        raise ValidationError(
            {
                "price_base_year": (
                    f"The {edition_year} edition is held at {dataset.price_base_year} prices; a file at "
                    f"{price_base_year} prices would mix price bases in one dataset. Import it as its own "
                    "edition or correct --price-base."
                )
            }
        )
    outcome = ImportOutcome(dataset=dataset)
    existing = {(r.nation_id, r.year): r for r in ExpenditureRecord.objects.filter(dataset=dataset)}
    seen: set[tuple[int, int]] = set()
    to_create: list[ExpenditureRecord] = []
    for row in rows:
        key = (row["nation"].pk, row["year"])
        seen.add(key)
        values = {name: row.get(name) for name in EDITION_FIELDS}
        values["currency"] = values["currency"] or ""
        values["is_estimate"] = bool(values["is_estimate"])
        record = existing.get(key)
        if record is None:
            record = ExpenditureRecord(
                dataset=dataset, nation=row["nation"], year=row["year"], updated_by=actor
            )
            for name, value in values.items():
                setattr(record, name, value)
            record.full_clean(validate_unique=False, validate_constraints=False)
            to_create.append(record)
            outcome.changed_nations.add(key[0])
            continue
        if _same(_input_values(record), values):
            outcome.unchanged += 1
            continue
        before = snapshot(record)
        for name, value in values.items():
            setattr(record, name, value)
        record.version += 1
        record.updated_by = actor
        record.full_clean(validate_unique=False, validate_constraints=False)
        record.save()
        record_change(
            actor=actor, obj=record, action=AuditAction.UPDATE, before=before, after=snapshot(record)
        )
        outcome.updated += 1
        outcome.changed_nations.add(key[0])
    for record in ExpenditureRecord.objects.bulk_create(to_create):
        record_change(actor=actor, obj=record, action=AuditAction.CREATE, after=snapshot(record))
    outcome.created = len(to_create)
    for key, record in existing.items():
        if key not in seen:
            record_change(actor=actor, obj=record, action=AuditAction.DELETE, before=snapshot(record))
            record.delete()
            outcome.deleted += 1
            outcome.changed_nations.add(key[0])
    _published_aggregates_import(actor, dataset, aggregates, outcome)
    if outcome.changed:
        aggregates_note = (
            f"; {outcome.aggregates_changed} published aggregates written"
            if outcome.aggregates_changed
            else ""
        )
        record_change(
            actor=actor,
            obj=dataset,
            action=AuditEvent.DATASET_IMPORTED,
            message=(
                f"{outcome.created} created, {outcome.updated} updated, {outcome.deleted} deleted, "
                f"{outcome.unchanged} unchanged{aggregates_note}"
            ),
        )
        # Only the nations whose rows changed (and the aggregates) go stale until the recompute.
        _inputs_changed(dataset, nation_ids=outcome.changed_nations)
    return outcome


@transaction.atomic
def dataset_set_reference(*, actor, dataset: ExpenditureDataset) -> ExpenditureDataset:
    """Make ``dataset`` (a NATO edition) the one the dashboard opens on."""
    _require_secretariat(actor, "choose the reference dataset")
    dataset = _locked_dataset(dataset.pk)
    if dataset.source != DatasetSource.NATO_EDITION:
        raise ValidationError({"dataset": "Only a NATO edition can be the reference dataset."})
    if dataset.is_reference:
        return dataset
    for previous in ExpenditureDataset.objects.select_for_update().filter(is_reference=True):
        before = snapshot(previous)
        previous.is_reference = False
        previous.version += 1
        previous.save(update_fields=["is_reference", "version", "updated_at"])
        record_change(
            actor=actor, obj=previous, action=AuditAction.UPDATE, before=before, after=snapshot(previous)
        )
    before = snapshot(dataset)
    dataset.is_reference = True
    dataset.version += 1
    dataset.save(update_fields=["is_reference", "version", "updated_at"])
    record_change(
        actor=actor,
        obj=dataset,
        action=AuditEvent.DATASET_MADE_REFERENCE,
        before=before,
        after=snapshot(dataset),
    )
    return dataset


# --- National returns -------------------------------------------------------------------------


@transaction.atomic
def return_create(
    *, actor, edition_year: int, price_base_year: int, currency_basis: str = "USD", notes: str = ""
) -> ExpenditureDataset:
    """A director opens their nation's expenditure return for a year, as a draft."""
    refused = "A national armaments director files their own nation's expenditure return."
    if not may(actor, ExpenditureDataset, FILE_RETURN) or not actor.nation_id:
        raise Forbidden(refused)
    dataset = ExpenditureDataset(
        source=DatasetSource.NATIONAL_RETURN,
        nation_id=actor.nation_id,
        edition_year=edition_year,
        price_base_year=price_base_year,
        currency_basis=currency_basis,
        notes=notes,
        status=DatasetStatus.DRAFT,
        title=f"{actor.nation.name} national return {edition_year}",
    )
    dataset.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            dataset.save()
    except IntegrityError:
        raise ValidationError(
            {"edition_year": f"{actor.nation.name} already has an expenditure return for {edition_year}."}
        ) from None
    ensure_added(actor, dataset, refused, FILE_RETURN)
    record_change(actor=actor, obj=dataset, action=AuditAction.CREATE, after=snapshot(dataset))
    return dataset


def _editable_return(actor, dataset: ExpenditureDataset) -> ExpenditureDataset:
    """The locked return, once the actor is its nation's director and it is still a draft.

    Invisible: 404. NATO edition, or not the nation's director: 403. Submitted: 409.
    """
    if not restrict(ExpenditureDataset.objects.filter(pk=dataset.pk), actor, VIEW).exists():
        raise NotFound("No such expenditure dataset.")
    dataset = _locked_dataset(dataset.pk)
    if not dataset.is_national_return:
        raise Forbidden("NATO editions change only by importing a new file.")
    ensure_allowed(actor, CHANGE, dataset)
    # A return is its nation's word: not even a superuser, who holds every grant, edits it.
    if not allows(actor, FILE_RETURN, dataset) or actor.nation_id != dataset.nation_id:
        raise Forbidden("Only the nation's armaments director edits its expenditure return.")
    if not dataset.is_editable:
        raise Conflict(
            f"This return is {dataset.get_status_display().lower()}; it can no longer be edited.",
            detail={"status": dataset.status},
        )
    return dataset


@transaction.atomic
def record_save(
    *,
    actor,
    dataset: ExpenditureDataset,
    year: int,
    values: Mapping,
    record_id: int | None = None,
    expected_version: int | None = None,
) -> ExpenditureRecord:
    """Add or edit one year of a draft national return (the return's nation, always)."""
    dataset = _editable_return(actor, dataset)
    unknown = set(values) - set(INPUT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    if record_id is None:
        record = ExpenditureRecord(dataset=dataset, nation_id=dataset.nation_id, year=year)
        before = None
    else:
        record = ExpenditureRecord.objects.select_for_update().filter(pk=record_id, dataset=dataset).first()
        if record is None:
            raise NotFound("No such year in this return.")
        check_version(record, expected_version)
        before = snapshot(record)
        record.year = year
        record.version += 1
    for name, value in values.items():
        setattr(record, name, "" if name == "currency" and value is None else value)
    record.updated_by = actor
    record.full_clean(validate_constraints=False, validate_unique=False)
    # The unique constraint, not a pre-check, decides whether the year is taken.
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError({"year": f"This return already has a row for {year}."}) from None
    record_change(
        actor=actor,
        obj=record,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        before=before,
        after=snapshot(record),
    )
    _inputs_changed(dataset, nation_ids=[dataset.nation_id])
    return record


@transaction.atomic
def record_delete(*, actor, record: ExpenditureRecord, expected_version: int | None = None) -> None:
    dataset = _editable_return(actor, record.dataset)
    record = ExpenditureRecord.objects.select_for_update().filter(pk=record.pk, dataset=dataset).first()
    if record is None:
        raise NotFound("No such year in this return.")
    check_version(record, expected_version)
    record_change(actor=actor, obj=record, action=AuditAction.DELETE, before=snapshot(record))
    record.delete()
    _inputs_changed(dataset, nation_ids=[dataset.nation_id])


@transaction.atomic
def return_submit(
    *, actor, dataset: ExpenditureDataset, expected_version: int | None = None
) -> ExpenditureDataset:
    """Send a draft return to the secretariat; from then on it is read-only and they can see it."""
    dataset = _editable_return(actor, dataset)
    check_version(dataset, expected_version)
    if not ExpenditureRecord.objects.filter(dataset=dataset).exists():
        raise ValidationError({"records": "Add at least one year before submitting the return."})
    before = snapshot(dataset)
    dataset.status = DatasetStatus.SUBMITTED
    dataset.submitted_at = timezone.now()
    dataset.submitted_by = actor
    dataset.version += 1
    dataset.save()
    release_draft(dataset)
    record_change(
        actor=actor, obj=dataset, action=AuditEvent.RETURN_SUBMITTED, before=before, after=snapshot(dataset)
    )
    return dataset


# --- The recompute ---------------------------------------------------------------------------

_INPUT_COLUMNS = (
    "nation_id",
    "nation__code",
    "nation__accession_year",
    "year",
    "is_estimate",
    "def_usd_constant_m",
    "gdp_usd_constant_m",
    "equipment_pct",
    "core_defence_usd_constant_m",
    "security_related_usd_constant_m",
    "published_pct_gdp",
)


def _year_inputs(rows: Iterable[tuple], *, published: bool) -> list[dip.YearInputs]:
    """The metrics' inputs; with ``published`` (a NATO edition), NATO's published ratios too: its
    % of GDP, and its equipment share, which is the equipment input itself."""
    return [
        dip.YearInputs(
            subject=code,
            year=year,
            is_estimate=estimate,
            def_constant=def_c,
            gdp_constant=gdp_c,
            equipment_pct=eq,
            core_constant=core,
            related_constant=related,
            nation_id=nation_id,
            accession_year=accession,
            published_pct_gdp=pct if published else None,
            published_equipment_pct=eq if published else None,
        )
        for nation_id, code, accession, year, estimate, def_c, gdp_c, eq, core, related, pct in rows
    ]


def dip_recompute(*, dataset_id: int, nation_id: int | None = None, year: int | None = None) -> dict:
    """Recompute and upsert a dataset's DIP metrics; returns counts for the JobRun.

    With ``nation_id``, only that nation's series and the aggregates are written. A nation-year's
    figures depend on the nation's other years (real change, the 2035 path's base year), so the
    whole series is recomputed; ``year`` is accepted for callers that know which year changed and
    recorded in the result, but cannot narrow the work further without giving wrong paths.
    Must run inside a transaction (the task and the command both provide one).
    """
    dataset = ExpenditureDataset.objects.select_for_update().filter(pk=dataset_id).first()
    if dataset is None:
        return {"dataset": dataset_id, "missing": True, "written": 0, "deleted": 0}
    records = ExpenditureRecord.objects.filter(dataset=dataset)
    with_aggregates = dataset.source == DatasetSource.NATO_EDITION
    if nation_id is not None and not with_aggregates:
        records = records.filter(nation_id=nation_id)
    # Only a NATO edition publishes figures; a national return is computed, whatever it holds.
    inputs = _year_inputs(records.order_by().values_list(*_INPUT_COLUMNS), published=with_aggregates)
    published = {}
    if with_aggregates:
        published = {
            (subject, year): (pct, equipment)
            for subject, year, pct, equipment in PublishedAggregate.objects.filter(dataset=dataset)
            .order_by()
            .values_list("subject", "year", "pct_gdp", "equipment_pct")
        }
    computed = dip.dataset_metrics(inputs, with_aggregates=with_aggregates, published_aggregates=published)
    if nation_id is not None:
        subjects = set(Aggregate.values) | {i.subject for i in inputs if i.nation_id == nation_id}
        computed = [m for m in computed if m.subject in subjects]
    now = timezone.now()
    rows = [
        DipMetric(
            dataset_id=dataset.pk,
            subject=m.subject,
            year=m.year,
            stale=False,
            computed_at=now,
            input_watermark=dataset.inputs_changed_at,
            **{name: getattr(m, name) for name in METRIC_FIELDS},
        )
        for m in computed
    ]
    DipMetric.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["dataset", "subject", "year"],
        update_fields=[*METRIC_FIELDS, "stale", "computed_at", "input_watermark"],
    )
    # Figures whose inputs are gone (a year dropped from a corrected file) must not linger.
    gone = DipMetric.objects.filter(dataset=dataset).exclude(computed_at=now)
    if nation_id is not None:
        gone = gone.filter(Q(nation_id=nation_id) | Q(subject__in=Aggregate.values))
    deleted, _ = gone.delete()
    return {
        "dataset": dataset.pk,
        "nation": nation_id,
        "year": year,
        "written": len(rows),
        "deleted": deleted,
    }

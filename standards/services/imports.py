"""The writes of the catalogue and national-response imports: all rows in one transaction, or none.

The importers (``standards.importers``) read and check the file; these take its rows, save each
through the ordinary services (so every rule and every per-row audit row is the same as for a form
or an API call), and add one audit event for the import itself. A row a service refuses does not
stop the others being tried, so the file's every problem is reported at once; then nothing is kept
(``RowsRejected``, keyed by the row's index in what was given).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import record_change
from portal.exceptions import Forbidden
from portal.models import Nation
from portal.permissions import ADD
from portal.services import ensure_may
from standards.choices import AuditEvent, StandardStatus
from standards.models import NationalResponse, Standard
from standards.services.catalogue import announce_promulgation, standard_create, standard_update
from standards.services.responses import ResponseInput, RowsRejected, responses_save

# (doc_type, number, edition): how an import names an edition.
EditionKey = tuple[str, str, str]
IDENTITY = ("doc_type", "number", "edition")
# Enough for SQLite's parameter limit in one IN list.
CHUNK = 500


@dataclass(frozen=True)
class CatalogueEntry:
    """One edition of a catalogue file. ``fields`` are the model fields the file gives (the domain
    as a ``Domain``), without ``supersedes``; ``supersedes`` names the edition it supersedes, and
    ``supersedes_given`` says whether the file says anything about it (a blank cell: none)."""

    key: EditionKey
    fields: dict
    supersedes: EditionKey | None = None
    supersedes_given: bool = False


@dataclass
class ImportCounts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    nations: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def _counted(counts: ImportCounts) -> str:
    # The trail's own words, in English like every audit message: not the reader's language.
    return f"{counts.created} new, {counts.updated} changed, {counts.unchanged} unchanged."


def _chunks(values: Sequence, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def editions_by_key(editions, numbers) -> dict[EditionKey, Standard]:
    """The ``editions`` (a queryset) of these document numbers, by (type, number, edition), in a
    query per few hundred numbers."""
    found: dict[EditionKey, Standard] = {}
    for chunk in _chunks(sorted(numbers)):
        for standard in editions.filter(number__in=chunk).order_by("pk"):
            found[(standard.doc_type, standard.number, standard.edition)] = standard
    return found


def _order(entries: Sequence[CatalogueEntry]) -> list[int]:
    """Indexes of ``entries`` with each edition before the one in the file that supersedes it (an
    edition is superseded by one other at most, so the links form chains), else in file order."""
    position = {entry.key: index for index, entry in enumerate(entries)}
    order: list[int] = []
    placed: set[int] = set()

    def place(index: int, seen: frozenset[int]) -> None:
        if index in placed or index in seen:
            return  # a cycle is the services' to refuse; its rows keep file order
        target = entries[index].supersedes
        if target in position:
            place(position[target], seen | {index})
        placed.add(index)
        order.append(index)

    for index in range(len(entries)):
        place(index, frozenset())
    return order


@transaction.atomic
def catalogue_import(*, actor, entries: Sequence[CatalogueEntry], file_name: str) -> ImportCounts:
    """Create or update every edition of a catalogue file, by (type, number, edition).

    An edition that the file marks superseded, and that another of its rows newly supersedes, is
    saved as promulgated first (only a promulgated edition may be superseded); its successor then
    supersedes it, as the catalogue's own rule does, or the file's status is applied once every row
    is in."""
    ensure_may(actor, Standard, ADD)
    existing = editions_by_key(
        Standard.objects.all(), {key[1] for entry in entries for key in (entry.key, entry.supersedes) if key}
    )
    counts = ImportCounts(rows=len(entries))
    successor_of = {
        entry.supersedes: entry.key
        for entry in entries
        if entry.supersedes_given
        and entry.supersedes is not None
        # A link the catalogue has already needs no replaying.
        and not (
            entry.key in existing
            and entry.supersedes in existing
            and existing[entry.key].supersedes_id == existing[entry.supersedes].pk
        )
    }
    deferred: list[tuple[int, EditionKey]] = []
    saved: dict[EditionKey, Standard] = {}
    failed: set[EditionKey] = set()
    errors: dict[int, dict[str, list[str]]] = {}
    for index in _order(entries):
        entry = entries[index]
        fields = dict(entry.fields)
        current = existing.get(entry.key)
        if (
            entry.key in successor_of
            and fields.get("status") == StandardStatus.SUPERSEDED
            and (current is None or current.status == StandardStatus.PROMULGATED)
        ):
            fields["status"] = StandardStatus.PROMULGATED
            deferred.append((index, entry.key))
        if entry.supersedes_given:
            target = entry.supersedes
            if target in failed:
                errors[index] = {
                    "supersedes": [
                        _("%(edition)s, which this edition supersedes, could not be saved; see its row.")
                        % {"edition": str(Standard(doc_type=target[0], number=target[1], edition=target[2]))}
                    ]
                }
                failed.add(entry.key)
                continue
            fields["supersedes"] = None if target is None else saved.get(target) or existing.get(target)
        try:
            with transaction.atomic():
                if current is None:
                    standard = standard_create(
                        actor=actor, message=f"Imported from {file_name}", announce=False, **fields
                    )
                    counts.created += 1
                else:
                    changes = {name: value for name, value in fields.items() if name not in IDENTITY}
                    standard = standard_update(actor=actor, standard=current, announce=False, **changes)
                    if standard.version != current.version:
                        counts.updated += 1
                    else:
                        counts.unchanged += 1
        except ValidationError as error:
            errors[index] = error.message_dict
            failed.add(entry.key)
            continue
        saved[entry.key] = standard
    for index, key in deferred:
        if key not in saved:
            continue
        # Its successor superseded it if that one is promulgated; else the file's status is set now.
        standard = Standard.objects.get(pk=saved[key].pk)
        if standard.status == StandardStatus.SUPERSEDED:
            continue
        try:
            with transaction.atomic():
                standard_update(
                    actor=actor, standard=standard, status=StandardStatus.SUPERSEDED, announce=False
                )
        except ValidationError as error:
            errors[index] = error.message_dict
    if errors:
        raise RowsRejected(errors)
    if counts.created or counts.updated:
        # A file that changes nothing leaves no trace, as an empty edit does not.
        record_change(
            actor=actor,
            obj=actor,
            action=AuditEvent.CATALOGUE_IMPORTED,
            after={"file": file_name, **counts.summary()},
            message=f"Catalogue imported from {file_name}: {_counted(counts)}",
        )
    _announce_new(actor, existing, saved)
    return counts


def _announce_new(actor, before: dict[EditionKey, Standard], saved: dict[EditionKey, Standard]) -> None:
    """Tell of each edition the import brought into force, once the whole file is in: not of one
    it promulgated only so that a later row could supersede it."""
    brought = [
        standard.pk
        for key, standard in saved.items()
        if key not in before or before[key].status != StandardStatus.PROMULGATED
    ]
    for chunk in _chunks(brought):
        for standard in Standard.objects.filter(pk__in=chunk, status=StandardStatus.PROMULGATED).order_by(
            "pk"
        ):
            announce_promulgation(actor, standard)


@transaction.atomic
def responses_import(*, actor, rows: Sequence[tuple[Nation, ResponseInput]], file_name: str) -> ImportCounts:
    """Record every (nation, response) of a file: each nation's rows through ``responses_save``
    (audited as on the nation's behalf where the actor is not its own), then one audit event per
    nation. ``ResponseInput.expected_version`` is None: the file overwrites, and the per-row audit
    rows say what it changed."""
    ensure_may(actor, NationalResponse, ADD)
    by_nation: dict[int, list[int]] = {}
    nations: dict[int, Nation] = {}
    for index, (nation, _row) in enumerate(rows):
        by_nation.setdefault(nation.pk, []).append(index)
        nations[nation.pk] = nation
    counts = ImportCounts(rows=len(rows))
    errors: dict[int, dict[str, list[str]]] = {}
    done: list[tuple[Nation, ImportCounts]] = []
    for nation_id in sorted(by_nation):
        nation, indexes = nations[nation_id], by_nation[nation_id]
        inputs = [rows[index][1] for index in indexes]
        before = dict(
            NationalResponse.objects.filter(
                nation=nation, standard__in=[row.standard.pk for row in inputs]
            ).values_list("standard_id", "version")
        )
        try:
            with transaction.atomic():
                saved = responses_save(actor=actor, nation=nation, rows=inputs)
        except RowsRejected as error:
            errors.update({indexes[local]: messages for local, messages in error.errors.items()})
            continue
        except Forbidden as error:
            errors.update({index: {"nation": [error.message]} for index in indexes})
            continue
        mine = ImportCounts(rows=len(indexes))
        for response in saved:
            version = before.get(response.standard_id)
            if version is None:
                mine.created += 1
            elif version != response.version:
                mine.updated += 1
            else:
                mine.unchanged += 1
        done.append((nation, mine))
    if errors:
        raise RowsRejected(errors)
    for nation, mine in done:
        counts.created += mine.created
        counts.updated += mine.updated
        counts.unchanged += mine.unchanged
        counts.nations.append(nation.code)
        if not (mine.created or mine.updated):
            continue
        record_change(
            actor=actor,
            obj=nation,
            action=AuditEvent.RESPONSES_IMPORTED,
            after={"file": file_name, **mine.summary()},
            message=f"Responses of {nation} imported from {file_name}: {_counted(mine)}",
        )
    return counts

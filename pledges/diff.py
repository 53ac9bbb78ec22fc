"""Side-by-side differences between two plan versions, per section and per structured entry.

Between versions of one plan, entries pair on their ``key`` (kept when a version is copied). Year on
year (two cycles' plans, whose entries were created separately) they pair on a natural key: item and
site for capacity lines, description for investments, title for measures.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

from pledges.choices import Commitment
from pledges.models import ENTRY_KINDS, PlanVersion

EntryStatus = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True)
class LinePair:
    """One row of a side-by-side text diff: ``tag`` is equal, insert, delete or replace."""

    tag: str
    old: str | None
    new: str | None


@dataclass
class SectionDiff:
    commitment: int
    title: str
    changed: bool
    rows: list[LinePair]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class EntryDiff:
    kind: str
    label: str
    status: EntryStatus
    changes: list[FieldChange] = field(default_factory=list)
    old: dict[str, str] | None = None
    new: dict[str, str] | None = None


@dataclass
class VersionDiff:
    old: PlanVersion
    new: PlanVersion
    sections: list[SectionDiff]
    entries: list[EntryDiff]

    @property
    def changed_sections(self) -> list[SectionDiff]:
        return [s for s in self.sections if s.changed]

    @property
    def changed_entries(self) -> list[EntryDiff]:
        return [e for e in self.entries if e.status != "unchanged"]


def text_rows(old: str, new: str) -> list[LinePair]:
    """Line-by-line side-by-side rows; replaced blocks are paired line for line."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[LinePair] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(LinePair("equal", line, line) for line in a[i1:i2])
        elif tag == "delete":
            rows.extend(LinePair("delete", line, None) for line in a[i1:i2])
        elif tag == "insert":
            rows.extend(LinePair("insert", None, line) for line in b[j1:j2])
        else:
            old_block, new_block = a[i1:i2], b[j1:j2]
            for k in range(max(len(old_block), len(new_block))):
                before = old_block[k] if k < len(old_block) else None
                after = new_block[k] if k < len(new_block) else None
                row_tag = (
                    "replace"
                    if before is not None and after is not None
                    else ("insert" if before is None else "delete")
                )
                rows.append(LinePair(row_tag, before, after))
    return rows


def _display(entry, name: str) -> str:
    if name == "item":
        return str(entry.item)
    if name == "commitment":
        return str(entry.commitment)
    value = getattr(entry, name)
    display = getattr(entry, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return "" if value is None else str(value)


def _entries(version: PlanVersion) -> list[tuple[str, object]]:
    # Uses the prefetched related managers of selectors.plan_content_get (no queries per entry).
    return [
        (kind, entry)
        for kind, model in ENTRY_KINDS.items()
        for entry in getattr(version, model.entry_related).all()
    ]


def version_diff(old: PlanVersion, new: PlanVersion, *, year_on_year: bool = False) -> VersionDiff:
    """Compare two versions loaded with ``selectors.plan_content_get`` (sections and entries prefetched)."""
    old_sections = {s.commitment: s.narrative for s in old.sections.all()}
    new_sections = {s.commitment: s.narrative for s in new.sections.all()}
    sections = []
    for commitment in Commitment:
        before, after = old_sections.get(commitment.value, ""), new_sections.get(commitment.value, "")
        sections.append(
            SectionDiff(commitment.value, str(commitment.label), before != after, text_rows(before, after))
        )

    def pairing_key(kind: str, entry):
        return (kind, *entry.same_entry_key()) if year_on_year else (kind, entry.key)

    old_entries = {pairing_key(kind, e): (kind, e) for kind, e in _entries(old)}
    new_entries = {pairing_key(kind, e): (kind, e) for kind, e in _entries(new)}
    diffs: list[EntryDiff] = []
    for key, (kind, entry) in new_entries.items():
        values = {name: _display(entry, name) for name in entry.shown_fields}
        if key not in old_entries:
            diffs.append(EntryDiff(kind, entry.entry_label(), "added", new=values))
            continue
        previous = old_entries[key][1]
        before = {name: _display(previous, name) for name in entry.shown_fields}
        changes = [FieldChange(n, before[n], values[n]) for n in entry.shown_fields if before[n] != values[n]]
        diffs.append(
            EntryDiff(
                kind, entry.entry_label(), "changed" if changes else "unchanged", changes, before, values
            )
        )
    for key, (kind, entry) in old_entries.items():
        if key not in new_entries:
            before = {name: _display(entry, name) for name in entry.shown_fields}
            diffs.append(EntryDiff(kind, entry.entry_label(), "removed", old=before))
    order = {kind: position for position, kind in enumerate(ENTRY_KINDS)}
    diffs.sort(key=lambda d: (order[d.kind], d.label.lower()))
    return VersionDiff(old=old, new=new, sections=sections, entries=diffs)

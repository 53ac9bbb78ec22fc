"""Bulk upload of a plan's capacity lines from an .xlsx file: every row is added, or none.

File format: the first sheet; a header row, then one capacity line a row. Header names are
case-insensitive; spaces and hyphens count as ``_``. Columns:

``item``              required; the catalogue code (``155mm-round``)
``site``              required; production site or company
``baseline_output``   required; annual output in the baseline year (whole number)
``baseline_year``     required
``current_output``    required
``target_output``     required
``target_year``       required; not before ``baseline_year``
``lead_time_months``  required; at most 240
``surge_capacity``    optional; 0 when blank
``commitment``        optional; the plan section 1-9, 3 (critical capabilities) when blank

The file is read without calculating anything (see ``portal.spreadsheets``). Every row is checked
first and every problem reported with its row (the header is row 1; row 0 is the file) and column;
only a clean file is written, through ``pledges.services.entry_save`` in one transaction, so a
failure on any row leaves the plan as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pledges import services
from pledges.choices import Commitment
from pledges.models import CapacityLine, NationalPlan
from portal.spreadsheets import CellError, cell_text, header_name, is_blank, parse_whole_number
from portal.uploads import ImportRejected, RowError, RowErrors, UploadFormat, file_error, read_rows
from procurement.selectors import item_list

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ENTRIES = 500
MAX_ROWS = 1000
MAX_REPORTED_ERRORS = 500

ITEM, SITE, COMMITMENT, SURGE = "item", "site", "commitment", "surge_capacity"
NUMBERS = ("baseline_output", "baseline_year", "current_output", "target_output", "target_year",
           "lead_time_months")  # fmt: skip
REQUIRED = (ITEM, SITE, *NUMBERS)
COLUMNS = (*REQUIRED, SURGE, COMMITMENT)
DEFAULT_COMMITMENT = Commitment.CRITICAL_CAPABILITIES


def _accepts() -> UploadFormat:
    # Built when a file is read, from the limits above as they are then (tests lower them).
    return UploadFormat(
        csv=False,
        max_xlsx_bytes=MAX_UPLOAD_BYTES,
        max_rows=MAX_ROWS,
        max_columns=32,
        max_uncompressed=MAX_UNCOMPRESSED,
        max_entries=MAX_ENTRIES,
    )


def _positions(header: Sequence[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = header_name(cell)
        if name in COLUMNS:
            if name in positions:
                raise file_error(f"The column {name!r} appears twice in the header.")
            positions[name] = index
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise file_error(
            f"The header row lacks {', '.join(missing)}. Expected columns: {', '.join(COLUMNS)}."
        )
    return positions


def _model_errors(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(column, message) for column, messages in exc.message_dict.items() for message in messages]
    return [("", message) for message in exc.messages]


def parse_capacity_file(*, user, data: bytes) -> list[tuple[int, dict]]:
    """The rows of ``data`` as (row number, ``entry_save`` fields), or ``ImportRejected`` with every
    problem found."""
    rows = read_rows(data, "", _accepts())
    header = next(rows, None)
    if header is None:
        raise file_error("The workbook's first sheet is empty.")
    positions = _positions(header)
    numbered = [
        (number, cells) for number, cells in enumerate(rows, start=2) if not all(map(is_blank, cells))
    ]
    if not numbered:
        raise file_error("The sheet has a header but no rows.")

    codes = set()
    for _, cells in numbered:
        value = cells[positions[ITEM]] if positions[ITEM] < len(cells) else None
        if isinstance(value, str):
            codes.add(value.strip())
    items = {item.code: item for item in item_list(user=user).filter(code__in=codes)}
    site_limit = CapacityLine._meta.get_field("site").max_length

    errors = RowErrors(MAX_REPORTED_ERRORS)
    parsed: list[tuple[int, dict]] = []
    for number, cells in numbered:
        before = errors.count

        def cell(column: str, cells=cells) -> Any:
            index = positions.get(column)
            return cells[index] if index is not None and index < len(cells) else None

        fields: dict[str, Any] = {}
        for column in COLUMNS:
            value = cell(column)
            try:
                if is_blank(value):
                    if column in REQUIRED:
                        raise CellError("Required.")
                    fields[column] = 0 if column == SURGE else DEFAULT_COMMITMENT
                elif column == ITEM:
                    code = cell_text(value, max_length=100)
                    if code not in items:
                        raise CellError(f"Unknown item code {code[:40]!r}; use a code from the catalogue.")
                    fields[ITEM] = items[code]
                elif column == SITE:
                    fields[SITE] = cell_text(value, max_length=site_limit)
                elif column == COMMITMENT:
                    commitment = parse_whole_number(value)
                    if commitment not in Commitment.values:
                        raise CellError(f"{commitment} is not a section; use 1 to 9.")
                    fields[COMMITMENT] = commitment
                else:
                    fields[column] = parse_whole_number(value)
            except CellError as exc:
                errors.add(number, column, str(exc))
        if errors.count == before:
            if fields["target_year"] < fields["baseline_year"]:
                errors.add(number, "target_year", "The target year cannot precede the baseline year.")
            else:
                # The model's own rules (year range, lead time...) run here, so the write cannot fail.
                try:
                    CapacityLine(**fields).full_clean(exclude=["plan_version"], validate_constraints=False)
                except ValidationError as exc:
                    for column, message in _model_errors(exc):
                        errors.add(number, column, message)
        parsed.append((number, fields))
    if errors:
        raise errors.rejection()
    return parsed


def upload_capacity_lines(*, actor, plan: NationalPlan, data: bytes) -> int:
    """Add every capacity line in ``data`` to the plan's draft, or none; returns how many were added.
    Scope and state are checked again by ``entry_save`` for each row, inside the one transaction."""
    rows = parse_capacity_file(user=actor, data=data)
    with transaction.atomic():
        for number, fields in rows:
            try:
                services.entry_save(actor=actor, plan=plan, kind="capacityline", fields=fields)
            except ValidationError as exc:
                # Raising leaves the atomic block: the rows already added are rolled back.
                raise ImportRejected(
                    [RowError(number, column, message) for column, message in _model_errors(exc)]
                ) from None
    return len(rows)

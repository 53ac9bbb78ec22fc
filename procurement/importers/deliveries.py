"""The delivery import itself: read and check the whole file, then hand every new row to
``services.deliveries_import`` in one transaction, or refuse the file with every error found."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from portal.exceptions import Forbidden
from portal.permissions import ADD, may
from portal.uploads import ImportRejected, RowError, file_error
from procurement import services
from procurement.importers.checks import check_against_database, load_lines
from procurement.importers.reader import parse_file
from procurement.models import DeliveryImport


@dataclass
class ImportResult:
    rows: int
    created: int
    skipped: int
    batch: DeliveryImport | None


def import_deliveries(*, actor, data: bytes, file_name: str) -> ImportResult:
    """Validate the whole file, then import every new row in one transaction, or nothing.

    Raises ``ImportRejected`` listing every problem found, or ``Forbidden`` for a user who may not
    import deliveries (checked before the file is read).
    """
    if not may(actor, DeliveryImport, ADD):
        raise Forbidden("Only NSPA staff may import deliveries.")
    rows, errors = parse_file(data, file_name)
    lines = load_lines(rows, errors)
    plan = check_against_database(rows, lines, errors)
    if errors:
        raise errors.rejection()
    if not plan.new:
        return ImportResult(rows=len(rows), created=0, skipped=plan.skipped, batch=None)
    total, skipped = len(rows), plan.skipped
    inputs = [row.as_input() for row in plan.new]
    del plan, rows  # keep peak memory to one copy of the rows
    try:
        batch = services.deliveries_import(
            actor=actor,
            rows=inputs,
            file_name=file_name,
            sha256=hashlib.sha256(data).hexdigest(),
            file_rows=total,
        )
    except ValidationError as exc:
        # The service re-checks totals under row locks: another delivery arrived meanwhile.
        raise ImportRejected([RowError(0, "", message) for message in exc.messages]) from exc
    except IntegrityError as exc:
        raise file_error(
            "Some of these lots were recorded by someone else while the file was being checked; "
            "nothing was imported. Upload the file again."
        ) from exc
    return ImportResult(rows=total, created=len(inputs), skipped=skipped, batch=batch)

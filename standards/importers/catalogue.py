"""The catalogue import (the CNAD secretariat's CSV or XLSX file of editions; every row or none).

Each row is one edition, created or updated by its type, number and edition. ``supersedes`` names
the earlier edition of the same document it replaces, already in the catalogue or anywhere in the
file: ``4425 Ed. 2``, ``STANAG 4425 Ed. 2`` or just the edition, ``2``. The cell formats are in
``standards.importers.reader``.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.exceptions import Forbidden
from portal.permissions import ADD, may
from portal.spreadsheets import parse_whole_number
from portal.uploads import RowErrors
from procurement.importers import parse_date
from standards import selectors
from standards.choices import DocumentType, Level, StandardStatus
from standards.importers.reader import (
    LONG_TEXT,
    MAX_REPORTED_ERRORS,
    Column,
    add_service_errors,
    choice,
    read_file,
    text,
)
from standards.models import Standard
from standards.services import imports as writes
from standards.services.responses import RowsRejected

MAX_ROWS = 10_000

# "STANAG 4425 Ed. 2", "4425 Ed. 2" or "Ed. 2"; without "Ed." the cell is the edition alone ("D v1").
SUPERSEDES_FORMAT = re.compile(
    r"(?:(?:STANAG|STANREC)\s*)?(?:(?P<number>\S+)\s+)?ED(?:ITION)?\.?\s*(?P<edition>\S(?:.*\S)?)",
    re.IGNORECASE,
)


def _supersedes(value: Any) -> tuple[str | None, str]:
    """(number, or None for the row's own; edition) from a supersedes cell."""
    cell = text(60)(value)
    match = SUPERSEDES_FORMAT.fullmatch(cell)
    if match is None:
        return None, cell
    number = match.group("number")
    return (number.upper() if number else None), match.group("edition")


COLUMNS = (
    Column(
        "doc_type",
        choice(DocumentType),
        gettext_lazy("required: STANAG, STANREC or AP (an Allied Publication)"),
        required=True,
    ),
    Column(
        "number", text(30), gettext_lazy("required: as cited without the type, e.g. 4425 or AOP-29"), True
    ),
    Column("edition", text(12), gettext_lazy("required: as written, e.g. 3, D or D v1"), True),
    Column("title", text(300), gettext_lazy("required: the title in English"), True),
    Column("title_fr", text(300), gettext_lazy("the title in French, where known")),
    Column("covering_publication", text(40), gettext_lazy("the Allied Publication it covers, e.g. AOP-29")),
    Column("covering_edition", text(12), gettext_lazy("that publication's edition")),
    Column(
        "status",
        choice(StandardStatus),
        gettext_lazy("required: study, ratification draft, promulgated, superseded or cancelled"),
        True,
    ),
    Column(
        "promulgated_on",
        parse_date,
        gettext_lazy("needed by a promulgated or superseded edition"),
    ),
    Column("effective_on", parse_date, gettext_lazy("not before the promulgation date")),
    Column("custodian", text(120), gettext_lazy("the tasking authority")),
    Column("domain", text(40), gettext_lazy("required: the domain's code, e.g. lbdm"), True),
    Column(
        "level",
        choice(Level),
        gettext_lazy("required: compatibility, interoperability, interchangeability or commonality"),
        True,
    ),
    Column(
        "supersedes",
        _supersedes,
        gettext_lazy(
            "the earlier edition it replaces, e.g. 4425 Ed. 2 or just 2, in the catalogue or in this "
            "file; blank for none"
        ),
    ),
    Column(
        "review_cycle_months",
        parse_whole_number,
        gettext_lazy("1 to 240; a new edition's is 60 when blank"),
    ),
    Column("notes", text(LONG_TEXT), gettext_lazy("free text, e.g. a caveat on where the title comes from")),
)
TEXT_COLUMNS = {
    "title",
    "title_fr",
    "covering_publication",
    "covering_edition",
    "custodian",
    "notes",
}
# Service fields reported under another column.
FIELD_COLUMNS = {"supersedes_id": "supersedes", "domain_id": "domain"}


def _key(values: dict) -> writes.EditionKey | None:
    if any(values.get(name) is None for name in writes.IDENTITY):
        return None
    return (values["doc_type"], values["number"].upper(), values["edition"])


def _entries(
    rows, present: set[str], actor, errors: RowErrors
) -> tuple[list[writes.CatalogueEntry], list[int]]:
    """The rows as service entries, checked against the catalogue (domains, editions superseded,
    an edition listed twice); also each entry's row number."""
    domains = {domain.code: domain for domain in selectors.domain_list(user=actor)}
    keys = {row.number: _key(row.values) for row in rows}
    first_row: dict[writes.EditionKey, int] = {}
    for number, key in keys.items():
        if key is not None:
            first_row.setdefault(key, number)
    targets = [row.values["supersedes"] for row in rows if row.values.get("supersedes") is not None]
    numbers = {key[1] for key in first_row} | {number for number, _edition in targets if number}
    known = writes.editions_by_key(selectors.standard_list(user=actor), numbers)
    entries, numbers_of = [], []
    for row in rows:
        key = keys[row.number]
        if key is None:
            continue  # an identity cell was refused or empty: already reported
        if first_row[key] != row.number:
            errors.add(
                row.number,
                "edition",
                _("This edition is listed twice (first in row %(row)s).") % {"row": first_row[key]},
            )
            continue
        fields: dict[str, Any] = {}
        for name, value in row.values.items():
            if name in ("domain", "supersedes"):
                continue
            if name in TEXT_COLUMNS:
                fields[name] = value or ""
            elif name == "review_cycle_months":
                if value is not None:
                    fields[name] = value
            else:
                fields[name] = value
        fields["number"] = key[1]
        code = row.values.get("domain")
        if code is not None:
            domain = domains.get(code) or domains.get(code.lower())
            if domain is None:
                errors.add(row.number, "domain", _("No domain with the code %(code)s.") % {"code": code})
                continue
            fields["domain"] = domain
        if "supersedes" in present and "supersedes" not in row.values:
            continue  # the cell could not be read: already reported
        target = None
        if row.values.get("supersedes") is not None:
            number, edition = row.values["supersedes"]
            target = (key[0], number or key[1], edition)
            if target == key:
                errors.add(row.number, "supersedes", _("An edition cannot supersede itself."))
                continue
            if target not in known and target not in first_row:
                errors.add(
                    row.number,
                    "supersedes",
                    _("%(edition)s is neither in the catalogue nor in this file.")
                    % {"edition": Standard(doc_type=target[0], number=target[1], edition=target[2])},
                )
                continue
        entries.append(
            writes.CatalogueEntry(
                key=key, fields=fields, supersedes=target, supersedes_given="supersedes" in present
            )
        )
        numbers_of.append(row.number)
    return entries, numbers_of


def import_catalogue(*, actor, data: bytes, file_name: str) -> writes.ImportCounts:
    """Check the whole file, then create or update every edition in one transaction, or nothing.

    Raises ``ImportRejected`` with every problem found, or ``Forbidden`` for a user who may not
    manage the catalogue (checked before the file is read)."""
    if not may(actor, Standard, ADD):
        raise Forbidden(_("Only the CNAD secretariat may import the catalogue."))
    rows, errors, present = read_file(data, file_name, COLUMNS, max_rows=MAX_ROWS)
    entries, numbers = _entries(rows, present, actor, errors)
    if errors:
        raise errors.rejection()
    try:
        return writes.catalogue_import(actor=actor, entries=entries, file_name=file_name)
    except RowsRejected as rejected:
        found = RowErrors(MAX_REPORTED_ERRORS)
        for index, messages in sorted(rejected.errors.items()):
            add_service_errors(found, numbers[index], messages, FIELD_COLUMNS)
        raise found.rejection() from None

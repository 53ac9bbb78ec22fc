"""The national responses import (a director's file of their own nation's responses, or the CNAD
secretariat's of any nation's, recorded on its behalf; every row or none).

Each row is one nation's response to one edition, named by its type, number and edition. A
response the nation has already is changed to what the row says (the columns the file leaves out
keep their values); the audit trail records what changed. The cell formats are in
``standards.importers.reader``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.exceptions import Forbidden
from portal.permissions import ADD, VIEW, allows, may, restrict
from portal.selectors import nation_list
from portal.uploads import RowErrors
from procurement.importers import parse_date
from standards import selectors
from standards.choices import DocumentType, Implementation, Ratification
from standards.importers.reader import (
    LONG_TEXT,
    MAX_REPORTED_ERRORS,
    Column,
    add_service_errors,
    choice,
    read_file,
    text,
    yes_no,
)
from standards.models import NationalResponse, Standard
from standards.services import imports as writes
from standards.services.responses import ResponseInput, RowsRejected

# Every edition for every Ally, with room to spare (2,000 editions x 32 nations).
MAX_ROWS = 70_000

COLUMNS = (
    Column("nation", text(3), gettext_lazy("required: the nation's ISO 3166-1 alpha-3 code, e.g. POL"), True),
    Column("doc_type", choice(DocumentType), gettext_lazy("required: STANAG, STANREC or AP"), True),
    Column("number", text(30), gettext_lazy("required: e.g. 4425 or AOP-29"), True),
    Column("edition", text(12), gettext_lazy("required: the edition responded to, e.g. 3"), True),
    Column(
        "ratification",
        choice(Ratification),
        gettext_lazy("required: ratified, ratified with reservations, will not ratify or no response"),
        True,
    ),
    Column("ratification_reference", text(120), gettext_lazy("the national ratification reference")),
    Column("ratified_on", parse_date, gettext_lazy("the ratification date; not in the future")),
    Column("reservations", text(LONG_TEXT), gettext_lazy("required with a ratification with reservations")),
    Column(
        "implementation",
        choice(Implementation),
        gettext_lazy("not implemented (when blank), planned or implemented"),
    ),
    Column(
        "implementation_date",
        parse_date,
        gettext_lazy("required when planned; not in the future when implemented"),
    ),
    Column(
        "implemented_without_ratification",
        yes_no,
        gettext_lazy("yes for an edition implemented without being ratified"),
    ),
    Column("without_ratification_reason", text(LONG_TEXT), gettext_lazy("required with the one before")),
)
# What a blank cell of each optional column means.
BLANK = {
    "ratification_reference": "",
    "ratified_on": None,
    "reservations": "",
    "implementation": Implementation.NOT_IMPLEMENTED,
    "implementation_date": None,
    "implemented_without_ratification": False,
    "without_ratification_reason": "",
}
VALUE_COLUMNS = ("ratification", *BLANK)
# Service fields reported under another column: the edition named by doc_type, number, edition.
FIELD_COLUMNS = {"standard": "edition"}


def _checked_rows(rows, actor, errors: RowErrors) -> tuple[list[tuple[Any, ResponseInput]], list[int]]:
    """(nation, service row) for each file row, checked against the nations, the catalogue and
    the actor's scope; also each one's row number."""
    nations = {nation.code: nation for nation in nation_list(user=actor)}
    numbers = {row.values["number"].upper() for row in rows if row.values.get("number")}
    editions = writes.editions_by_key(selectors.standard_list(user=actor), numbers)
    resolved: list[tuple[int, Any, Standard, dict]] = []
    first_row: dict[tuple[int, int], int] = {}
    for row in rows:
        values = row.values
        if any(values.get(name) is None for name in ("nation", *writes.IDENTITY)):
            continue  # refused or empty: already reported
        nation = nations.get(values["nation"].upper())
        if nation is None:
            errors.add(
                row.number, "nation", _("No nation with the code %(code)s.") % {"code": values["nation"]}
            )
            continue
        if not allows(actor, ADD, NationalResponse(nation=nation)):
            errors.add(
                row.number, "nation", _("You may not record responses for %(nation)s.") % {"nation": nation}
            )
            continue
        key = (values["doc_type"], values["number"].upper(), values["edition"])
        standard = editions.get(key)
        if standard is None:
            errors.add(
                row.number,
                "number",
                _("%(edition)s is not in the catalogue.")
                % {"edition": Standard(doc_type=key[0], number=key[1], edition=key[2])},
            )
            continue
        first = first_row.setdefault((nation.pk, standard.pk), row.number)
        if first != row.number:
            errors.add(
                row.number,
                "edition",
                _("This nation's response to this edition is listed twice (first in row %(row)s).")
                % {"row": first},
            )
            continue
        resolved.append((row.number, nation, standard, values))
    current = _current_responses(
        actor, [(nation, standard) for _number, nation, standard, _values in resolved]
    )
    checked, numbers_of = [], []
    for number, nation, standard, values in resolved:
        response = current.get((nation.pk, standard.pk))
        given = {
            name: (BLANK.get(name) if values[name] is None else values[name])
            for name in VALUE_COLUMNS
            if name in values
        }
        # A column the file leaves out keeps what the response holds (a new response's default).
        kept = {name: getattr(response, name) for name in VALUE_COLUMNS if response is not None}
        checked.append((nation, ResponseInput(standard=standard, **{**kept, **given})))
        numbers_of.append(number)
    return checked, numbers_of


def _current_responses(actor, pairs) -> dict[tuple[int, int], NationalResponse]:
    """The responses the nations have to these editions, in a query per few hundred editions."""
    wanted = {(nation.pk, standard.pk) for nation, standard in pairs}
    standard_ids = sorted({standard_id for _nation_id, standard_id in wanted})
    found = {}
    for start in range(0, len(standard_ids), writes.CHUNK):
        chunk = standard_ids[start : start + writes.CHUNK]
        for response in restrict(NationalResponse.objects.filter(standard__in=chunk), actor, VIEW).order_by(
            "pk"
        ):
            if (response.nation_id, response.standard_id) in wanted:
                found[(response.nation_id, response.standard_id)] = response
    return found


def import_responses(*, actor, data: bytes, file_name: str) -> writes.ImportCounts:
    """Check the whole file, then record every response in one transaction, or nothing.

    Raises ``ImportRejected`` with every problem found (a director's row for another nation among
    them), or ``Forbidden`` for a user who may record no nation's responses (checked before the
    file is read)."""
    if not may(actor, NationalResponse, ADD):
        raise Forbidden(_("Only a nation's armaments director or the CNAD secretariat may import responses."))
    rows, errors, _present = read_file(data, file_name, COLUMNS, max_rows=MAX_ROWS)
    checked, numbers = _checked_rows(rows, actor, errors)
    if errors:
        raise errors.rejection()
    try:
        return writes.responses_import(actor=actor, rows=checked, file_name=file_name)
    except RowsRejected as rejected:
        found = RowErrors(MAX_REPORTED_ERRORS)
        for index, messages in sorted(rejected.errors.items()):
            add_service_errors(found, numbers[index], messages, FIELD_COLUMNS)
        raise found.rejection() from None

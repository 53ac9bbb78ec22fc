"""The ratification matrix (issue 12): cells, row and column totals and shares on known data, the
domain filter, pagination, the export, who may read it, and constant query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.choices import NationKind
from portal.exceptions import Forbidden
from portal.exports import Kind, export_response
from portal.models import Nation
from standards import selectors
from standards.choices import Implementation, Ratification, StandardStatus
from standards.models import Domain, NationalResponse, Standard
from standards.selectors import matrix as matrix_module
from standards.selectors.matrix import LEGEND

pytestmark = pytest.mark.django_db
NO_RESPONSE = "\N{EN DASH}"


@pytest.fixture
def domains():
    return (
        Domain.objects.create(code="lbdm", name="Land battle decisive munitions"),
        Domain.objects.create(code="iamd", name="Air and missile defence"),
    )


def make_standards(domain, count, *, start=4000, status=StandardStatus.PROMULGATED) -> list[Standard]:
    return Standard.objects.bulk_create(
        Standard(
            doc_type="stanag",
            number=str(start + i),
            edition="1",
            title=f"Standard {start + i}",
            status=status,
            promulgated_on=dt.date(2020, 1, 1),
            domain=domain,
            level="interoperability",
        )
        for i in range(count)
    )


def respond(code, standard, ratification, implementation=Implementation.NOT_IMPLEMENTED, reservations=""):
    return NationalResponse.objects.create(
        nation=Nation.objects.get(code=code),
        standard=standard,
        ratification=ratification,
        implementation=implementation,
        reservations=reservations,
    )


@pytest.fixture
def known(domains):
    """Three land editions and one air edition open to responses, plus a study and a cancelled
    land edition that take none; responses from Poland, France and Germany."""
    lbdm, iamd = domains
    a, b, c = make_standards(lbdm, 3)
    [d] = make_standards(iamd, 1, start=4700)
    make_standards(lbdm, 1, start=4900, status=StandardStatus.STUDY)
    make_standards(lbdm, 1, start=4901, status=StandardStatus.CANCELLED)
    b.status = StandardStatus.RATIFICATION_DRAFT
    b.save()
    respond("POL", a, Ratification.RATIFIED, Implementation.IMPLEMENTED)
    respond("FRA", a, Ratification.RESERVATIONS, Implementation.PLANNED, "Right to deviate on charge zones")
    respond("DEU", a, Ratification.WILL_NOT_RATIFY)
    respond("POL", b, Ratification.NO_RESPONSE)
    respond("POL", c, Ratification.RATIFIED, Implementation.PLANNED)
    respond("FRA", d, Ratification.RATIFIED, Implementation.IMPLEMENTED)
    return a, b, c, d


def allies() -> list[str]:
    return list(Nation.objects.filter(kind=NationKind.ALLY).order_by("code").values_list("code", flat=True))


def column(matrix, code) -> int:
    return [n.code for n in matrix.nations].index(code)


def test_columns_are_the_allies_by_code(known, secretariat):
    matrix = selectors.ratification_matrix(user=secretariat)
    codes = [n.code for n in matrix.nations]
    assert codes == allies()
    assert len(codes) == 32  # the migration's Allies; partners (UKR, EUU...) are not columns
    assert "UKR" not in codes


def test_cells_show_letters_marks_and_reservations(known, secretariat):
    a, b, c, d = known
    matrix = selectors.ratification_matrix(user=secretariat)
    assert [row.standard.pk for row in matrix.rows] == [a.pk, b.pk, c.pk, d.pk]  # no study, no cancelled
    first = matrix.rows[0]
    pol, fra, deu, ita = (first.cells[column(matrix, code)] for code in ("POL", "FRA", "DEU", "ITA"))
    assert (pol.letter, pol.mark, pol.text, pol.css) == (
        "R",
        "I",
        "R I",
        "matrix-ratified matrix-implemented",
    )
    assert pol.label == "Ratified; Implemented"
    assert (fra.letter, fra.mark, fra.text) == ("R*", "P", "R* P")
    assert fra.reservations == "Right to deviate on charge zones"
    assert fra.css == "matrix-reservations matrix-planned"
    assert (deu.letter, deu.mark, deu.ratification) == ("W", "", "will_not_ratify")
    assert (ita.ratification, ita.implementation, ita.letter, ita.css) == (
        None,
        None,
        NO_RESPONSE,
        "matrix-no-response",
    )
    explicit = matrix.rows[1].cells[column(matrix, "POL")]
    assert (explicit.ratification, explicit.letter, explicit.label) == (
        "no_response",
        NO_RESPONSE,
        "No response",
    )


def test_row_totals_and_shares_are_over_the_allies(known, secretariat):
    matrix = selectors.ratification_matrix(user=secretariat)
    first, second, third, air = matrix.rows
    assert (first.ratified, first.implemented) == (2, 1)  # R and R*; only Poland implemented
    assert first.ratified_share == Decimal("0.0625")  # 2 of 32
    assert first.implemented_share == Decimal("0.0313")  # 1 of 32, rounded half up
    assert (second.ratified, second.implemented, second.ratified_share) == (0, 0, Decimal("0"))
    assert (third.ratified, third.implemented) == (1, 0)
    assert (air.ratified, air.implemented) == (1, 1)


def test_nation_totals_cover_every_edition_of_the_filter(known, secretariat):
    matrix = selectors.ratification_matrix(user=secretariat, per_page=1)
    assert matrix.standard_count == 4
    assert len(matrix.rows) == 1  # the totals do not depend on the page
    totals = {t.nation.code: t for t in matrix.nation_totals}
    assert [t.nation.code for t in matrix.nation_totals] == allies()
    pol = totals["POL"]
    assert (pol.ratified, pol.implemented, pol.responded) == (2, 1, 2)  # "no response" is no answer
    assert (pol.ratified_share, pol.implemented_share) == (Decimal("0.5000"), Decimal("0.2500"))
    fra = totals["FRA"]
    assert (fra.ratified, fra.implemented, fra.responded) == (2, 1, 2)
    deu = totals["DEU"]
    assert (deu.ratified, deu.implemented, deu.responded, deu.ratified_share) == (0, 0, 1, Decimal("0"))
    assert (totals["ITA"].ratified, totals["ITA"].responded) == (0, 0)
    # The Alliance level: 4 ratifications and 2 implementations in 4 x 32 cells.
    assert matrix.ratified_share == Decimal("0.0313")
    assert matrix.implemented_share == Decimal("0.0156")


def test_the_domain_filter_narrows_rows_and_totals(known, domains, secretariat):
    a, b, c, d = known
    land = selectors.ratification_matrix(user=secretariat, domain=domains[0])
    assert [row.standard.pk for row in land.rows] == [a.pk, b.pk, c.pk]
    assert land.standard_count == 3
    fra = next(t for t in land.nation_totals if t.nation.code == "FRA")
    assert (fra.ratified, fra.implemented, fra.ratified_share) == (1, 0, Decimal("0.3333"))
    air = selectors.ratification_matrix(user=secretariat, domain=domains[1].pk)
    assert [row.standard.pk for row in air.rows] == [d.pk]
    assert next(t for t in air.nation_totals if t.nation.code == "FRA").ratified_share == Decimal("1.0000")


def test_pages_split_the_editions_and_bad_pages_fall_back(domains, secretariat):
    made = make_standards(domains[0], 5)
    second = selectors.ratification_matrix(user=secretariat, page=2, per_page=2)
    assert [row.standard.pk for row in second.rows] == [s.pk for s in made[2:4]]
    assert second.page.number == 2
    assert second.page.paginator.num_pages == 3
    assert second.standard_count == 5
    assert selectors.ratification_matrix(user=secretariat, page="x", per_page=2).page.number == 1
    assert selectors.ratification_matrix(user=secretariat, page=99, per_page=2).page.number == 3
    assert len(selectors.ratification_matrix(user=secretariat, per_page="many").rows) == 5
    assert len(selectors.ratification_matrix(user=secretariat, per_page=-3).rows) == 1


def test_an_empty_catalogue_gives_an_empty_matrix(domains, secretariat):
    matrix = selectors.ratification_matrix(user=secretariat)
    assert matrix.rows == []
    assert matrix.standard_count == 0
    assert {t.ratified_share for t in matrix.nation_totals} == {Decimal("0")}
    assert matrix.ratified_share == Decimal("0")


def test_the_legend_has_a_translated_label_per_letter():
    letters = [mark.letter for mark in LEGEND]
    assert letters == ["R", "R*", "W", NO_RESPONSE, "I", "P"]
    assert len({mark.css for mark in LEGEND}) == len(LEGEND)
    assert all(str(mark.label) for mark in LEGEND)


# --- Who may read it --------------------------------------------------------------------------


def test_every_ally_role_reads_the_matrix(known, users_by_role, other):
    for user in (*(users_by_role[r] for r in ("director", "nspa", "secretariat", "board_member")), other):
        matrix = selectors.ratification_matrix(user=user)
        assert len(matrix.rows) == 4, user.role
        # Recorded responses are shared among Allies: France's director sees Poland's cells.
        assert matrix.rows[0].cells[column(matrix, "POL")].letter == "R"


def test_partners_and_roleless_users_are_refused(known, users_by_role):
    for role in ("partner", "no_role"):
        with pytest.raises(Forbidden):
            selectors.ratification_matrix(user=users_by_role[role])
        with pytest.raises(Forbidden):
            selectors.matrix_export(user=users_by_role[role])  # refused before any row is read


# --- The export ---------------------------------------------------------------------------------


def test_the_export_has_a_row_per_edition_and_a_column_per_ally(known, domains, secretariat):
    a, *_ = known
    columns, rows = selectors.matrix_export(user=secretariat, domain=domains[0])
    names = [c.name for c in columns]
    assert names[:7] == ["doc_type", "number", "edition", "designation", "title", "domain", "status"]
    assert names[7:-4] == [f"nation_{code.lower()}" for code in allies()]
    assert names[-4:] == ["ratified", "implemented", "ratified_share", "implemented_share"]
    assert [c.kind for c in columns[-4:]] == [Kind.INTEGER, Kind.INTEGER, Kind.DECIMAL, Kind.DECIMAL]
    rows = list(rows)
    assert len(rows) == 3
    first = dict(zip(names, rows[0], strict=True))
    assert first["designation"] == str(a) == "STANAG 4000 Ed. 1"
    assert first["domain"] == "Land battle decisive munitions"
    assert (first["nation_pol"], first["nation_fra"], first["nation_deu"], first["nation_ita"]) == (
        "R I",
        "R* P",
        "W",
        NO_RESPONSE,
    )
    assert (first["ratified"], first["implemented"], first["ratified_share"]) == (2, 1, Decimal("0.0625"))


def test_the_export_writes_through_the_shared_exporter(known, secretariat):
    columns, rows = selectors.matrix_export(user=secretariat)
    response = export_response("matrix", columns, rows, "csv", header="names")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][7] == "nation_alb"
    assert len(table) == 1 + 4
    assert table[1][-2:] == ["0.0625", "0.0313"]


@pytest.mark.parametrize(("editions", "chunks"), [(3, 2), (7, 4)])
def test_the_export_streams_in_chunks_of_two_queries(domains, secretariat, monkeypatch, editions, chunks):
    monkeypatch.setattr(matrix_module, "EXPORT_CHUNK", 2)
    made = make_standards(domains[0], editions)
    for standard in made:
        respond("POL", standard, Ratification.RATIFIED)
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.matrix_export(user=secretariat)[1])
    assert len(rows) == editions
    assert {row[7 + allies().index("POL")] for row in rows} == {"R"}
    assert len(queries) == 1 + 2 * chunks  # the Allies, then editions and responses per chunk


# --- Query count ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [4, 40])
def test_the_matrix_takes_five_queries_at_any_size_and_page(domains, secretariat, size):
    made = make_standards(domains[0], size) + make_standards(domains[1], size, start=6000)
    codes = allies()[: size // 2]
    NationalResponse.objects.bulk_create(
        NationalResponse(
            nation=Nation.objects.get(code=code),
            standard=standard,
            ratification=Ratification.RESERVATIONS if i % 3 else Ratification.RATIFIED,
            reservations="Some",
            implementation=Implementation.IMPLEMENTED if i % 2 else Implementation.PLANNED,
        )
        for i, (code, standard) in enumerate((c, s) for c in codes for s in made)
    )
    for kwargs in ({}, {"domain": domains[1], "page": 2, "per_page": 3}):
        with CaptureQueriesContext(connection) as queries:
            matrix = selectors.ratification_matrix(user=secretariat, **kwargs)
            shown = [cell.text for row in matrix.rows for cell in row.cells]
            shown += [standard.domain.name for standard in matrix.page]
            shown += [t.nation.code for t in matrix.nation_totals]
        assert len(queries) == 5, kwargs  # Allies, count, page, its responses, nations' totals
        assert shown
    assert sum(t.ratified for t in matrix.nation_totals) == size * len(codes)

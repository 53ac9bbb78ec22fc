"""Reading NATO's defence expenditure tables (the shipped CSVs) into validated record rows.

An edition comes as up to two files: ``defence-expenditure-<edition>-edition.csv`` (Table 1 in
national currency, with the Table 8a equipment share) and ``...-edition-usd.csv`` (Tables 2 and 5
in current and constant USD). They are merged per nation and year. Every row is checked before
anything is written, and every problem is reported with its file, row and column; one bad row
rejects the import. Besides the inputs, NATO's published ratios are kept: each nation-year's % of
GDP (Table 3; the Table 8a equipment share is the equipment input itself) and, from NATO's own
aggregate rows, the aggregates' published ratios. They are the figures shown; the portal still
builds every figure from the inputs, as their reconciliation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.files import File

from pledges.choices import Aggregate
from pledges.models import YEAR_MAX, YEAR_MIN
from portal.models import Nation
from portal.uploads import RowErrors, UploadFormat, decode_csv, file_error, read_upload

MAX_FILE_BYTES = 20 * 1024 * 1024
# NATO publishes the tables as UTF-8 CSV; anything else is a file saved by hand, asked for again.
CSV_UTF8 = UploadFormat(
    xlsx=False,
    max_csv_bytes=MAX_FILE_BYTES,
    encodings=("utf-8",),
    not_text="not UTF-8 text; save it as CSV UTF-8.",
)
# NATO's 2026 edition, shipped with the code (demo data, tests, benchmarks).
SHIPPED_DATA = Path(__file__).resolve().parent / "data" / "nato"
# NATO's aggregate rows, by the ``geo`` codes its files have used.
AGGREGATE_GEOS = {
    "NATO_TOTAL": Aggregate.NATO,
    "NATO": Aggregate.NATO,
    "NATO_EUR_CAN": Aggregate.NATO_EUROPE_CANADA,
    "NATO_EU_CA": Aggregate.NATO_EUROPE_CANADA,
}
# Ratios each file may publish beside the inputs, and the row field each goes to; a nation's
# equipment share is an input (the aggregates' is computed from the nations' shares).
PUBLISHED_COLUMNS = (("published_pct_gdp", "published_pct_gdp"), ("published_equipment_pct", "equipment_pct"))


@dataclass(frozen=True)
class Edition:
    """An edition's validated rows: ``rows`` per nation and year (``nation``, ``year``, the input
    fields and ``published_pct_gdp``), ``aggregates`` NATO's published aggregates (``subject``,
    ``year``, ``pct_gdp``, ``equipment_pct``)."""

    rows: list[dict]
    aggregates: list[dict]


@dataclass(frozen=True)
class EditionFiles:
    national_currency: Path | None
    usd: Path | None


def edition_files(path: Path, edition: int) -> EditionFiles:
    """The edition's files from a directory, or from one of them (its sibling is picked up)."""
    nc_name, usd_name = (
        f"defence-expenditure-{edition}-edition.csv",
        f"defence-expenditure-{edition}-edition-usd.csv",
    )
    folder = path if path.is_dir() else path.parent
    if not path.exists():
        raise file_error("no such file or directory.", file=str(path))
    if path.is_file() and path.name not in {nc_name, usd_name}:
        # Any other name: read it as whichever kind its header says.
        return _by_header(path)
    nc, usd = folder / nc_name, folder / usd_name
    found = EditionFiles(nc if nc.is_file() else None, usd if usd.is_file() else None)
    if found.national_currency is None and found.usd is None:
        raise file_error(
            f"neither {nc_name} nor {usd_name} is there (is --edition right?).", file=str(folder)
        )
    return found


def _by_header(path: Path) -> EditionFiles:
    return EditionFiles(None, path) if kind_of(_read_text(path)) == "usd" else EditionFiles(path, None)


def _read_text(path: Path) -> str:
    with path.open("rb") as handle:
        data = read_upload(
            File(handle),
            MAX_FILE_BYTES,
            too_large=lambda size: f"{size:,} bytes; the limit is {MAX_FILE_BYTES:,}.",
            file=path.name,
        )
    return decode(path.name, data)


@dataclass
class _Cells:
    """One CSV row's cells, read with per-cell error reporting (row numbered as a spreadsheet does)."""

    raw: Mapping[str, str]
    file: str
    row: int
    errors: RowErrors

    def error(self, column: str, message: str) -> None:
        self.errors.add(self.row, column, message, file=self.file)

    def text(self, column: str) -> str:
        return (self.raw.get(column) or "").strip()

    def number(self, column: str, *, share: bool = False) -> Decimal | None:
        """A non-negative amount (a share at most 100), two decimals; None if blank or refused."""
        value = self.raw.get(column) or ""
        text = value.strip().replace(",", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(column, f"{value!r} is not a number.")
            return None
        if number < 0:
            self.error(column, f"{value} is negative; amounts and shares cannot be.")
            return None
        if share and number > 100:
            self.error(column, f"{value} is over 100; a share is a percentage.")
            return None
        if abs(number.as_tuple().exponent) > 2 or number >= Decimal("1e16"):
            number = number.quantize(Decimal("0.01"))
            if number >= Decimal("1e16"):
                self.error(column, f"{value} is too large.")
                return None
        return number

    def year(self) -> int | None:
        value = self.raw.get("year") or ""
        if not value.strip().isdigit():
            self.error("year", f"{value!r} is not a year.")
            return None
        year = int(value)
        if not YEAR_MIN <= year <= YEAR_MAX:
            self.error("year", f"{year} is outside {YEAR_MIN} to {YEAR_MAX}.")
            return None
        return year

    def flag(self, column: str) -> bool:
        text = self.text(column).lower()
        if text in {"true", "1", "yes", "y", "e"}:
            return True
        if text not in {"false", "0", "no", "n", ""}:
            self.error(column, f"{self.raw.get(column)!r} is not true or false.")
        return False


@dataclass
class _Parsed:
    """One file's validated rows: per nation ``{(iso3, year): fields}``, and NATO's aggregates
    ``{(aggregate code, year): fields}``."""

    nations: dict[tuple[str, int], dict]
    aggregates: dict[tuple[str, int], dict]


def _aggregate_row(cells: _Cells, first_row: dict, out: dict, number: int) -> None:
    """NATO's own row for an aggregate: only its published ratios are kept (the portal sums the
    nations' inputs itself)."""
    code = AGGREGATE_GEOS[cells.text("geo")]
    year = cells.year()
    fields = {
        "pct_gdp": cells.number("published_pct_gdp", share=True),
        "equipment_pct": cells.number("published_equipment_pct", share=True),
    }
    if year is None or not _first_time(cells, (code, year), first_row, number):
        return
    if fields["pct_gdp"] is not None or fields["equipment_pct"] is not None:
        out[(code, year)] = fields


def _first_time(cells: _Cells, key: tuple[str, int], first_row: dict, number: int) -> bool:
    """Whether the file has not had ``key`` (code, year) yet; a repeat is reported against the row
    that had it first."""
    if key in first_row:
        cells.error("year", f"{key[0]} {key[1]} is already on row {first_row[key]}.")
        return False
    first_row[key] = number
    return True


def parse_rows(
    rows: Iterable[Mapping[str, str]],
    *,
    file: str,
    kind: str,
    price_base: int,
    nations: Mapping[str, Nation],
    errors: RowErrors,
) -> _Parsed:
    """Validate one file's rows; ``kind`` is "nc" or "usd"."""
    out: dict[tuple[str, int], dict] = {}
    aggregates: dict[tuple[str, int], dict] = {}
    first_row: dict[tuple[str, int], int] = {}
    for number, raw in enumerate(rows, start=2):
        cells = _Cells(raw, file, number, errors)
        if cells.text("geo") in AGGREGATE_GEOS and not cells.text("country_iso3"):
            _aggregate_row(cells, first_row, aggregates, number)
            continue
        code = cells.text("country_iso3").upper()
        nation = nations.get(code)
        if not code:
            cells.error("country_iso3", "The nation code is missing.")
        elif nation is None:
            cells.error("country_iso3", f"Unknown nation {code!r}.")
        year = cells.year()
        fields: dict = {}
        if kind == "usd":
            fields["is_estimate"] = cells.flag("estimate")
            columns = (
                ("def_usd_current_m", "def_usd_current_m"),
                ("gdp_usd_current_m", "gdp_usd_current_m"),
                (f"def_usd_{price_base}_m", "def_usd_constant_m"),
                (f"gdp_usd_{price_base}_m", "gdp_usd_constant_m"),
            )
            for column, name in columns:
                fields[name] = cells.number(column)
                if name.startswith("gdp_") and fields[name] == 0:
                    cells.error(column, "GDP cannot be zero.")
        else:
            fields["is_estimate"] = "(estimate)" in cells.text("source")
            fields["def_nc_current_m"] = cells.number("defence_exp_nc_million")
            currency = cells.text("currency").upper()
            if currency and (len(currency) != 3 or not currency.isalpha()):
                cells.error("currency", f"{currency!r} is not an ISO 4217 code.")
            elif fields["def_nc_current_m"] is not None and not currency:
                cells.error("currency", "Give the currency of the national-currency amount.")
            fields["currency"] = currency
        for column, name in PUBLISHED_COLUMNS:
            fields[name] = cells.number(column, share=True)
        if nation is None or year is None or not _first_time(cells, (code, year), first_row, number):
            continue
        out[(code, year)] = fields
    return _Parsed(out, aggregates)


def _check_header(text: str, *, file: str, kind: str, price_base: int, errors: RowErrors) -> bool:
    """Whether the file's header names every column its kind needs; what it lacks goes to ``errors``."""
    header = next(csv.reader(io.StringIO(text)), [])
    needed = {"country_iso3", "year"} | (
        {
            "estimate",
            "def_usd_current_m",
            "gdp_usd_current_m",
            f"def_usd_{price_base}_m",
            f"gdp_usd_{price_base}_m",
        }
        if kind == "usd"
        else {"defence_exp_nc_million", "currency"}
    )
    missing = sorted(needed - {h.strip() for h in header})
    if not missing:
        return True
    hint = ""
    if kind == "usd" and any(h.startswith("def_usd_") and h[8:12].isdigit() for h in header):
        bases = sorted({h[8:12] for h in header if h.startswith("def_usd_") and h[8:12].isdigit()})
        hint = f" The file has constant prices of {', '.join(bases)}; is --price-base right?"
    errors.add(0, "", f"the header lacks {', '.join(missing)}.{hint}", file=file)
    return False


def decode(name: str, data: bytes) -> str:
    """An uploaded or read file as text (UTF-8, with or without a BOM), within the size limit."""
    return decode_csv(data, CSV_UTF8, file=name)


def kind_of(text: str) -> str:
    """ "usd" for a Tables 2/5 file (its header has USD amounts), else "nc" (Table 1)."""
    header = text.splitlines()[:1]
    return "usd" if header and "def_usd_current_m" in header[0] else "nc"


def read_edition(path: Path, *, edition: int, price_base: int) -> Edition:
    """The edition's merged, validated rows and NATO's published aggregates."""
    files = edition_files(path, edition)
    texts = {
        kind: (file_path.name, _read_text(file_path))
        for kind, file_path in (("nc", files.national_currency), ("usd", files.usd))
        if file_path is not None
    }
    return read_edition_texts(texts, price_base=price_base)


def read_edition_texts(texts: dict[str, tuple[str, str]], *, price_base: int) -> Edition:
    """Like ``read_edition``, from ``{"nc" | "usd": (file name, text)}`` (uploads, tests)."""
    nations = {n.code: n for n in Nation.objects.all()}
    # No cap: NATO's tables are a few hundred rows, and the secretariat is shown every problem.
    errors = RowErrors(None)
    parsed: dict[str, _Parsed] = {}
    for kind, (name, text) in texts.items():
        if not _check_header(text, file=name, kind=kind, price_base=price_base, errors=errors):
            continue
        parsed[kind] = parse_rows(
            csv.DictReader(io.StringIO(text)),
            file=name,
            kind=kind,
            price_base=price_base,
            nations=nations,
            errors=errors,
        )
    empty = _Parsed({}, {})
    nc, usd = parsed.get("nc", empty).nations, parsed.get("usd", empty).nations
    merged: list[dict] = []
    for key in sorted(set(nc) | set(usd)):
        a, b = nc.get(key, {}), usd.get(key, {})
        row = {"nation": nations[key[0]], "year": key[1], **a, **b}
        if a and b:
            for name, what in (
                ("equipment_pct", "equipment shares"),
                ("published_pct_gdp", "% of GDP figures"),
            ):
                if a[name] != b[name] and None not in (a[name], b[name]):
                    # Neither file is wrong on its own: the nation and year say where to look.
                    errors.add(
                        0,
                        "",
                        f"the two files give different {what} ({a[name]} and {b[name]}).",
                        file=f"{key[0]} {key[1]}",
                    )
                row[name] = b[name] if b[name] is not None else a[name]
            row["is_estimate"] = a["is_estimate"] or b["is_estimate"]
        merged.append(row)
    published = {**parsed.get("nc", empty).aggregates, **parsed.get("usd", empty).aggregates}
    aggregates = [
        {"subject": code, "year": year, **fields} for (code, year), fields in sorted(published.items())
    ]
    if errors:
        raise errors.rejection()
    return Edition(rows=merged, aggregates=aggregates)

"""Workbooks written part by part, for the upload reader's tests and bench: shapes that openpyxl's
own writer never produces but an uploader can send (no ``<dimension>``, rows numbered at will, any
size, streamed so that a large one costs little memory to build)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Iterable
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _parts(with_strings: bool) -> dict[str, str]:
    strings_type = (
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
        if with_strings
        else ""
    )
    strings_rel = (
        f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
        if with_strings
        else ""
    )
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
            f"{strings_type}</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{_DOC}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{strings_rel}</Relationships>"
        ),
    }


def _stream(archive: zipfile.ZipFile, name: str, head: bytes, body: Iterable[bytes], tail: bytes) -> None:
    with archive.open(name, "w", force_zip64=True) as part:
        part.write(head)
        batch: list[bytes] = []
        for piece in body:
            batch.append(piece)
            if len(batch) == 4096:
                part.write(b"".join(batch))
                batch.clear()
        part.write(b"".join(batch) + tail)


def xlsx(rows: Iterable[bytes], *, head: bytes = b"", shared_strings: Iterable[bytes] | None = None) -> bytes:
    """A workbook of one sheet whose ``<sheetData>`` holds ``rows`` (row XML, see ``row``), with
    ``head`` before it (a ``<dimension>``, say) and, if given, a shared-string table of
    ``shared_strings`` (``<si>`` XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _parts(shared_strings is not None).items():
            archive.writestr(name, text)
        _stream(
            archive,
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}">'.encode() + head + b"<sheetData>",
            rows,
            b"</sheetData></worksheet>",
        )
        if shared_strings is not None:
            _stream(
                archive, "xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">'.encode(), shared_strings, b"</sst>"
            )
    return out.getvalue()


def cell(value: int | str | None) -> bytes:
    if value is None:
        return b"<c/>"
    if isinstance(value, int):
        return b"<c><v>%d</v></c>" % value
    return f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>'.encode()


def row(number: int, *values: int | str | None) -> bytes:
    """A row of cells in column order: numbers, inline texts, or ``None`` for an empty cell."""
    return b'<row r="%d">' % number + b"".join(map(cell, values)) + b"</row>"


SHEET = "xl/worksheets/sheet1.xml"


def count_work(monkeypatch) -> Counter:
    """Count what reading an upload costs: ``rows parsed`` by openpyxl, and ``sheet bytes read``
    (decompressed from the sheet's XML, by openpyxl or by the reader's own checks)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    work: Counter = Counter()
    parse_row, read = WorkSheetParser.parse_row, zipfile.ZipExtFile.read

    def counting_parse_row(parser, element):
        work["rows parsed"] += 1
        return parse_row(parser, element)

    def counting_read(part, n=-1):
        data = read(part, n)
        if part.name == SHEET:
            work["sheet bytes read"] += len(data)
        return data

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting_parse_row)
    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return work

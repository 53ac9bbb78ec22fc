"""Meeting documents (issue 13, "Documents" and "Bad input"): PDF, DOCX and XLSX accepted by their
content; hostile files refused with a message on the file, leaving no row, no file and no audit
row; names nobody can guess; downloads only through the scoped view, with its headers.

Decision: the name must agree with the content. A workbook named ``.docx`` is refused, with the
name it should have, rather than kept under a name that opens it in the wrong program."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook
from pdfminer.high_level import extract_text

from boards import selectors, services
from boards.documents import CONTENT_TYPES, DocumentKind
from boards.models import Document
from boards.models.documents import PrivateFileSystemStorage
from boards.tests.factories import make_meeting, make_world, pdf_bytes
from portal.exceptions import Forbidden, NotFound
from portal.models import ObjectChange
from portal.spreadsheets import DEFAULT_MAX_ENTRIES

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


# --- Real files, built here --------------------------------------------------------------------


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def package(
    main_type: str = WORD_MAIN,
    main_part: str = "word/document.xml",
    extra: dict[str, bytes] | None = None,
    defaults: str = "",
    rels: bool = True,
) -> bytes:
    """An Office Open XML package: [Content_Types].xml, the package relationships, the main part."""
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{defaults}'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="{main_part}"/></Relationships>'
    )
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Minutes</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        if rels:
            archive.writestr("_rels/.rels", relationships)
        archive.writestr(main_part, body)
        for name, data in (extra or {}).items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return package()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Item", "Quantity"])
    workbook.active.append(["155 mm", 220_000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, replace: dict[str, tuple[bytes, bytes]], add: dict[str, bytes]) -> bytes:
    """``data``'s zip with text replaced in some parts and parts added."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename in replace:
                content = content.replace(*replace[info.filename])
            archive.writestr(info.filename, content)
        for name, content in add.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsm_bytes() -> bytes:
    """A macro-enabled workbook, as Excel saves one: the macro main type and a VBA project."""
    return rewritten(
        xlsx_bytes(),
        {
            "[Content_Types].xml": (
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        },
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60},
    )


def patched_central_directory(data: bytes, name: str, **fields: int) -> bytes:
    """``data`` with the central directory record of ``name`` lying: ``flags``, ``compressed`` or
    ``uncompressed`` set to the values given."""
    at, out = 0, bytearray(data)
    while True:
        at = out.index(b"PK\x01\x02", at)
        name_length = struct.unpack("<H", out[at + 28 : at + 30])[0]
        if out[at + 46 : at + 46 + name_length].decode() == name:
            break
        at += 4
    for field, offset, shape in (("flags", 8, "<H"), ("compressed", 20, "<L"), ("uncompressed", 24, "<L")):
        if field in fields:
            out[at + offset : at + offset + struct.calcsize(shape)] = struct.pack(shape, fields[field])
    return bytes(out)


def stream_zip(entries) -> bytes:
    """A zip of (name, chunks) entries, each written a chunk at a time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=False) as part:
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def storage_root(documents_root) -> Path:
    """Documents go to a temporary folder (the root conftest's), never the repository's."""
    return documents_root


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.fixture
def meetings(world):
    """A meeting of each working group, and the Board's first meeting with its minutes approved
    at the second (so directors may read that meeting, though never its documents)."""
    wg1 = make_meeting(world.wg1_member, world.wg1, title="WG1 held")
    wg2 = make_meeting(world.wg2_member, world.wg2, title="WG2 held")
    board = make_meeting(world.secretariat, world.board, days_from_now=-60, title="Board 1")
    later = make_meeting(world.secretariat, world.board, days_from_now=-5, title="Board 2")
    minutes = services.minutes_draft(actor=world.secretariat, meeting=board, text="Board minutes")
    services.minutes_approve(actor=world.secretariat, minutes=minutes, at_meeting=later)
    return {"wg1": wg1, "wg2": wg2, "board": board}


def upload(actor, meeting, name: str, data: bytes, **kwargs) -> Document:
    return services.document_upload(
        actor=actor, meeting=meeting, file=SimpleUploadedFile(name, data), **kwargs
    )


def document_audit_rows():
    return ObjectChange.objects.filter(content_type__app_label="boards", content_type__model="document")


def refused(actor, meeting, name: str, data, root: Path, **kwargs) -> str:
    """Upload a file that must be refused: return the message on ``file``, having checked that
    nothing was stored, no row written and no audit row left."""
    upload_file = data if isinstance(data, File) else SimpleUploadedFile(name, data)
    with pytest.raises(ValidationError) as error:
        services.document_upload(actor=actor, meeting=meeting, file=upload_file, **kwargs)
    assert stored_files(root) == []
    assert not Document.objects.exists()
    assert not document_audit_rows().exists()
    messages = error.value.message_dict
    assert list(messages) == ["file"], messages
    return messages["file"][0]


# --- Accepted files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "kind"),
    [
        ("Agenda.pdf", pdf_bytes, DocumentKind.PDF),
        ("Minutes draft.docx", docx_bytes, DocumentKind.DOCX),
        ("Capacity figures.XLSX", xlsx_bytes, DocumentKind.XLSX),
    ],
)
def test_each_allowed_type_is_accepted_by_its_content_and_stored(
    world, meetings, storage_root, name, build, kind
):
    data = build()
    document = upload(world.wg1_member, meetings["wg1"], name, data)
    document.refresh_from_db()
    assert document.kind == kind
    assert document.content_type == CONTENT_TYPES[kind]
    assert document.original_name == name
    assert document.title == name.rsplit(".", 1)[0]
    assert document.size == len(data)
    assert document.uploaded_by == world.wg1_member
    [stored] = stored_files(storage_root)
    assert stored.read_bytes() == data


def test_the_pdf_built_here_is_a_real_pdf():
    assert "Agenda of the inaugural meeting" in extract_text(io.BytesIO(pdf_bytes()))


def test_a_document_may_belong_to_an_agenda_item_of_its_meeting_only(world, meetings, storage_root):
    item = services.agenda_item_add(actor=world.wg1_member, meeting=meetings["wg1"], title="Capacity")
    document = upload(world.wg1_member, meetings["wg1"], "a.pdf", pdf_bytes(), title=" Capacity paper ")
    assert document.agenda_item is None
    on_item = upload(world.wg1_member, meetings["wg1"], "b.pdf", pdf_bytes(), agenda_item=item)
    assert on_item.agenda_item == item
    assert document.title == "Capacity paper"
    other = services.agenda_item_add(actor=world.wg2_member, meeting=meetings["wg2"], title="Risks")
    with pytest.raises(ValidationError) as error:
        upload(world.secretariat, meetings["wg1"], "c.pdf", pdf_bytes(), agenda_item=other)
    assert "agenda_item" in error.value.message_dict
    assert len(stored_files(storage_root)) == 2


def test_the_stored_name_is_random_and_says_nothing_of_the_upload(world, meetings, storage_root):
    first = upload(world.wg1_member, meetings["wg1"], "WG1 secret capacity.pdf", pdf_bytes())
    second = upload(world.wg1_member, meetings["wg1"], "WG1 secret capacity.pdf", pdf_bytes())
    names = [first.file.name, second.file.name]
    assert names[0] != names[1]
    for name in names:
        assert "secret" not in name.lower()
        assert not name.endswith(".pdf")
        # 32 random bytes, URL-safe: 43 characters from 64, behind a two-character folder.
        assert re.fullmatch(r"[A-Za-z0-9_-]{2}/[A-Za-z0-9_-]{43}", name), name
    assert sorted(p.relative_to(storage_root).as_posix() for p in stored_files(storage_root)) == sorted(names)


def test_the_storage_never_gives_out_a_url(world, meetings):
    document = upload(world.wg1_member, meetings["wg1"], "a.pdf", pdf_bytes())
    with pytest.raises(NotImplementedError):
        _ = document.file.url
    assert isinstance(document.file.storage.current(), PrivateFileSystemStorage)


def test_an_upload_is_audited_without_its_storage_name(world, meetings):
    data = pdf_bytes()
    document = upload(world.wg1_member, meetings["wg1"], "a.pdf", data)
    [row] = document_audit_rows()
    assert (row.action, row.object_id, row.actor) == ("create", str(document.pk), world.wg1_member)
    assert row.after["sha256"] == document.sha256
    assert row.after["original_name"] == "a.pdf"
    assert row.after["meeting_id"] == meetings["wg1"].pk
    assert "file" not in row.after


def test_control_and_direction_characters_are_dropped_from_the_name(world, meetings):
    # U+202E would show "agenda\u202efdp.exe" as "agendaexe.pdf".
    document = upload(world.wg1_member, meetings["wg1"], "a\x07gen\u202eda.pdf", pdf_bytes())
    assert document.original_name == "agenda.pdf"


# --- Hostile and wrong files -------------------------------------------------------------------


def test_an_exe_renamed_pdf_is_refused(world, meetings, storage_root):
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."
    message = refused(world.wg1_member, meetings["wg1"], "agenda.pdf", exe, storage_root)
    assert "program" in message


def test_a_text_file_renamed_docx_is_refused(world, meetings, storage_root):
    message = refused(world.wg1_member, meetings["wg1"], "minutes.docx", b"Just some notes\n", storage_root)
    assert "Only PDF, Word (.docx) and Excel (.xlsx)" in message


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [
        ("figures.docx", xlsx_bytes, ".xlsx"),  # an xlsx renamed .docx
        ("minutes.xlsx", docx_bytes, ".docx"),
        ("agenda.docx", pdf_bytes, ".pdf"),
        ("agenda", pdf_bytes, ".pdf"),
    ],
)
def test_a_name_that_disagrees_with_the_content_is_refused_with_the_right_name(
    world, meetings, storage_root, name, build, expected
):
    message = refused(world.wg1_member, meetings["wg1"], name, build(), storage_root)
    assert f"its name must end in {expected}" in message


def test_a_macro_enabled_workbook_is_refused(world, meetings, storage_root):
    for name in ("budget.xlsm", "budget.xlsx"):
        message = refused(world.wg1_member, meetings["wg1"], name, xlsm_bytes(), storage_root)
        assert "macros" in message


def test_a_word_package_holding_a_vba_project_is_refused_whatever_its_main_type_says(
    world, meetings, storage_root
):
    hidden = package(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60})
    assert "macros" in refused(world.wg1_member, meetings["wg1"], "a.docx", hidden, storage_root)
    docm = package("application/vnd.ms-word.document.macroEnabled.main+xml")
    assert "macros" in refused(world.wg1_member, meetings["wg1"], "a.docx", docm, storage_root)


@pytest.mark.parametrize(
    ("main_type", "words"),
    [
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "template"),
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "PowerPoint"),
        ("application/xml", "not a Word (.docx) or Excel (.xlsx) document"),
    ],
)
def test_other_office_packages_are_refused_saying_what_they_are(
    world, meetings, storage_root, main_type, words
):
    assert words in refused(world.wg1_member, meetings["wg1"], "a.docx", package(main_type), storage_root)


def test_a_zip_that_is_not_an_office_document_is_refused(world, meetings, storage_root):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", "hello")
    for data in (buffer.getvalue(), package(rels=False)):
        message = refused(world.wg1_member, meetings["wg1"], "a.docx", data, storage_root)
        assert "not a Word (.docx) or Excel (.xlsx) document" in message


def test_a_package_whose_main_part_is_missing_or_outside_it_is_refused(world, meetings, storage_root):
    missing = rewritten(
        docx_bytes(), {"_rels/.rels": (b'Target="word/document.xml"', b'Target="word/x.xml"')}, {}
    )
    outside = rewritten(
        docx_bytes(), {"_rels/.rels": (b'Target="word/document.xml"', b'Target="../../etc/passwd"')}, {}
    )
    for data in (missing, outside):
        message = refused(world.wg1_member, meetings["wg1"], "a.docx", data, storage_root)
        assert "not a Word (.docx) or Excel (.xlsx) document" in message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(world, meetings, storage_root):
    # A .docx carrying 300 MB of zeros packed into about 300 KB: refused on its compression ratio.
    parts = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    bomb = stream_zip(
        [(info.filename, [parts.read(info)]) for info in parts.infolist()]
        + [("word/media/zeros.bin", (b"\0" * MB for _ in range(300)))]
    )
    assert len(bomb) < 2 * MB
    message = refused(world.wg1_member, meetings["wg1"], "a.docx", bomb, storage_root)
    assert "zip bomb" in message


def test_a_zip_declaring_a_huge_unpacked_size_is_refused(world, meetings, storage_root):
    # One part declaring 250 MB unpacked from 2.5 MB: a ratio of 100, under the ratio limit, but
    # over the 200 MB the whole file may unpack to.
    data = package(extra={"word/media/big.bin": b"x" * 4096})
    lying = patched_central_directory(data, "word/media/big.bin", compressed=2_500_000, uncompressed=250 * MB)
    message = refused(world.wg1_member, meetings["wg1"], "a.docx", lying, storage_root)
    assert "unpacks to 250.0" in message


def test_a_zip_with_too_many_entries_is_refused(world, meetings, storage_root):
    extra = {f"word/media/{n}.bin": b"" for n in range(DEFAULT_MAX_ENTRIES)}
    message = refused(world.wg1_member, meetings["wg1"], "a.docx", package(extra=extra), storage_root)
    assert f"{DEFAULT_MAX_ENTRIES + 3:,} parts" in message


def test_a_zip_whose_end_record_understates_its_entries_is_still_counted(world, meetings, storage_root):
    extra = {f"word/media/{n}.bin": b"" for n in range(DEFAULT_MAX_ENTRIES)}
    data = bytearray(package(extra=extra))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = struct.pack("<2H", 3, 3)
    message = refused(world.wg1_member, meetings["wg1"], "a.docx", bytes(data), storage_root)
    assert f"{DEFAULT_MAX_ENTRIES + 3:,} parts" in message


def test_a_package_with_zip64_end_records_is_read(world, meetings, monkeypatch):
    # Some writers always end with zip64 records and saturate the plain end record's fields.
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 0)
    data = bytearray(docx_bytes())
    monkeypatch.undo()
    end = data.rfind(b"PK\x05\x06")
    assert data[end - 20 : end - 16] == b"PK\x06\x07"
    data[end + 8 : end + 16] = struct.pack("<2HL", 0xFFFF, 0xFFFF, 0xFFFFFFFF)
    document = upload(world.wg1_member, meetings["wg1"], "a.docx", bytes(data))
    assert document.kind == DocumentKind.DOCX


def test_an_upload_spooled_to_disk_is_read_in_place(world, meetings, storage_root):
    data = xlsx_bytes()
    spooled = TemporaryUploadedFile("figures.xlsx", "application/octet-stream", len(data), None)
    spooled.write(data)
    spooled.seek(0)
    document = services.document_upload(actor=world.wg1_member, meeting=meetings["wg1"], file=spooled)
    assert document.kind == DocumentKind.XLSX
    assert stored_files(storage_root)[0].read_bytes() == data
    spooled.close()  # as the request's end does; the storage moved the spooled file into place


def test_a_zip_whose_list_of_parts_is_too_large_is_refused_before_zipfile_reads_it(
    world, meetings, storage_root
):
    # A hundred parts with 50,000-character names: a 5 MB central directory.
    extra = {f"word/{n:03}" + "a" * 50_000: b"" for n in range(100)}
    message = refused(world.wg1_member, meetings["wg1"], "a.docx", package(extra=extra), storage_root)
    assert "list of parts" in message


@pytest.mark.parametrize(
    "name", ["../evil.txt", "word/../../evil.txt", "/etc/cron.d/x", "C:/x.txt", "word\\x"]
)
def test_a_zip_with_a_path_leaving_the_package_is_refused(world, meetings, storage_root, name):
    data = package(extra={name: b"payload"})
    message = refused(world.wg1_member, meetings["wg1"], "a.docx", data, storage_root)
    assert "points outside it" in message


def test_a_zip_with_a_part_named_twice_is_refused(world, meetings, storage_root):
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = package(extra={"word/document.xml": b"<other/>"})
    message = refused(world.wg1_member, meetings["wg1"], "a.docx", data, storage_root)
    assert "same name" in message


def test_a_zip_with_an_encrypted_part_is_refused(world, meetings, storage_root):
    data = patched_central_directory(docx_bytes(), "word/document.xml", flags=0x1)
    assert "encrypted" in refused(world.wg1_member, meetings["wg1"], "a.docx", data, storage_root)


def test_an_encrypted_office_file_and_an_old_doc_are_refused_each_with_its_own_message(
    world, meetings, storage_root
):
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    encrypted = header + b"\0" * 3000 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 2000
    assert "password-protected" in refused(
        world.wg1_member, meetings["wg1"], "a.docx", encrypted, storage_root
    )
    old = header + b"\0" * 5000
    assert "old-format" in refused(world.wg1_member, meetings["wg1"], "a.docx", old, storage_root)


def test_a_damaged_zip_and_a_truncated_pdf_are_refused(world, meetings, storage_root):
    damaged = docx_bytes()[:-30]
    assert "damaged" in refused(world.wg1_member, meetings["wg1"], "a.docx", damaged, storage_root)
    truncated = pdf_bytes()[:-10]
    assert "incomplete" in refused(world.wg1_member, meetings["wg1"], "a.pdf", truncated, storage_root)


def test_an_empty_file_is_refused(world, meetings, storage_root):
    assert refused(world.wg1_member, meetings["wg1"], "a.pdf", b"", storage_root) == "The file is empty."


def test_a_file_over_the_limit_is_refused(world, meetings, storage_root, settings):
    settings.BOARDS_DOCUMENT_MAX_BYTES = 2000
    data = pdf_bytes() + b"%" * (2001 - len(pdf_bytes()))
    message = refused(world.wg1_member, meetings["wg1"], "a.pdf", data, storage_root)
    assert message == "This file is 2.0\xa0KB; files of up to 2.0\xa0KB are accepted."
    # At the limit exactly, it is accepted.
    ok = pdf_bytes()
    ok = ok[:9] + b"%" * (2000 - len(ok)) + ok[9:]
    assert upload(world.wg1_member, meetings["wg1"], "a.pdf", ok).size == 2000


def test_a_file_larger_than_it_says_is_stopped_at_the_limit(world, meetings, storage_root, settings):
    settings.BOARDS_DOCUMENT_MAX_BYTES = 100_000
    data = b"%PDF-1.4\n" + b"0" * 300_000 + b"%%EOF\n"
    lying = InMemoryUploadedFile(io.BytesIO(data), "file", "a.pdf", "application/pdf", 10, None)
    message = refused(world.wg1_member, meetings["wg1"], "a.pdf", lying, storage_root)
    assert message == "This file is larger than 97.7\xa0KB; files of up to 97.7\xa0KB are accepted."


class Unreadable(File):
    """A file whose bytes must not be read: only its size may be asked."""

    def chunks(self, chunk_size=None):
        raise AssertionError("the file was read")

    def read(self, *args):
        raise AssertionError("the file was read")


def sparse_pdf(path: Path, size: int) -> Path:
    """A PDF-looking file of ``size`` bytes on disk, mostly a hole: no memory, little disk."""
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        out.truncate(size - 6)
        out.seek(size - 6)
        out.write(b"%%EOF\n")
    return path


def test_a_real_file_over_20_mb_is_refused_before_a_byte_is_read(world, meetings, storage_root, tmp_path):
    path = sparse_pdf(tmp_path / "big.pdf", 20 * MB + 1)
    with path.open("rb") as handle:
        big = Unreadable(handle, name="big.pdf")
        message = refused(world.wg1_member, meetings["wg1"], "big.pdf", big, storage_root)
    assert message == "This file is 20.0\xa0MB; files of up to 20.0\xa0MB are accepted."


def test_a_real_file_of_20_mb_exactly_is_accepted(world, meetings, storage_root, tmp_path):
    path = sparse_pdf(tmp_path / "big.pdf", 20 * MB)
    with path.open("rb") as handle:
        document = services.document_upload(
            actor=world.wg1_member, meeting=meetings["wg1"], file=File(handle, name="big.pdf")
        )
    assert document.size == 20 * MB
    [stored] = stored_files(storage_root)
    assert os.path.getsize(stored) == 20 * MB


# --- Scope -------------------------------------------------------------------------------------


def test_only_the_meetings_members_and_the_secretariat_add_documents(
    world, meetings, make_user, storage_root
):
    with pytest.raises(NotFound):
        upload(world.wg1_member, meetings["wg2"], "a.pdf", pdf_bytes())
    for role, nation in (("director", "POL"), ("partner", "UKR"), ("nspa", None)):
        with pytest.raises(Forbidden):
            upload(make_user(role, nation, username=f"x_{role}"), meetings["board"], "a.pdf", pdf_bytes())
    assert stored_files(storage_root) == []
    upload(world.secretariat, meetings["wg2"], "a.pdf", pdf_bytes())
    upload(world.chair, meetings["board"], "a.pdf", pdf_bytes())
    assert Document.objects.count() == 2


def test_document_list_is_scoped_to_the_meetings_a_reader_sits_on(world, meetings, make_user):
    wg1 = upload(world.wg1_member, meetings["wg1"], "one.pdf", pdf_bytes())
    wg2 = upload(world.wg2_member, meetings["wg2"], "two.pdf", pdf_bytes())
    board = upload(world.secretariat, meetings["board"], "board.pdf", pdf_bytes())
    director = make_user("director", "POL", username="d_pol")
    partner = make_user("partner", "UKR", username="p_ukr")

    def read(user, **kwargs):
        return set(selectors.document_list(user=user, **kwargs))

    assert read(world.wg1_member) == {wg1}
    assert read(world.wg2_member) == {wg2}
    assert read(world.chair) == {wg1, board}
    assert read(world.secretariat) == {wg1, wg2, board}
    assert read(world.secretariat, meeting=meetings["wg2"]) == {wg2}
    # The director reads the Board's approved meeting, but none of its documents.
    assert meetings["board"] in set(selectors.meeting_list(user=director))
    assert read(director) == set()
    assert read(partner) == set()


def test_document_list_orders_the_meetings_own_documents_before_the_agenda_items(world, meetings):
    meeting = meetings["wg1"]
    first = services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title="First")
    second = services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title="Second")
    on_second = upload(world.wg1_member, meeting, "b.pdf", pdf_bytes(), agenda_item=second)
    on_first = upload(world.wg1_member, meeting, "a.pdf", pdf_bytes(), agenda_item=first)
    general = upload(world.wg1_member, meeting, "c.pdf", pdf_bytes())
    assert list(selectors.document_list(user=world.wg1_member, meeting=meeting)) == [
        general,
        on_first,
        on_second,
    ]


def test_document_list_reads_in_one_query_at_any_size(world, meetings):
    counts = []
    for extra in (1, 4):
        for _ in range(extra):
            upload(world.wg1_member, meetings["wg1"], "a.pdf", pdf_bytes())
        with CaptureQueriesContext(connection) as queries:
            rows = [
                (d.title, d.meeting.title, d.agenda_item, d.uploaded_by.username)
                for d in selectors.document_list(user=world.wg1_member, meeting=meetings["wg1"])
            ]
        counts.append(len(queries))
    assert len(rows) == 5
    assert counts == [1, 1]


def test_removal_is_scoped_audited_and_deletes_the_file_after_commit(
    world, meetings, storage_root, make_user, django_capture_on_commit_callbacks
):
    document = upload(world.wg2_member, meetings["wg2"], "a.pdf", pdf_bytes())
    with pytest.raises(NotFound):
        services.document_remove(actor=world.wg1_member, document=document)
    with pytest.raises(NotFound):
        services.document_remove(actor=make_user("director", "POL", username="d"), document=document)
    with django_capture_on_commit_callbacks() as callbacks:
        services.document_remove(actor=world.wg2_member, document=document)
        # Until the removal commits, the file stays: a rollback must find it.
        assert len(stored_files(storage_root)) == 1
    for callback in callbacks:
        callback()
    assert stored_files(storage_root) == []
    assert not Document.objects.exists()
    assert list(document_audit_rows().values_list("action", flat=True).order_by("pk")) == ["create", "delete"]


# --- The download ------------------------------------------------------------------------------


@pytest.fixture
def download(client):
    def get(user, document, method="get"):
        if user is not None:
            client.force_login(user)
        url = reverse("boards:document-download", kwargs={"pk": document.pk})
        return getattr(client, method)(url)

    return get


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_download_is_an_attachment_never_sniffed_nor_cached(world, meetings, download):
    data = xlsx_bytes()
    document = upload(world.wg1_member, meetings["wg1"], 'Capacity "Q1".xlsx', data)
    response = download(world.wg1_member, document)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Capacity \\"Q1\\".xlsx"'
    assert response["Content-Type"] == CONTENT_TYPES[DocumentKind.XLSX]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(data))
    assert body(response) == data


def test_a_non_ascii_name_is_encoded_in_the_download(world, meetings, download):
    document = upload(world.wg1_member, meetings["wg1"], "Procès-verbal été.pdf", pdf_bytes())
    response = download(world.wg1_member, document)
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=utf-8''Proc%C3%A8s-verbal%20%C3%A9t%C3%A9.pdf"
    )


def test_the_download_is_a_404_for_whoever_may_not_see_the_document(world, meetings, make_user, download):
    wg2 = upload(world.wg2_member, meetings["wg2"], "wg2.pdf", pdf_bytes())
    board = upload(world.secretariat, meetings["board"], "board.pdf", pdf_bytes())
    assert download(world.wg1_member, wg2).status_code == 404
    director = make_user("director", "POL", username="d_pol")
    assert download(director, board).status_code == 404
    assert download(make_user("partner", "UKR", username="p"), board).status_code == 404
    assert download(world.secretariat, wg2).status_code == 200
    assert download(world.wg2_member, wg2).status_code == 200
    assert download(world.chair, board).status_code == 200


def test_the_download_of_a_missing_document_is_the_same_404(world, meetings, download):
    document = upload(world.wg1_member, meetings["wg1"], "a.pdf", pdf_bytes())
    document.file.storage.delete(document.file.name)
    assert download(world.wg1_member, document).status_code == 404
    document.pk += 1000
    assert download(world.wg1_member, document).status_code == 404


def test_the_download_asks_a_stranger_to_sign_in_and_takes_only_get(world, meetings, client, download):
    document = upload(world.wg1_member, meetings["wg1"], "a.pdf", pdf_bytes())
    anonymous = download(None, document)
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]
    assert download(world.wg1_member, document, method="post").status_code == 405


# --- Settings ----------------------------------------------------------------------------------


def test_documents_are_stored_by_default_in_a_private_folder_outside_the_static_files(tmp_path):
    from portal.tests.test_env import run_manage

    show = "from django.conf import settings as s; print(s.STORAGES['boards_documents'])"
    result = run_manage("shell", "-c", show, env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "PrivateFileSystemStorage" in result.stdout
    assert str((tmp_path / "documents").resolve()) in result.stdout
    under_static = run_manage(
        "check", env={"BOARDS_DOCUMENT_ROOT": str(tmp_path / "staticfiles" / "docs")}, tmp_path=tmp_path
    )
    assert under_static.returncode == 2
    assert under_static.stderr.strip().startswith("Configuration error: BOARDS_DOCUMENT_ROOT:")


def test_s3_compatible_storage_is_configured_from_the_environment(tmp_path):
    from importlib.util import find_spec

    from portal.tests.test_env import run_manage

    env = {
        "BOARDS_DOCUMENT_STORAGE": "s3",
        "BOARDS_DOCUMENT_S3_BUCKET": "dipb-documents",
        "BOARDS_DOCUMENT_S3_ENDPOINT_URL": "https://s3.example.org",
    }
    show = "from django.conf import settings as s; print(s.STORAGES['boards_documents'])"
    result = run_manage("shell", "-c", show, env=env, tmp_path=tmp_path)
    if find_spec("storages") is None:
        # Not installed here: the setting says what is missing, in one line, at start-up.
        assert result.returncode == 2
        assert "BOARDS_DOCUMENT_STORAGE: s3 needs django-storages[s3]" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert "storages.backends.s3.S3Storage" in result.stdout
        assert "'bucket_name': 'dipb-documents'" in result.stdout
        assert "'endpoint_url': 'https://s3.example.org'" in result.stdout
    missing_bucket = run_manage("check", env={"BOARDS_DOCUMENT_STORAGE": "s3"}, tmp_path=tmp_path)
    assert missing_bucket.returncode == 2
    assert "BOARDS_DOCUMENT_S3_BUCKET: required but not set" in missing_bucket.stderr

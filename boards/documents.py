"""What an uploaded board document is, decided from its bytes, never from its name.

A meeting's documents are PDF, Word (.docx) or Excel (.xlsx) files. A PDF starts with ``%PDF-`` and
ends with ``%%EOF``. A .docx or .xlsx is an Office Open XML package: a zip whose
``[Content_Types].xml`` gives the content type of the main part that ``_rels/.rels`` names, and
that type says word processing or spreadsheet. The zip was written by whoever sent it, so it is
checked before anything in it is trusted: how big its central directory is (read from the end
record before ``zipfile`` builds an entry per record), how many parts it has, how much they unpack
to and how well each is compressed (a zip bomb), that no part's name climbs out of the package
(``../``, an absolute path, a drive), that no name is used twice, that nothing is encrypted, and
that its XML is read through defusedxml. Macro-enabled packages (.docm, .xlsm and their kin, or any
package holding a VBA project), templates, presentations and encrypted Office files (which are OLE
compound files, like the old .doc and .xls) are refused, each with a message saying what to do.

The name must then agree with the content: a workbook named ``.docx`` is refused with the name it
should have, so a download always opens in the program its name promises. Every refusal is a
``ValidationError`` on the ``file`` field, with a message for the person who sent it.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.spreadsheets import (
    DEFAULT_MAX_ENTRIES,
    DEFAULT_MAX_UNCOMPRESSED,
    MAX_COMPRESSION_RATIO,
    OLE2_MAGIC,
    ZIP_MAGIC,
)


class DocumentKind(models.TextChoices):
    PDF = "pdf", gettext_lazy("PDF document")
    DOCX = "docx", gettext_lazy("Word document")
    XLSX = "xlsx", gettext_lazy("Excel workbook")


CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {DocumentKind.PDF: ".pdf", DocumentKind.DOCX: ".docx", DocumentKind.XLSX: ".xlsx"}

# The main part's content type, as [Content_Types].xml gives it, for the two packages accepted.
_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DocumentKind.DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": DocumentKind.XLSX,
}
# The package relationship to the main part: transitional OOXML's, and strict OOXML's.
_OFFICE_DOCUMENT = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_VBA_TYPES = {"application/vnd.ms-office.vbaproject", "application/vnd.ms-word.vbadata+xml"}

# A real .docx or .xlsx has tens of parts, or a few thousand with many images; its central
# directory is 46 bytes a part plus the names, so this is room for DEFAULT_MAX_ENTRIES long names.
MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024
# [Content_Types].xml and _rels/.rels are a few kilobytes; they are the only parts read whole.
MAX_XML_PART = 1024 * 1024
# A PDF reader looks for %%EOF in the file's last kilobyte; so does this check.
PDF_TAIL = 1024
# How an encrypted Office file (an OLE compound file) names the stream that holds the package.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CHUNK = 1024 * 1024


def _refusal(message: str) -> ValidationError:
    return ValidationError({"file": message}, code="invalid")


def _size(value: int) -> str:
    return filesizeformat(value)


@dataclass(frozen=True)
class Inspected:
    """An upload that passed: what it is (``kind`` and the ``content_type`` it is served as), its
    size in bytes and its SHA-256."""

    kind: str
    content_type: str
    size: int
    sha256: str


def clean_file_name(name: str, limit: int = 255) -> str:
    """The uploaded name as a download may give it back: its last path component, without control
    or formatting characters (a right-to-left override shows ``agenda<RLO>fdp.exe`` as
    ``agendaexe.pdf``), cut to ``limit`` characters with its extension kept."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"}).strip()
    if not name.strip("."):
        return ""
    if len(name) > limit:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: limit - len(suffix)] + suffix
    return name


def inspect_upload(upload, *, name: str, max_bytes: int) -> Inspected:
    """Check an uploaded file (a Django ``File``: ``size``, ``chunks()``, ``seek``, ``read``) and
    say what it is, or raise ``ValidationError`` on ``file``. The size is checked before a byte is
    read, and counted again while the file is hashed, so a file larger than it says is stopped
    within one chunk (64 KB) of ``max_bytes``."""
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes:
        raise _too_large(declared, max_bytes)
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > max_bytes:
            # Larger than it said: how much larger is not worth reading to find out.
            raise _refusal(
                _("This file is larger than %(limit)s; files of up to %(limit)s are accepted.")
                % {"limit": _size(max_bytes)}
            )
        digest.update(chunk)
    if size == 0:
        raise _refusal(_("The file is empty."))
    upload.seek(0)
    kind = detect_kind(upload, size)
    if PurePosixPath(name.lower()).suffix != EXTENSIONS[kind]:
        raise _refusal(_misnamed(kind))
    return Inspected(kind=kind, content_type=CONTENT_TYPES[kind], size=size, sha256=digest.hexdigest())


def _misnamed(kind: str) -> str:
    if kind == DocumentKind.PDF:
        return _("This file is a PDF document, so its name must end in .pdf: rename it and upload it again.")
    if kind == DocumentKind.DOCX:
        return _(
            "This file is a Word document, so its name must end in .docx: rename it and upload it again."
        )
    return _("This file is an Excel workbook, so its name must end in .xlsx: rename it and upload it again.")


def _too_large(size: int, max_bytes: int) -> ValidationError:
    return _refusal(
        _("This file is %(size)s; files of up to %(limit)s are accepted.")
        % {"size": _size(size), "limit": _size(max_bytes)}
    )


def _not_accepted() -> ValidationError:
    return _refusal(
        _(
            "Only PDF, Word (.docx) and Excel (.xlsx) files are accepted, and this file is none of "
            "them (its content was checked, not its name)."
        )
    )


def detect_kind(fp, size: int) -> str:
    """The ``DocumentKind`` of the ``size`` bytes in the seekable binary file ``fp``, or a
    ``ValidationError`` saying why it is refused."""
    fp.seek(0)
    head = fp.read(8)
    if head.startswith(b"%PDF-"):
        fp.seek(max(0, size - PDF_TAIL))
        if b"%%EOF" not in fp.read(PDF_TAIL):
            raise _refusal(
                _(
                    "This PDF is incomplete (it has no end-of-file marker): save or export it again "
                    "and upload the new file."
                )
            )
        return DocumentKind.PDF
    if head.startswith(ZIP_MAGIC):
        return _package_kind(fp, size)
    if head.startswith(OLE2_MAGIC):
        if _contains(fp, _ENCRYPTED_PACKAGE):
            raise _refusal(
                _(
                    "This document is password-protected, so its content cannot be checked: remove "
                    "the password and upload it again."
                )
            )
        raise _refusal(
            _(
                "This is an old-format Word or Excel file (.doc or .xls): save it as .docx or .xlsx "
                "and upload that."
            )
        )
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"#!")):
        raise _refusal(
            _(
                "This file is a program, not a document: only PDF, Word (.docx) and Excel (.xlsx) "
                "files are accepted."
            )
        )
    raise _not_accepted()


def _contains(fp, needle: bytes) -> bool:
    """Whether ``needle`` occurs in ``fp``, read a chunk at a time."""
    fp.seek(0)
    carry = b""
    while chunk := fp.read(_CHUNK):
        window = carry + chunk
        if needle in window:
            return True
        carry = window[-(len(needle) - 1) :]
    return False


# --- Office Open XML packages ------------------------------------------------------------------


def _damaged() -> ValidationError:
    return _refusal(_("This file is damaged: it is not a readable Word or Excel file."))


def _central_directory(fp, size: int) -> tuple[int, int]:
    """(entries, central directory bytes) from the zip's end record (and its zip64 record), read
    as ``zipfile`` finds it: the last end signature in the final 64 KB."""
    tail_start = max(0, size - (22 + 65535))
    fp.seek(tail_start)
    tail = fp.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _damaged()
    _sig, _disk, _cd_disk, _here, entries, cd_size, _cd_offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + 22]
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        locator = tail[at - 20 : at] if at >= 20 else b""
        if not locator.startswith(b"PK\x06\x07"):
            raise _damaged()
        record_at = struct.unpack("<4sLQL", locator)[2]
        if record_at > size - 56:
            raise _damaged()
        fp.seek(record_at)
        record = fp.read(56)
        if not record.startswith(b"PK\x06\x06"):
            raise _damaged()
        entries, _count, cd_size = struct.unpack("<3Q", record[24:48])
    return entries, cd_size


def _unsafe_name(name: str) -> bool:
    return (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in name.split("/")
    )


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > DEFAULT_MAX_ENTRIES:
        raise _too_many_parts(len(entries))
    seen: set[str] = set()
    unpacked = 0
    for entry in entries:
        if _unsafe_name(entry.filename):
            raise _refusal(
                _(
                    "This file holds a part whose name points outside it (such as ../ or an absolute "
                    "path); it was not opened."
                )
            )
        folded = entry.filename.casefold()
        if folded in seen:
            raise _refusal(_("This file holds two parts with the same name; it was not opened."))
        seen.add(folded)
        if entry.flag_bits & 0x1:
            raise _refusal(_("Parts of this file are encrypted: remove the password and upload it again."))
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Office writes only stored and deflated parts; other methods are another program's zip.
            raise _damaged()
        unpacked += entry.file_size
        # zipfile stops at the declared size, so declared sizes bound what would be decompressed.
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise _refusal(
                _("This file is compressed suspiciously well (it may be a zip bomb); it was not opened.")
            )
    if unpacked > DEFAULT_MAX_UNCOMPRESSED:
        raise _refusal(
            _("This file unpacks to %(size)s; at most %(limit)s are accepted.")
            % {"size": _size(unpacked), "limit": _size(DEFAULT_MAX_UNCOMPRESSED)}
        )


def _too_many_parts(count: int) -> ValidationError:
    return _refusal(
        _("This file has %(count)s parts; at most %(limit)s are accepted.")
        % {
            "count": number_format(count, force_grouping=True),
            "limit": number_format(DEFAULT_MAX_ENTRIES, force_grouping=True),
        }
    )


def _xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    if info.file_size > MAX_XML_PART:
        raise _damaged()
    try:
        with archive.open(info) as part:
            return fromstring(part.read(MAX_XML_PART + 1))
    except (ParseError, DefusedXmlException, zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        raise _damaged() from None


def _part_name(target: str) -> str:
    """A relationship target from the package root as a part name, or "" if it leaves the package."""
    name = posixpath.normpath("/" + unquote(target).lstrip("/")).lstrip("/")
    return "" if name in {"", "."} or _unsafe_name(name) else name


def _package_kind(fp, size: int) -> str:
    entries, cd_size = _central_directory(fp, size)
    if entries > DEFAULT_MAX_ENTRIES:
        raise _too_many_parts(entries)
    if cd_size > MAX_CENTRAL_DIRECTORY:
        raise _refusal(
            _("This file's list of parts is too large for a Word or Excel document; it was not opened.")
        )
    fp.seek(0)
    try:
        archive = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _damaged() from None
    with archive:
        infos = archive.infolist()
        _check_entries(infos)
        by_name = {info.filename.casefold(): info for info in infos}
        types_part, rels_part = by_name.get("[content_types].xml"), by_name.get("_rels/.rels")
        if types_part is None or rels_part is None:
            raise _not_a_package()
        types = _xml(archive, types_part)
        defaults = {
            (node.get("Extension") or "").casefold(): (node.get("ContentType") or "").strip()
            for node in types.iter(f"{_CT_NS}Default")
        }
        overrides = {
            unquote(node.get("PartName") or "").lstrip("/").casefold(): (
                node.get("ContentType") or ""
            ).strip()
            for node in types.iter(f"{_CT_NS}Override")
        }
        declared = {value.casefold() for value in (*defaults.values(), *overrides.values())}
        if declared & _VBA_TYPES or any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in by_name):
            raise _macros()
        mains = [
            _part_name(node.get("Target") or "")
            for node in _xml(archive, rels_part).iter(f"{_REL_NS}Relationship")
            if node.get("Type") in _OFFICE_DOCUMENT and node.get("TargetMode", "Internal") == "Internal"
        ]
        if len(mains) != 1 or not mains[0] or mains[0].casefold() not in by_name:
            raise _not_a_package()
        main = mains[0].casefold()
        content_type = overrides.get(main) or defaults.get(PurePosixPath(main).suffix.lstrip("."), "")
    return _kind_of(content_type)


def _not_a_package() -> ValidationError:
    return _refusal(_("This zip file is not a Word (.docx) or Excel (.xlsx) document."))


def _macros() -> ValidationError:
    return _refusal(
        _(
            "This file contains macros (a macro-enabled .docm or .xlsm): save it as a plain .docx "
            "or .xlsx without macros and upload that."
        )
    )


def _kind_of(content_type: str) -> str:
    kind = _MAIN_PARTS.get(content_type)
    if kind is not None:
        return kind
    folded = content_type.casefold()
    if "macroenabled" in folded:
        raise _macros()
    if ".template" in folded:
        raise _refusal(
            _(
                "This is a Word or Excel template: save it as a .docx document or an .xlsx workbook "
                "and upload that."
            )
        )
    if "presentationml" in folded:
        raise _refusal(_("PowerPoint presentations are not accepted: save it as PDF and upload that."))
    raise _not_a_package()


def download_response(document) -> FileResponse:
    """A stored document as an attachment, under the name it was uploaded with and as the type its
    content was found to be, never sniffed by the browser nor kept by a cache (the page's and the
    API's download both answer this). A row that outlived its file is a 404."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        # A database restored without its storage: a missing document.
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""Reading a STANAG designation as people type it: "STANAG 4425", "4425", "4425.2",
"STANAG 4425 Ed. 2", "STANAG 4425 ED 2", "STANAG-4425 (Edition 3)", "STANAG 2953 Ed. D v1".
Pure functions, so the data migration that moved items' free lists to requirements and any later
code read a designation the same way."""

from __future__ import annotations

import re

# An edition as the catalogue writes them: a number, or a study-draft letter with an optional
# version ("D v1"). Anything longer is more likely a word than an edition, so it does not parse.
_EDITION = r"(?P<{name}>\d{{1,3}}|[A-Z])(?:\s*V\s*(?P<{name}_version>\d{{1,3}}))?"

_DESIGNATION = re.compile(
    r"^\s*(?:STANAG[\s:#-]*(?:NO\.?\s*)?)?"  # the prefix is optional: "STANAG 4425" or "4425"
    r"(?P<number>\d{1,5})"
    r"(?:"
    r"\s*\.\s*" + _EDITION.format(name="dotted") +  # 4425.2
    r"|[\s,;/-]*\(?\s*ED(?:ITION|N)?\.?\s*(?:NO\.?\s*)?" + _EDITION.format(name="edition") + r"\s*\)?"
    r")?\s*$",
    re.IGNORECASE,
)  # fmt: skip


def parse_designation(text: str) -> tuple[str, str | None] | None:
    """``(number, edition or None)`` for a STANAG designation, or None when ``text`` is not one
    (an AP code, a STANREC, free text). Letters in the edition come back in capitals, its version
    as " v<n>", the way the catalogue stores them ("D v1")."""
    match = _DESIGNATION.match(text or "")
    if match is None:
        return None
    for name in ("dotted", "edition"):
        if match.group(name):
            edition = match.group(name).upper()
            version = match.group(f"{name}_version")
            return match.group("number"), f"{edition} v{int(version)}" if version else edition
    return match.group("number"), None


def format_designation(number: str, edition: str | None = None) -> str:
    """The designation as the old free list held it: "STANAG 4425" or "STANAG 4425 Ed. 2"."""
    return f"STANAG {number} Ed. {edition}" if edition else f"STANAG {number}"

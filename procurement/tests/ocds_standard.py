"""Checking the OCDS feed against the official OCDS 1.1.5 schemas and codelists, offline.

The official files are unmodified copies in ``ocds_official/`` (see its README), so the suite
validates offline wherever the repository is cloned.
A package's ``extensions`` are resolved without the network: the Techniques extension's registry
URL to its copy there, and the portal's own extension through the test client, at the URL the
package lists (so the route a data user fetches is the one tested). Each extension's release
schema is merged into the core one as a JSON Merge Patch (RFC 7386), as OCDS tools do.

Three checks, each returning a list of problems (empty when the package holds):
- ``schema_errors``: JSON Schema Draft 4 validation of the package against the release-package
  schema (or of a record package against the record-package schema) with the merged release
  schema, date-times and URIs included;
- ``undeclared_fields``: every field of every release is declared by the merged schema (OCDS
  schemas allow additional fields, so the validation alone would not say);
- ``codelist_errors``: every value of a closed codelist is one of the codelist's codes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from procurement.ocds import TECHNIQUES_EXTENSION

OCDS_DATA = Path(__file__).resolve().parent / "ocds_official"
CORE = OCDS_DATA / "1.1.5"
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"
TECHNIQUES_SCHEMA = OCDS_DATA / "extensions" / "techniques" / "release-schema.json"


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text())


def merge_patch(target, patch):
    """RFC 7386: a patch object's members replace or (when null) remove the target's."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _codes(text: str) -> set[str]:
    return {row["Code"] for row in csv.DictReader(io.StringIO(text))}


class Extensions:
    """A package's extensions, read offline: their release-schema patches and codelists."""

    def __init__(self, urls: list[str], client):
        self.patches: list[dict] = []
        self.codelists: dict[str, set[str]] = {}
        for url in urls:
            if url == TECHNIQUES_EXTENSION:
                # Its codelists are not among the copies; its schema's enums carry the same codes.
                self.patches.append(_read_json(TECHNIQUES_SCHEMA))
                continue
            metadata = json.loads(self._get(client, url))
            for name in metadata["schemas"]:
                self.patches.append(json.loads(self._get(client, urljoin(url, name))))
            for name in metadata.get("codelists", []):
                self.codelists[name] = _codes(self._get(client, urljoin(url, f"codelists/{name}")))

    @staticmethod
    def _get(client, url: str) -> str:
        parts = urlsplit(url)
        assert parts.netloc == "testserver", f"{url}: an extension this test cannot read offline"
        response = client.get(parts.path)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        return response.content.decode()


def release_schema(extensions: Extensions) -> dict:
    schema = _read_json(CORE / "release-schema.json")
    for patch in extensions.patches:
        schema = merge_patch(schema, patch)
    return schema


def core_codelists() -> dict[str, set[str]]:
    return {path.name: _codes(path.read_text()) for path in (CORE / "codelists").glob("*.csv")}


_format_checker = FormatChecker(formats=())


@_format_checker.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    # RFC 3339: a date, a time and an offset (Python reads "Z" as UTC).
    if not isinstance(value, str):
        return True
    parsed = dt.datetime.fromisoformat(value)
    return "T" in value and parsed.tzinfo is not None


@_format_checker.checks("uri")
def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


def _validator(schema_name: str, release: dict) -> Draft4Validator:
    versioned = "versioned-release-validation-schema.json"
    registry = Registry().with_resources(
        [
            (f"{SCHEMA_BASE}release-schema.json", Resource.from_contents(release, DRAFT4)),
            (f"{SCHEMA_BASE}{versioned}", Resource.from_contents(_read_json(CORE / versioned), DRAFT4)),
        ]
    )
    return Draft4Validator(_read_json(CORE / schema_name), registry=registry, format_checker=_format_checker)


def schema_errors(data: dict, release: dict, *, schema_name: str = "release-package-schema.json") -> list:
    """Draft 4 errors of a release package (or, with ``schema_name``, a record package)."""
    errors = _validator(schema_name, release).iter_errors(data)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def _resolve(root: dict, node: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def _walk(root: dict, node: dict, value, path: str, visit) -> None:
    node = _resolve(root, node)
    visit(node, value, path)
    if isinstance(value, dict):
        properties, patterns = node.get("properties", {}), node.get("patternProperties", {})
        for key, child in value.items():
            if key in properties:
                _walk(root, properties[key], child, f"{path}/{key}", visit)
            elif not any(re.search(pattern, key) for pattern in patterns):
                visit(None, child, f"{path}/{key}")
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, child in enumerate(value):
            _walk(root, node["items"], child, f"{path}/{index}", visit)


def undeclared_fields(package: dict, release: dict) -> list[str]:
    found = []

    def visit(node, value, path):
        if node is None:
            found.append(f"{path}: not declared by the schema or its extensions")

    for index, item in enumerate(package["releases"]):
        _walk(release, release, item, f"releases/{index}", visit)
    return found


def codelist_errors(package: dict, release: dict, codelists: dict[str, set[str]]) -> tuple[list, set]:
    """Values outside their closed codelist, and the closed codelists that were checked."""
    problems, checked = [], set()

    def visit(node, value, path):
        if node is None or "codelist" not in node or node.get("openCodelist") is not False:
            return
        name = node["codelist"]
        codes = codelists.get(name)
        if codes is None:  # an extension codelist not at hand: its enum lists the codes
            codes = set(node.get("enum") or node.get("items", {}).get("enum") or []) - {None}
        checked.add(name)
        for code in value if isinstance(value, list) else [value]:
            if code is not None and code not in codes:
                problems.append(f"{path}: {code!r} is not in the closed codelist {name}")

    for index, item in enumerate(package["releases"]):
        _walk(release, release, item, f"releases/{index}", visit)
    return problems, checked


def check_package(package: dict, client) -> tuple[dict, set[str]]:
    """Assert that ``package`` passes the three checks; return the merged release schema and the
    closed codelists its values were checked against."""
    extensions = Extensions(package["extensions"], client)
    release = release_schema(extensions)
    assert schema_errors(package, release) == []
    assert undeclared_fields(package, release) == []
    problems, checked = codelist_errors(package, release, {**core_codelists(), **extensions.codelists})
    assert problems == []
    return release, checked

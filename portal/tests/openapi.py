"""Check API responses against the project's own OpenAPI schema (what clients are promised)."""

from __future__ import annotations

import functools

import jsonschema
from drf_spectacular.generators import SchemaGenerator


@functools.cache
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _to_json_schema(node, components: dict):
    """Resolve $refs and turn OpenAPI 3.0 ``nullable`` into JSON Schema."""
    if isinstance(node, list):
        return [_to_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _to_json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    converted = {key: _to_json_schema(value, components) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def assert_matches_schema(response, path: str, method: str = "get") -> None:
    """``path`` is the schema's template, e.g. ``/api/nations/{code}/``."""
    spec = openapi()
    operation = spec["paths"][path][method.lower()]
    declared = operation["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), _to_json_schema(schema, spec["components"]["schemas"]))

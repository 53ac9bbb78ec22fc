"""The API's JSON parser: a bounded nesting depth, and a 400 (never a 500) past it."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request body of the portal nests deeper than a few levels (a call-off's lines and their
# schedules); this leaves plenty of room and keeps every later walk over the data shallow.
MAX_DEPTH = 32


def _deeper_than(data, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` deep (iterative: the point is
    never to recurse on what a client sent)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            stack.extend(
                (child, depth + 1) for child in (value.values() if isinstance(value, dict) else value)
            )
    return False


class BoundedJSONParser(JSONParser):
    """``JSONParser`` that answers 400 for JSON nested too deep. Python's decoder raises
    ``RecursionError`` (not a ``ValueError``, so DRF let it through as a 500) at about a thousand
    levels; anything past ``MAX_DEPTH`` is refused as well."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        if _deeper_than(data, MAX_DEPTH):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
        return data

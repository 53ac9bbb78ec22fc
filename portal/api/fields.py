"""Serializer pieces every app's API shares: typed enums named in the schema, the version a stale
write is checked against, bounded free text, and update serializers made from create ones."""

from __future__ import annotations

from django.db.models import TextChoices
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Free text without a column limit (reservations, notes, reasons): bounded all the same.
LONG_TEXT = 10_000
VERSION_MAX = 2**31 - 1


def enum_field(choices: type[TextChoices]) -> type[serializers.ChoiceField]:
    """A ChoiceField class for ``choices`` whose schema is the component ``<Choices>Enum``: several
    models have a ``status`` or a ``kind`` with different choices. A class, not an instance: DRF
    copies declared fields by re-instantiating their class."""

    @extend_schema_field(
        {"type": "string", "enum": list(choices.values)}, component_name=f"{choices.__name__}Enum"
    )
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    EnumField.__name__ = f"{choices.__name__}Field"
    return EnumField


def version_field(*, min_value: int = 1, **kwargs) -> serializers.IntegerField:
    kwargs.setdefault("help_text", "The version the client last read: a stale write gets 409.")
    return serializers.IntegerField(min_value=min_value, max_value=VERSION_MAX, **kwargs)


def username_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)


class OptionalFieldsMixin:
    """An update serializer from its create serializer: every field optional but ``version``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False

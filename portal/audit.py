"""The audit trail: services call ``record_change`` inside their own transaction.

A row is as private as what it describes (DESIGN, convention 12). ``record_change`` asks the object
for its ``AuditScope``: the nation it belongs to, and the key of the unsubmitted draft it is part of,
if any. A model states that by defining ``audit_scope()``; without one, a ``nation`` field gives the
nation and the object is never a draft. Rows about a draft are read only by that nation and by the
row's actor (``portal.permissions``, ``portal.selectors``) until the service that submits the draft
calls ``release_draft``, in the same transaction.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils.translation import gettext, gettext_lazy, ngettext

from portal.models import ObjectChange
from portal.request_context import current_request_id


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """A JSON-safe dict of ``obj``'s concrete fields (foreign keys as ids), for before/after."""
    wanted = set(fields) if fields is not None else None
    data = {}
    for field in obj._meta.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        if field.name == "password":
            continue  # never copy credentials into the trail
        data[field.attname if field.is_relation else field.name] = field.value_from_object(obj)
    # Round-trip through the encoder so dates, decimals and UUIDs become plain JSON values.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@dataclass(frozen=True)
class AuditScope:
    """Who an object's audit rows belong to. ``draft`` is the ``draft_key`` of the unsubmitted
    draft the object is part of, or empty when the object is not private draft work."""

    nation_id: int | None = None
    draft: str = ""


def draft_key(container: models.Model) -> str:
    """The key shared by the audit rows about one draft (a plan version, a national return)."""
    return f"{container._meta.label_lower}:{container.pk}"


def audit_scope(obj: models.Model) -> AuditScope:
    own = getattr(obj, "audit_scope", None)
    if own is not None:
        return own()
    has_nation = any(f.name == "nation" and f.is_relation for f in obj._meta.concrete_fields)
    return AuditScope(nation_id=obj.nation_id if has_nation else None)


def release_draft(container: models.Model) -> int:
    """The draft ``container`` was submitted: its rows become as visible as the submitted object.
    Call inside the submitting service's transaction, so a rolled-back submission releases nothing."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("release_draft() must be called inside the service's transaction.atomic()")
    return ObjectChange.objects.filter(draft_key=draft_key(container)).update(draft_key="")


def loaded_name(obj: models.Model, field: str) -> str:
    """The name of the row ``obj.<field>`` points at when it is loaded already (a service usually
    holds it), else its id: naming a record for the trail never costs a query."""
    related = obj._state.fields_cache.get(field)
    if related is not None:
        return str(related)
    value = getattr(obj, f"{field}_id")
    return "—" if value is None else f"#{value}"


def record_name(obj: models.Model) -> str:
    """How the trail names ``obj``: its ``audit_name()`` when it has one (a row whose ``__str__``
    is ids, kept cheap for lists), else ``str(obj)``."""
    name = getattr(obj, "audit_name", None)
    return name() if callable(name) else str(obj)


def record_change(
    *,
    actor,
    obj: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
) -> ObjectChange:
    """Write one audit row for ``obj``. Must run inside the caller's transaction, so the audit
    row and the change it describes commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_change() must be called inside the service's transaction.atomic()")
    if obj.pk is None:
        raise ValueError("record_change() needs a saved object")
    # The system actor (portal.permissions.SYSTEM) is nobody in the user table: no actor, as for None.
    actor_obj = actor if getattr(actor, "pk", None) is not None and actor.is_authenticated else None
    scope = audit_scope(obj)
    return ObjectChange.objects.create(
        actor=actor_obj,
        actor_username=actor_obj.get_username() if actor_obj else "",
        request_id=current_request_id(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=record_name(obj)[:200],
        before=before,
        after=after,
        message=message,
        nation_id=scope.nation_id,
        draft_key=scope.draft,
    )


def last_change(rows: QuerySet) -> Subquery:
    """The time of the latest audit row about any of ``rows``, as a subquery expression (NULL when
    there is none), for readers that date what they show by its last change (the OCDS feed).

    ``rows`` may follow an outer query through ``OuterRef(OuterRef(...))``: it is nested one level
    deeper than the annotation. The content type is matched by name, not by id, so that building
    the expression never costs a query of its own."""
    meta = rows.model._meta.concrete_model._meta
    keys = rows.order_by().annotate(audit_key=Cast("pk", models.CharField(max_length=64)))
    return Subquery(
        ObjectChange.objects.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id__in=keys.values("audit_key"),
        )
        .order_by()
        .values("content_type")
        .annotate(latest=Max("time"))
        .values("latest")
    )


def row_last_change(model: type[models.Model], *, actions: Iterable[str] = ()) -> Subquery:
    """The time of the latest audit row (of one of ``actions``, if given) about the outer query's
    own row: one index lookup per row, for a table too large for ``last_change``'s ``IN``."""
    meta = model._meta.concrete_model._meta
    changes = ObjectChange.objects.filter(
        content_type__app_label=meta.app_label,
        content_type__model=meta.model_name,
        object_id=Cast(OuterRef("pk"), models.CharField(max_length=64)),
    )
    if actions:
        changes = changes.filter(action__in=list(actions))
    return Subquery(changes.order_by("-time").values("time")[:1])


# --- Reading the trail -------------------------------------------------------------------------

# Bookkeeping that says nothing to a reader of the trail.
_UNSHOWN = frozenset({"password", "last_login", "unread_notifications"})
# What services record that is not a field of the record: named here, in the reader's language.
_RECORDED = {"notifications_marked_read": gettext_lazy("Notifications marked read")}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeView:
    change: ObjectChange
    record_type: str
    action: str
    fields: list[FieldChange]


@functools.cache
def _action_labels() -> dict:
    """Every action's label: the generic ones and each app's ``AuditEvent`` choices."""
    import importlib

    from django.apps import apps

    from portal.choices import AuditAction

    labels = dict(AuditAction.choices)
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.choices")
        except ImportError:
            continue
        events = getattr(module, "AuditEvent", None)
        if events is not None:
            labels.update(events.choices)
    return labels


def _action_label(action: str) -> str:
    label = _action_labels().get(action)
    if label is not None:
        return str(label)
    # An action no app names any more: its stored name, in words.
    return action.replace(".", " ").replace("_", " ").capitalize()


_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def _scalar(value) -> str:
    """A value with no model field to say what it is (an event's own facts): dates, times and
    amounts are recognised by their JSON form and written the reader's way."""
    import datetime as dt

    from django.utils.formats import date_format, number_format

    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float):
        return number_format(value, force_grouping=True)
    if isinstance(value, dict):
        return (
            "(" + ", ".join(f"{key.replace('_', ' ')}: {_scalar(item)}" for key, item in value.items()) + ")"
        )
    if isinstance(value, list):
        return ", ".join(_scalar(item) for item in value)
    if value is None:
        return "—"
    text = str(value)
    if _DECIMAL.match(text):
        return number_format(text, force_grouping=True)
    with contextlib.suppress(ValueError):
        if len(text) == 10:
            return date_format(dt.date.fromisoformat(text), "DATE_FORMAT")
        if len(text) > 10 and text[4] == "-" and "T" in text:
            return date_format(dt.datetime.fromisoformat(text), "DATETIME_FORMAT")
    return text if len(text) <= 120 else text[:119] + "…"


def _shown(value, field) -> str:
    from django.utils.formats import date_format, number_format

    if value is None or value == "":
        return "—"
    if field is not None and field.is_relation:
        return gettext("a record")  # the row it points at may not be the reader's to see
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and field is not None:
        import datetime as dt

        kind = field.get_internal_type()
        with contextlib.suppress(ValueError):
            if kind == "DateField":
                return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
            if kind == "DateTimeField":
                return date_format(dt.datetime.fromisoformat(value), "DATETIME_FORMAT")
        if kind == "DecimalField":
            return number_format(value, force_grouping=True)
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            # Rows recorded with the event (a call-off's lines): how many, not their raw fields.
            return ngettext("%(count)d row", "%(count)d rows", len(value)) % {"count": len(value)}
        return ", ".join(_scalar(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')}: {_scalar(item)}" for key, item in value.items())
    return _scalar(value)


def describe(change: ObjectChange) -> ChangeView:
    """One trail row in words: the record's type, the action, and each field that changed with its
    label, before and after. A field the model no longer has keeps its name, in words."""
    model = change.content_type.model_class()
    fields = {}
    if model is not None:
        for field in model._meta.concrete_fields:
            fields[field.attname] = fields[field.name] = field
    rows = []
    before, after = change.before or {}, change.after or {}
    for key in change.changed_fields:
        if key in _UNSHOWN:
            continue
        field = fields.get(key)
        if field is not None:
            label = str(field.verbose_name)
        else:
            label = str(_RECORDED.get(key, key.replace("_", " ")))
        rows.append(
            FieldChange(
                label[:1].upper() + label[1:], _shown(before.get(key), field), _shown(after.get(key), field)
            )
        )
    record_type = str(model._meta.verbose_name) if model is not None else change.content_type.model
    return ChangeView(change, record_type[:1].upper() + record_type[1:], _action_label(change.action), rows)

"""Writes to the catalogue: domains, editions and the items that require them.

A new edition that ``supersedes`` another needs the other to be promulgated. When the new edition
is promulgated, the old one becomes superseded in the same transaction: two editions of one
document are never in force at once. The old edition's national responses stay with it.

An edition coming into force (created promulgated, or moved to promulgated) tells every Ally's
directors, who must respond to it (``edition_promulgated``). The catalogue import tells once, at
its end, of what it left promulgated (``announce=False`` on its rows).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.audit import record_change, snapshot
from portal.choices import AuditAction
from portal.concurrency import check_version
from portal.notifications import notify
from portal.permissions import ADD, DELETE
from portal.services import ensure_may, model_create, model_update
from portal.services import locked_for as locked
from procurement.models import Item
from standards.choices import AuditEvent, StandardStatus
from standards.models import Domain, ItemRequirement, Standard, UnmatchedDesignation

STANDARD_FIELDS = frozenset(
    {
        "doc_type",
        "number",
        "edition",
        "title",
        "title_fr",
        "covering_publication",
        "covering_edition",
        "status",
        "promulgated_on",
        "effective_on",
        "custodian",
        "domain",
        "level",
        "supersedes",
        "review_cycle_months",
        "notes",
    }
)


@transaction.atomic
def domain_create(*, actor, code: str, name: str, name_fr: str = "", description: str = "", order: int = 100):
    ensure_may(actor, Domain, ADD)
    domain = Domain(code=code, name=name, name_fr=name_fr, description=description, order=order)
    return model_create(domain, actor=actor)


@transaction.atomic
def domain_update(*, actor, domain: Domain, expected_version: int | None = None, **changes) -> Domain:
    domain = locked(domain, actor=actor)
    check_version(domain, expected_version)
    return model_update(domain, actor=actor, changes=changes)


def _check_supersedes(standard: Standard, old: Standard | None) -> None:
    if old is None:
        return
    if old.pk == standard.pk:
        raise ValidationError({"supersedes": _("An edition cannot supersede itself.")})
    if (old.doc_type, old.number) != (standard.doc_type, standard.number):
        raise ValidationError(
            {
                "supersedes": _("An edition supersedes an earlier edition of the same document (%(doc)s).")
                % {"doc": standard.designation}
            }
        )
    if old.status != StandardStatus.PROMULGATED:
        raise ValidationError(
            {
                "supersedes": _("Only a promulgated edition can be superseded; %(old)s is %(status)s.")
                % {"old": old, "status": old.get_status_display().lower()}
            }
        )


def _supersede_old(actor, standard: Standard) -> None:
    """The new edition is in force: the one it supersedes stops being so."""
    if standard.status != StandardStatus.PROMULGATED or not standard.supersedes_id:
        return
    old = Standard.objects.select_for_update().get(pk=standard.supersedes_id)
    if old.status == StandardStatus.SUPERSEDED:
        return
    model_update(
        old,
        actor=actor,
        changes={"status": StandardStatus.SUPERSEDED},
        action=AuditEvent.EDITION_SUPERSEDED,
        message=f"Superseded by {standard}",
    )


def announce_promulgation(actor, standard: Standard) -> None:
    """Tell the Allies' directors that ``standard`` is in force, in the caller's transaction. The
    promulgation date is the key: an edition moved out of force by mistake and back is not told
    twice, a genuinely new promulgation date is."""
    date = standard.promulgated_on.isoformat()
    notify(
        "edition_promulgated",
        standard,
        actor=actor,
        params={"date": date},
        url=reverse("standards:standard-detail", args=[standard.pk]),
        dedupe_key=f"promulgated:{date}",
    )


def _saved(standard: Standard, save):
    """Run ``save``; a duplicate type, number and edition that a concurrent writer inserted
    first is the same field message as one found by validation."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        if (
            Standard.objects.filter(
                doc_type=standard.doc_type, number=standard.number, edition=standard.edition
            )
            .exclude(pk=standard.pk)
            .exists()
        ):
            raise ValidationError(
                {"edition": _("This type, number and edition is already in the catalogue.")}
            ) from None
        raise


@transaction.atomic
def standard_create(*, actor, message: str = "", announce: bool = True, **fields) -> Standard:
    ensure_may(actor, Standard, ADD)
    unknown = set(fields) - STANDARD_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    standard = Standard(**fields)
    standard.number = (standard.number or "").strip().upper()
    old = None
    if standard.supersedes_id:
        old = Standard.objects.select_for_update().get(pk=standard.supersedes_id)
    _check_supersedes(standard, old)
    standard = _saved(standard, lambda: model_create(standard, actor=actor, message=message))
    _supersede_old(actor, standard)
    if announce and standard.status == StandardStatus.PROMULGATED:
        announce_promulgation(actor, standard)
    return standard


@transaction.atomic
def standard_update(
    *, actor, standard: Standard, expected_version: int | None = None, announce: bool = True, **changes
) -> Standard:
    unknown = set(changes) - STANDARD_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    standard = locked(standard, actor=actor)
    check_version(standard, expected_version)
    was = standard.status
    if "supersedes" in changes:
        new_old = changes["supersedes"]
        if (new_old.pk if new_old else None) != standard.supersedes_id:
            candidate = Standard(
                pk=standard.pk,
                doc_type=changes.get("doc_type", standard.doc_type),
                number=changes.get("number", standard.number).strip().upper(),
            )
            _check_supersedes(
                candidate, Standard.objects.select_for_update().get(pk=new_old.pk) if new_old else None
            )
    standard = _saved(standard, lambda: model_update(standard, actor=actor, changes=changes))
    _supersede_old(actor, standard)
    if announce and was != StandardStatus.PROMULGATED and standard.status == StandardStatus.PROMULGATED:
        announce_promulgation(actor, standard)
    return standard


@transaction.atomic
def requirement_add(*, actor, item: Item, standard: Standard) -> ItemRequirement:
    ensure_may(actor, ItemRequirement, ADD)
    requirement = ItemRequirement(item=item, standard=standard)
    try:
        with transaction.atomic():
            return model_create(
                requirement,
                actor=actor,
                message=f"{item} requires {standard}",
                validate_constraints=False,
            )
    except IntegrityError:
        if not ItemRequirement.objects.filter(item=item, standard=standard).exists():
            raise
    raise ValidationError(
        {"standard": _("%(item)s already requires %(standard)s.") % {"item": item, "standard": standard}}
    )


@transaction.atomic
def requirement_remove(*, actor, requirement: ItemRequirement) -> None:
    requirement = locked(requirement, actor=actor, action=DELETE)
    record_change(
        actor=actor,
        obj=requirement,
        action=AuditAction.DELETE,
        before=snapshot(requirement),
        message=f"{requirement.item} no longer requires {requirement.standard}",
    )
    requirement.delete()


@transaction.atomic
def unmatched_designation_resolve(
    *, actor, designation: UnmatchedDesignation, standard: Standard | None
) -> ItemRequirement | None:
    """Settle a designation the data migration could not match: link the edition it meant (or
    none, when it was wrong), and drop it from the list."""
    designation = locked(designation, actor=actor, action=DELETE)
    requirement = None
    if (
        standard is not None
        and not ItemRequirement.objects.filter(item=designation.item, standard=standard).exists()
    ):
        requirement = requirement_add(actor=actor, item=designation.item, standard=standard)
    record_change(
        actor=actor,
        obj=designation,
        action=AuditAction.DELETE,
        before=snapshot(designation),
        message=f"Resolved “{designation.designation}” as {standard or 'no standard'}",
    )
    designation.delete()
    return requirement

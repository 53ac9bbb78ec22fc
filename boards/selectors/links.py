"""Reads of the links from agenda items and actions to portal objects. A link is shown only to a
reader who may see both the link and its target: the targets are read through ``restrict``, one
query per kind of object linked, so a page's count depends on the kinds linked, never on how many."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.urls import reverse

from boards.models import LINKABLE, Link
from portal.permissions import VIEW, restrict


@dataclass(frozen=True)
class LinkKind:
    """How a linkable model is found by reference and shown: the unique field a reader may give
    instead of its id, what its name reads (``select_related``), and its page."""

    natural_key: str = ""
    related: tuple[str, ...] = ()
    url_name: str = ""


KINDS: dict[str, LinkKind] = {
    "procurement.frameworkcontract": LinkKind("reference", url_name="procurement:framework-detail"),
    "procurement.item": LinkKind("code", url_name="procurement:item-detail"),
    "pledges.nationalplan": LinkKind(related=("nation", "cycle")),
    "standards.standard": LinkKind(url_name="standards:standard-detail"),
    "boards.risk": LinkKind(url_name="boards:risk-detail"),
}
assert set(KINDS) == set(LINKABLE)
# Ids are PositiveBigIntegerField values: anything larger is no object (and no database error).
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class ShownLink:
    link: Link
    target: object
    url: str


def link_list(*, user) -> QuerySet[Link]:
    return (
        restrict(Link.objects.all(), user, VIEW).select_related("target_type", "agenda_item").order_by("pk")
    )


def shown_links(*, user, links: Iterable[Link]) -> list[ShownLink]:
    """``links`` (read through ``link_list``) with their targets, leaving out every link whose
    target ``user`` may not see (or that no longer exists)."""
    links = list(links)
    by_kind: dict[str, set[int]] = {}
    for link in links:
        kind = f"{link.target_type.app_label}.{link.target_type.model}"
        by_kind.setdefault(kind, set()).add(link.target_id)
    targets: dict[tuple[str, int], object] = {}
    for kind, ids in sorted(by_kind.items()):
        if kind not in KINDS:
            continue
        model = apps.get_model(kind)
        rows = restrict(model.objects.filter(pk__in=sorted(ids)), user, VIEW)
        for obj in rows.select_related(*KINDS[kind].related):
            targets[(kind, obj.pk)] = obj
    shown = []
    for link in links:
        kind = f"{link.target_type.app_label}.{link.target_type.model}"
        target = targets.get((kind, link.target_id))
        if target is None:
            continue
        url_name = KINDS[kind].url_name
        shown.append(ShownLink(link, target, reverse(url_name, kwargs={"pk": target.pk}) if url_name else ""))
    return shown


def link_target(*, user, kind: str, reference: str):
    """The object of ``kind`` (a ``LINKABLE`` label) that ``reference`` names, by id or by its
    natural key (a framework's reference, an item's code), if ``user`` may see it; else None."""
    if kind not in KINDS:
        return None
    model = apps.get_model(kind)
    rows = restrict(model.objects.all(), user, VIEW)
    reference = reference.strip()
    if reference.isascii() and reference.isdigit() and int(reference) <= MAX_ID:
        found = rows.filter(pk=int(reference)).first()
        if found is not None:
            return found
    natural = KINDS[kind].natural_key
    return rows.filter(**{natural: reference}).first() if natural and reference else None

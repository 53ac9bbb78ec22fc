"""Recording a nation's ratification and implementation of editions.

A response has no draft: once saved it is recorded and every Ally reads it. A director records
their own nation's; the secretariat may record any nation's, audited as on that nation's behalf.
Each response carries a ``version``: a save that started from an older one is a 409 naming what
changed since, and by whom (``portal.concurrency.check_version``). A form of many rows saves all
of them or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.concurrency import check_version
from portal.exceptions import Conflict, Forbidden, PortalError
from portal.models import Nation
from portal.permissions import ADD, CHANGE, allows, ensure_added, ensure_allowed
from portal.services import model_create, model_update
from standards.choices import RESPONDABLE, AuditEvent, Implementation, Ratification
from standards.models import NationalResponse, ServiceImplementation, Standard, rule_errors


@dataclass(frozen=True)
class ServiceLine:
    """One service's implementation, where it differs from the nation's overall one."""

    service: str
    implementation: str
    implementation_date: dt.date | None = None


@dataclass(frozen=True)
class ResponseInput:
    """What a form row, an API body or an import row says about one edition. ``expected_version``
    is the version the editor saw: 0 for "there was no response yet", None for "do not check"
    (an import, which is all or nothing and says what it overwrote in its audit rows)."""

    standard: Standard
    ratification: str = Ratification.NO_RESPONSE
    ratification_reference: str = ""
    ratified_on: dt.date | None = None
    reservations: str = ""
    implementation: str = Implementation.NOT_IMPLEMENTED
    implementation_date: dt.date | None = None
    implemented_without_ratification: bool = False
    without_ratification_reason: str = ""
    services: Sequence[ServiceLine] | None = None
    expected_version: int | None = None

    def values(self) -> dict:
        return {
            "ratification": self.ratification,
            "ratification_reference": self.ratification_reference.strip(),
            "ratified_on": self.ratified_on,
            "reservations": self.reservations.strip(),
            "implementation": self.implementation,
            "implementation_date": self.implementation_date,
            "implemented_without_ratification": self.implemented_without_ratification,
            "without_ratification_reason": self.without_ratification_reason.strip(),
        }


class RowsRejected(PortalError):
    """Some rows of a bulk save broke a rule; ``errors`` maps each row's index to its field
    messages. Nothing was saved."""

    status_code = 400
    code = "invalid"

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(_("Some rows could not be saved; nothing was saved."), detail={"rows": errors})
        self.errors = errors


def _respondable(standard: Standard) -> dict[str, str]:
    if standard.status in RESPONDABLE:
        return {}
    return {
        "standard": _("%(standard)s is in %(status)s status and takes no national response.")
        % {"standard": standard, "status": standard.get_status_display().lower()}
    }


def _service_errors(lines: Sequence[ServiceLine]) -> dict[str, str]:
    errors: dict[str, str] = {}
    seen = set()
    for line in lines:
        if line.service in seen:
            errors["services"] = _("Each service is listed once.")
        seen.add(line.service)
        for name, message in rule_errors(
            ratification=Ratification.RATIFIED,  # a service line says nothing about ratification
            ratified_on=None,
            reservations="",
            implementation=line.implementation,
            implementation_date=line.implementation_date,
            date_field="services",
        ).items():
            errors.setdefault(name, message)
    return errors


def input_errors(row: ResponseInput) -> dict[str, list[str]]:
    """A row's field messages without touching the database: the form and the import show them
    beside the row before anything is saved."""
    values = row.values()
    errors = {
        **_respondable(row.standard),
        **rule_errors(
            ratification=values["ratification"],
            ratified_on=values["ratified_on"],
            reservations=values["reservations"],
            implementation=values["implementation"],
            implementation_date=values["implementation_date"],
            without_ratification=values["implemented_without_ratification"],
            reason=values["without_ratification_reason"],
        ),
    }
    if row.services:
        errors.update(_service_errors(row.services))
    return {name: [str(message)] for name, message in errors.items()}


def _event(actor, nation: Nation) -> tuple[str, str]:
    if actor.nation_id == nation.pk:
        return AuditEvent.RESPONSE_RECORDED, ""
    return AuditEvent.RESPONSE_ON_BEHALF, f"Recorded on behalf of {nation}"


def _replace_services(actor, response: NationalResponse, lines: Sequence[ServiceLine]) -> bool:
    """Make the response's service lines ``lines``; True if anything changed."""
    current = {line.service: line for line in response.services.select_for_update().order_by("pk")}
    wanted = {line.service: line for line in lines}
    changed = False
    for service, row in current.items():
        if service not in wanted:
            row.delete()
            changed = True
    for service, line in wanted.items():
        row = current.get(service)
        if row is None:
            ServiceImplementation(
                response=response,
                service=service,
                implementation=line.implementation,
                implementation_date=line.implementation_date,
            ).full_clean(exclude=["response"])
            ServiceImplementation.objects.create(
                response=response,
                service=service,
                implementation=line.implementation,
                implementation_date=line.implementation_date,
            )
            changed = True
        elif (row.implementation, row.implementation_date) != (line.implementation, line.implementation_date):
            row.implementation, row.implementation_date = line.implementation, line.implementation_date
            row.full_clean()
            row.save()
            changed = True
    return changed


def _save_one(
    actor, nation: Nation, row: ResponseInput, existing: NationalResponse | None
) -> NationalResponse:
    action, message = _event(actor, nation)
    values = row.values()
    if existing is None:
        response = NationalResponse(
            nation=nation, standard=row.standard, updated_by=actor_or_none(actor), **values
        )
        try:
            with transaction.atomic():
                response = model_create(
                    response, actor=actor, action=action, message=message, validate_constraints=False
                )
        except IntegrityError:
            # A concurrent save recorded this response first: this editor's form is stale.
            # Its version is at least 1, so this raises the 409 that names what it recorded.
            check_version(
                NationalResponse.objects.select_for_update().get(nation=nation, standard=row.standard), 0
            )
            raise
        ensure_added(actor, response, _("You may not record responses for %(nation)s.") % {"nation": nation})
        if row.services:
            _replace_services(actor, response, row.services)
        return response
    touched = row.services is not None and _replace_services(actor, existing, row.services)
    changes = {**values, "updated_by": actor_or_none(actor)}
    # "Updated by" alone is no change: the same values saved again by someone else leave no trace.
    if not touched and all(getattr(existing, name) == value for name, value in values.items()):
        return existing
    return model_update(existing, actor=actor, changes=changes, action=action, message=message)


def actor_or_none(actor):
    return actor if getattr(actor, "pk", None) is not None else None


def _check_may_record(actor, nation: Nation) -> None:
    """Before any row is read: the actor's ADD scope must cover a response of ``nation``."""
    if not allows(actor, ADD, NationalResponse(nation=nation)):
        raise Forbidden(_("You may not record responses for %(nation)s.") % {"nation": nation})


@transaction.atomic
def response_save(*, actor, nation: Nation, row: ResponseInput) -> NationalResponse:
    """Record one nation's response to one edition (create or update)."""
    return responses_save(actor=actor, nation=nation, rows=[row])[0]


@transaction.atomic
def responses_save(*, actor, nation: Nation, rows: Sequence[ResponseInput]) -> list[NationalResponse]:
    """Record a nation's responses to several editions at once: all of them or none.

    Every row is checked first, so the form can show every row's messages together
    (``RowsRejected``). Then the existing responses are locked in pk order (no deadlock between two
    savers) and each stale row adds to one 409 that names, per edition, what changed and by whom.
    """
    _check_may_record(actor, nation)
    errors = {index: found for index, row in enumerate(rows) if (found := input_errors(row))}
    standards = [row.standard.pk for row in rows]
    if len(set(standards)) != len(standards):
        seen: set[int] = set()
        for index, row in enumerate(rows):
            if row.standard.pk in seen:
                errors.setdefault(index, {})["standard"] = [_("This edition is listed twice.")]
            seen.add(row.standard.pk)
    if errors:
        raise RowsRejected(errors)
    existing = {
        response.standard_id: response
        for response in NationalResponse.objects.select_for_update()
        .filter(nation=nation, standard__in=standards)
        .order_by("pk")
    }
    for response in existing.values():
        ensure_allowed(actor, CHANGE, response)
    stale = []
    for row in rows:
        current = existing.get(row.standard.pk)
        if current is None:
            # Responses are never deleted: a version for a row that has none was made up.
            conflict = (
                {"current_version": 0, "changed_fields": [], "changed_by": []}
                if row.expected_version
                else None
            )
        else:
            try:
                check_version(current, row.expected_version)
                conflict = None
            except Conflict as error:
                conflict = error.detail
        if conflict is not None:
            stale.append({"standard": row.standard.pk, "designation": str(row.standard), **conflict})
    if stale:
        raise Conflict(
            _(
                "Someone else recorded responses since you opened the form: %(which)s. "
                "Review the current values and save again."
            )
            % {"which": ", ".join(item["designation"] for item in stale)},
            detail={"rows": stale},
        )
    saved = []
    for index, row in enumerate(rows):
        try:
            saved.append(_save_one(actor, nation, row, existing.get(row.standard.pk)))
        except ValidationError as error:
            raise RowsRejected({index: error.message_dict}) from None
    return saved

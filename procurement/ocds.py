"""A framework and its call-offs as an OCDS 1.1 release package (Open Contracting Data Standard).

The framework is one contracting process: a release tagged ``award`` and ``contract`` with
``tender.techniques.frameworkAgreement`` (OCDS 1.1 techniques extension). Each call-off is its own
contracting process, linked back with ``relatedProcesses`` (relationship ``framework``, scheme
``ocid``); its deliveries are ``implementation.milestones`` of type ``delivery``.

``implementation.transactions`` is present and empty: OCDS transactions are payments, and the
portal does not record payments; line values are in ``contracts[].items[].unit.value``.

Fields outside the standard are extensions and say so by their names: ``quantityDelivered``,
``quantityAccepted``, ``quantityRejected``, ``lotNumber``, ``relatedItem`` (the contract item a
delivery is for), ``rationaleCode`` and an amendment change's ``new_value``.

Scope: the framework comes from ``framework_get`` (404 if not visible) and the call-offs from
``calloff_list``, so a director sees their own nation's call-offs inside a framework they take part
in. The number of queries does not depend on the number of lines, call-offs or deliveries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from procurement import selectors
from procurement.choices import FrameworkStatus
from procurement.models import CallOff, CallOffLine, Delivery, FrameworkContract

OCDS_VERSION = "1.1"
# The ocid prefix an OCDS publisher registers; this portal's own, until NSPA registers one.
OCID_PREFIX = "ocds-nspapo"
PUBLISHER = {"name": "NSPA (portal)"}
NSPA_PARTY = {"id": "NSPA", "name": "NATO Support and Procurement Agency"}

# OCDS contractStatus: an expired framework ran its course, which OCDS calls terminated.
CONTRACT_STATUS = {
    FrameworkStatus.DRAFT: "pending",
    FrameworkStatus.ACTIVE: "active",
    FrameworkStatus.EXPIRED: "terminated",
    FrameworkStatus.TERMINATED: "terminated",
}
AWARD_STATUS = {
    FrameworkStatus.DRAFT: "pending",
    FrameworkStatus.ACTIVE: "active",
    FrameworkStatus.EXPIRED: "active",
    FrameworkStatus.TERMINATED: "cancelled",
}


def framework_ocid(framework: FrameworkContract) -> str:
    return f"{OCID_PREFIX}-framework-{framework.pk}"


def calloff_ocid(call_off: CallOff) -> str:
    return f"{OCID_PREFIX}-calloff-{call_off.pk}"


def _amount(value: Decimal) -> int | float:
    """OCDS amounts are JSON numbers; whole amounts stay integers so nothing is rounded."""
    return int(value) if value == value.to_integral_value() else float(value)


def _value(amount: Decimal, currency: str) -> dict:
    return {"amount": _amount(amount), "currency": currency}


def _datetime(day: dt.date | None) -> str | None:
    return None if day is None else f"{day.isoformat()}T00:00:00Z"


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _supplier_party_id(supplier) -> str:
    return f"supplier-{supplier.pk}"


def _item(line_id: str, item, quantity: int, unit_price: Decimal, currency: str) -> dict:
    entry = {
        "id": line_id,
        "description": item.name,
        "classification": {"scheme": "x-NSPA-catalogue", "id": item.code, "description": item.name},
        "quantity": quantity,
        "unit": {"name": item.unit, "value": _value(unit_price, currency)},
    }
    if item.nato_stock_number:
        entry["additionalClassifications"] = [{"scheme": "x-NSN", "id": item.nato_stock_number}]
    return entry


def _suppliers(framework: FrameworkContract) -> list:
    return list(framework.suppliers.all())


def _framework_parties(framework: FrameworkContract) -> list[dict]:
    parties = [{**NSPA_PARTY, "roles": ["buyer", "procuringEntity"]}]
    parties += [
        {
            "id": _supplier_party_id(s),
            "name": s.name,
            "address": {"countryName": s.country},
            "roles": ["supplier"],
        }
        for s in _suppliers(framework)
    ]
    # Participating nations order and pay under the framework.
    parties += [
        {
            "id": p.nation.code,
            "name": p.nation.name,
            "roles": ["payer"],
            "details": {"joinedOn": p.joined_on.isoformat()},
        }
        for p in framework.participations.all()
    ]
    return parties


def _amendment(amendment) -> dict:
    return {
        "id": str(amendment.pk),
        "date": _datetime(amendment.date),
        "rationale": amendment.get_rationale_display(),
        "rationaleCode": amendment.rationale,
        "description": amendment.description,
        "changes": [
            {"property": field, "former_value": values.get("old"), "new_value": values.get("new")}
            if isinstance(values, dict) and "old" in values
            else {"property": field, "value": values}
            for field, values in sorted(amendment.changes.items())
        ],
    }


def framework_release(framework: FrameworkContract) -> dict:
    ocid = framework_ocid(framework)
    currency = framework.currency
    period = {"startDate": _datetime(framework.period_start), "endDate": _datetime(framework.period_end)}
    items = [
        _item(str(line.pk), line.item, line.max_quantity, line.unit_price, currency)
        for line in framework.lines.all()
    ]
    suppliers = [{"id": _supplier_party_id(s), "name": s.name} for s in _suppliers(framework)]
    award_id = f"{ocid}-award"
    return {
        "ocid": ocid,
        "id": f"{ocid}-{_timestamp(framework.updated_at)}",
        "date": _timestamp(framework.updated_at),
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": _framework_parties(framework),
        "buyer": dict(NSPA_PARTY),
        "tender": {
            "id": framework.reference,
            "title": framework.title,
            "status": "complete",
            "procuringEntity": dict(NSPA_PARTY),
            "contractPeriod": period,
            "techniques": {
                "hasFrameworkAgreement": True,
                "frameworkAgreement": {
                    "method": "withoutReopeningCompetition",
                    "value": _value(framework.ceiling_value, currency),
                    "periodRationale": (
                        f"Framework period {framework.period_start} to {framework.period_end}."
                    ),
                },
            },
        },
        "awards": [
            {
                "id": award_id,
                "title": framework.title,
                "status": AWARD_STATUS[framework.status],
                "date": _datetime(framework.period_start),
                "value": _value(framework.ceiling_value, currency),
                "suppliers": suppliers,
                "items": items,
                "contractPeriod": period,
            }
        ],
        "contracts": [
            {
                "id": framework.reference,
                "awardID": award_id,
                "title": framework.title,
                "status": CONTRACT_STATUS[framework.status],
                "period": period,
                "value": _value(framework.ceiling_value, currency),
                "items": items,
                "amendments": [_amendment(a) for a in framework.amendments.all()],
            }
        ],
    }


def _due_dates(line: CallOffLine, deliveries: list[Delivery]) -> dict[int, dt.date]:
    """Each delivery's due date from the line's schedule: the scheduled entry in which the
    delivery's last unit falls, counting deliveries in date order against the schedule's."""
    schedule = sorted(line.schedule.all(), key=lambda s: (s.due_date, s.pk))
    due: dict[int, dt.date] = {}
    delivered = 0
    for delivery in deliveries:
        delivered += delivery.quantity_delivered
        scheduled = 0
        for entry in schedule:
            scheduled += entry.quantity
            if delivered <= scheduled:
                due[delivery.pk] = entry.due_date
                break
    return due


def _milestone(delivery: Delivery, line: CallOffLine, due: dt.date | None) -> dict:
    item = line.framework_line.item
    text = (
        f"Lot {delivery.lot_number}: {delivery.quantity_delivered} {item.unit} of {item.name} delivered, "
        f"{delivery.quantity_accepted} accepted, {delivery.quantity_rejected} rejected"
    )
    if delivery.rejection_reason:
        text += f" ({delivery.rejection_reason})"
    milestone = {
        "id": f"delivery-{delivery.pk}",
        "title": f"Delivery of lot {delivery.lot_number}",
        "type": "delivery",
        "description": text + ".",
        "status": "met",
        "dateMet": _datetime(delivery.delivered_on),
        "relatedItem": str(line.pk),
        "quantityDelivered": delivery.quantity_delivered,
        "quantityAccepted": delivery.quantity_accepted,
        "quantityRejected": delivery.quantity_rejected,
        "lotNumber": delivery.lot_number,
    }
    if due is not None:
        milestone["dueDate"] = _datetime(due)
    if delivery.location:
        milestone["location"] = delivery.location
    return milestone


def calloff_release(call_off: CallOff, framework: FrameworkContract) -> dict:
    ocid = calloff_ocid(call_off)
    currency = framework.currency
    nation = call_off.nation
    lines = list(call_off.lines.all())
    milestones, due_dates, last_change = [], [], call_off.created_at
    for line in lines:
        deliveries = sorted(line.deliveries.all(), key=lambda d: (d.delivered_on, d.pk))
        due = _due_dates(line, deliveries)
        due_dates += [s.due_date for s in line.schedule.all()]
        for delivery in deliveries:
            milestones.append(_milestone(delivery, line, due.get(delivery.pk)))
            last_change = max(last_change, delivery.created_at)
    items = [
        _item(str(line.pk), line.framework_line.item, line.quantity, line.unit_price, currency)
        for line in lines
    ]
    suppliers = _suppliers(framework)
    period = {"startDate": _datetime(call_off.order_date)}
    if due_dates:
        period["endDate"] = _datetime(max(due_dates))
    award_id = f"{ocid}-award"
    buyer = {"id": nation.code, "name": nation.name}
    return {
        "ocid": ocid,
        "id": f"{ocid}-{_timestamp(last_change)}",
        "date": _timestamp(last_change),
        "tag": ["award", "contract", "implementation"] if milestones else ["award", "contract"],
        "initiationType": "tender",
        "language": "en",
        "relatedProcesses": [
            {
                "id": "framework",
                "relationship": ["framework"],
                "title": framework.title,
                "scheme": "ocid",
                "identifier": framework_ocid(framework),
            }
        ],
        "parties": [
            {**buyer, "roles": ["buyer", "payer"]},
            {**NSPA_PARTY, "roles": ["procuringEntity"]},
            *(
                {
                    "id": _supplier_party_id(s),
                    "name": s.name,
                    "address": {"countryName": s.country},
                    "roles": ["supplier", "payee"],
                }
                for s in suppliers
            ),
        ],
        "buyer": buyer,
        "tender": {
            "id": f"{ocid}-tender",
            "title": f"Call-off {call_off.reference} under {framework.reference}",
            "status": "complete",
            "procuringEntity": dict(NSPA_PARTY),
            "techniques": {"hasFrameworkAgreement": True},
        },
        "awards": [
            {
                "id": award_id,
                "title": f"Call-off {call_off.reference}",
                "status": "active",
                "date": _datetime(call_off.order_date),
                "value": _value(call_off.total_value, currency),
                "suppliers": [{"id": _supplier_party_id(s), "name": s.name} for s in suppliers],
                "items": items,
            }
        ],
        "contracts": [
            {
                "id": call_off.reference,
                "awardID": award_id,
                "title": f"Call-off {call_off.reference}",
                "status": "active",
                "dateSigned": _datetime(call_off.order_date),
                "period": period,
                "value": _value(call_off.total_value, currency),
                "items": items,
                "implementation": {"transactions": [], "milestones": milestones},
            }
        ],
    }


def framework_release_package(*, user, pk, uri: str) -> dict:
    """The framework and the call-offs ``user`` may see under it, as an OCDS release package."""
    framework = selectors.framework_get(user=user, pk=pk)
    call_offs = (
        selectors.calloff_list(user=user)
        .filter(framework=framework)
        .prefetch_related(selectors.calloff_lines_prefetch(user=user))
        .order_by("order_date", "reference", "pk")
    )
    releases = [framework_release(framework)]
    releases += [calloff_release(call_off, framework) for call_off in call_offs]
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _timestamp(timezone.now()),
        "publisher": dict(PUBLISHER),
        "releases": releases,
    }

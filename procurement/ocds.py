"""A framework and its call-offs as an OCDS 1.1 release package (Open Contracting Data Standard).

The framework is one contracting process: a release tagged ``award`` and ``contract`` with
``tender.techniques.frameworkAgreement`` (the Techniques extension). Each call-off is its own
contracting process, linked back with ``relatedProcesses`` (relationship ``framework``, scheme
``ocid``); its deliveries are ``implementation.milestones`` of type ``delivery``.

Extensions: the package lists the Techniques extension and the portal's own
(``procurement/ocds_extension/``, served at ``procurement:ocds-extension``), which documents every
other field outside the standard: ``maximumValue`` on the framework's award and contract,
``parties[].details.joinedOn``, an amendment's ``rationaleCode``, and a delivery milestone's
``relatedItem``, ``lotNumber``, ``location`` and ``quantity*``.

Values: the framework's ceiling is a maximum, not a contract value. As in OCDS 1.2 it is the
framework's ``maximumValue`` (and the Techniques extension's ``frameworkAgreement.value``); the
framework's award and contract carry no ``value``, so that summing contract values sums the
call-offs once. ``implementation.transactions`` is present and empty: OCDS transactions are
payments, and the portal does not record payments.

Amendments: the framework's process also holds one release with the amended fields as they were
before the first amendment and one per amendment with their values after it; each of the current
release's ``amendments`` names the two with ``amendsReleaseID`` and ``releaseID`` (the deprecated
``changes`` array is gone, and with it the portal's field names).

Release ids and dates: a release's ``id`` is its ocid and a digest of everything else in it, so it
changes whenever the release's content (or date) does, and two reads of unchanged data give the
same id, whoever reads. Its ``date`` is the time of the last recorded change to the rows it is
built from: their own ``created_at``/``updated_at`` where they have one, and the latest audit row
about the others (lines, participants, suppliers, items; a delivery's correction), read as
subqueries of the feed's own queries (``selectors.ocds_framework_get``/``ocds_calloff_list``).
A row written without an audit row and without a timestamp of its own (a nation's name, from the
reference data) changes the id but not the date.

Scope: the framework comes from ``ocds_framework_get`` (404 if not visible) and the call-offs from
``calloff_list``, so a director sees their own nation's call-offs inside a framework they take part
in. The number of queries does not depend on the number of lines, call-offs or deliveries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

from django.utils import translation

from procurement import selectors
from procurement.choices import FrameworkStatus
from procurement.models import Amendment, CallOff, CallOffLine, Delivery, FrameworkContract

OCDS_VERSION = "1.1"
# The ocid prefix an OCDS publisher registers; this portal's own, until NSPA registers one.
OCID_PREFIX = "ocds-nspapo"
PUBLISHER = {"name": "NSPA (portal)"}
NSPA_PARTY = {"id": "NSPA", "name": "NATO Support and Procurement Agency"}
# The extension registry's URL for the Techniques extension (its only published version).
TECHNIQUES_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_techniques_extension/master/extension.json"
)
EXTENSION_DIR = Path(__file__).resolve().parent / "ocds_extension"

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


def extension_files() -> dict[str, str]:
    """The files of the portal's extension a data user may fetch, with their content types: the
    ones its ``extension.json`` lists, itself and its documentation."""
    metadata = json.loads((EXTENSION_DIR / "extension.json").read_text())
    files = {"extension.json": "application/json", "README.md": "text/markdown; charset=utf-8"}
    files.update(dict.fromkeys(metadata["schemas"], "application/json"))
    files.update({f"codelists/{name}": "text/csv; charset=utf-8" for name in metadata["codelists"]})
    return files


def _amount(value: Decimal) -> int | float:
    """OCDS amounts are JSON numbers; whole amounts stay integers so nothing is rounded."""
    return int(value) if value == value.to_integral_value() else float(value)


def _value(amount: Decimal, currency: str) -> dict:
    return {"amount": _amount(amount), "currency": currency}


def _datetime(day: dt.date | None) -> str | None:
    return None if day is None else f"{day.isoformat()}T00:00:00Z"


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _latest(*moments: dt.datetime | None) -> str:
    return _timestamp(max(m for m in moments if m is not None))


def _with_id(release: dict) -> dict:
    """``release`` with its id: the ocid and a digest of everything else in it, key order aside."""
    body = json.dumps(release, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    return {"ocid": release["ocid"], "id": f"{release['ocid']}-{digest}", **release}


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


def _payer(participation) -> dict:
    """A participating nation: it orders and pays under the framework."""
    return {
        "id": participation.nation.code,
        "name": participation.nation.name,
        "roles": ["payer"],
        "details": {"joinedOn": _datetime(participation.joined_on)},
    }


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
    parties += [_payer(p) for p in framework.participations.all()]
    return parties


# --- Amendments -------------------------------------------------------------------------------

# The amendable fields the release shows, and how their recorded values (strings) are read back.
RECORDED = {
    "title": str,
    "status": FrameworkStatus,
    "period_start": dt.date.fromisoformat,
    "period_end": dt.date.fromisoformat,
    "ceiling_value": Decimal,
}


def _recorded(amendment: Amendment, side: str) -> dict:
    """The values an amendment recorded on ``side`` (``old`` or ``new``) for the fields the release
    shows, read back; a value that does not read back is left out rather than break the feed."""
    values = {}
    for field, change in amendment.changes.items():
        if field in RECORDED and isinstance(change, dict) and side in change:
            try:
                values[field] = RECORDED[field](change[side])
            except (TypeError, ValueError, ArithmeticError):
                continue
    return values


def _contract_terms(values: dict, currency: str) -> tuple[dict, dict]:
    """What the given framework values fill in the framework's contract and in its
    ``frameworkAgreement``: the contract's title, status, period and maximum value, the
    agreement's value and period."""
    contract, agreement = {}, {}
    if "title" in values:
        contract["title"] = values["title"]
    if "status" in values:
        contract["status"] = CONTRACT_STATUS[values["status"]]
    period = {}
    if "period_start" in values:
        period["startDate"] = _datetime(values["period_start"])
    if "period_end" in values:
        period["endDate"] = _datetime(values["period_end"])
    if period:
        contract["period"], agreement["period"] = period, dict(period)
    if "ceiling_value" in values:
        contract["maximumValue"] = _value(values["ceiling_value"], currency)
        agreement["value"] = _value(values["ceiling_value"], currency)
    return contract, agreement


def _terms_release(framework, *, date, tag, values: dict, parties: list[dict]) -> dict:
    """A release of the framework's process holding only the given values: the state before the
    first amendment, or what one amendment changed. Compiled with the others, the record's
    versioned release shows each value's history."""
    ocid = framework_ocid(framework)
    contract, agreement = _contract_terms(values, framework.currency)
    release = {"ocid": ocid, "date": _timestamp(date), "tag": tag, "initiationType": "tender"}
    if parties:
        release["parties"] = parties
    if agreement:
        release["tender"] = {"id": framework.reference, "techniques": {"frameworkAgreement": agreement}}
    release["contracts"] = [{"id": framework.reference, "awardID": f"{ocid}-award", **contract}]
    return _with_id(release)


def _amendment_releases(framework: FrameworkContract) -> tuple[list[dict], dict[int, dict], dict]:
    """The releases before and after each amendment (in the order the amendments were made), the
    current release's ``amendments`` entries by amendment pk, and the values as they were before
    the first amendment."""
    amendments = sorted(framework.amendments.all(), key=lambda a: (a.created_at, a.pk))
    if not amendments:
        return [], {}, {}
    # Each field as it was before any amendment changed it: the first value recorded, else the
    # current one (status, period and ceiling change only by amendment), so that a later
    # amendment leaves this release, and the ids that name it, as they were. The title is also
    # edited without an amendment, so it is here only once an amendment changed it.
    original = {field: getattr(framework, field) for field in RECORDED if field != "title"}
    first: dict = {}
    for amendment in amendments:
        for field, value in _recorded(amendment, "old").items():
            first.setdefault(field, value)
    original.update(first)
    releases = [
        _terms_release(
            framework, date=framework.created_at, tag=["award", "contract"], values=original, parties=[]
        )
    ]
    payers = {p.nation.code: p for p in framework.participations.all()}
    entries = {}
    for amendment in amendments:
        # A nation joining a running framework: {"participants": {"added": "DEU"}}.
        added = amendment.changes.get("participants")
        joined = payers.get(added.get("added")) if isinstance(added, dict) else None
        after = _terms_release(
            framework,
            date=amendment.created_at,
            tag=["contractAmendment"],
            values=_recorded(amendment, "new"),
            parties=[_payer(joined)] if joined else [],
        )
        entries[amendment.pk] = {
            "id": str(amendment.pk),
            "date": _datetime(amendment.date),
            "rationale": amendment.get_rationale_display(),
            "rationaleCode": amendment.rationale,
            "description": amendment.description,
            "amendsReleaseID": releases[-1]["id"],
            "releaseID": after["id"],
        }
        releases.append(after)
    return releases, entries, original


# --- Releases -----------------------------------------------------------------------------------


def framework_releases(framework: FrameworkContract) -> list[dict]:
    """The framework's process: its amendment releases, oldest first, then its current release."""
    ocid = framework_ocid(framework)
    currency = framework.currency
    history, amendment_entries, original = _amendment_releases(framework)
    period = {"startDate": _datetime(framework.period_start), "endDate": _datetime(framework.period_end)}
    items = [
        _item(str(line.pk), line.item, line.max_quantity, line.unit_price, currency)
        for line in framework.lines.all()
    ]
    suppliers = [{"id": _supplier_party_id(s), "name": s.name} for s in _suppliers(framework)]
    award_id = f"{ocid}-award"
    contract, agreement = _contract_terms({field: getattr(framework, field) for field in RECORDED}, currency)
    amendments = list(framework.amendments.all())
    release = {
        "ocid": ocid,
        "date": _latest(
            framework.updated_at,
            getattr(framework, "lines_changed_at", None),
            getattr(framework, "items_changed_at", None),
            getattr(framework, "participants_changed_at", None),
            getattr(framework, "suppliers_changed_at", None),
            *(a.created_at for a in amendments),
        ),
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
                "frameworkAgreement": {"method": "withoutReopeningCompetition", **agreement},
            },
        },
        "awards": [
            {
                "id": award_id,
                "title": framework.title,
                "status": AWARD_STATUS[framework.status],
                "date": _datetime(framework.period_start),
                # The ceiling it was awarded with: the value before any amendment changed it.
                "maximumValue": _value(original.get("ceiling_value", framework.ceiling_value), currency),
                "suppliers": suppliers,
                "items": items,
                "contractPeriod": period,
            }
        ],
        "contracts": [
            {
                "id": framework.reference,
                "awardID": award_id,
                **contract,
                "items": items,
                "amendments": [amendment_entries[a.pk] for a in amendments],
            }
        ],
    }
    return [*history, _with_id(release)]


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
    milestones, due_dates, created = [], [], []
    for line in lines:
        deliveries = sorted(line.deliveries.all(), key=lambda d: (d.delivered_on, d.pk))
        due = _due_dates(line, deliveries)
        due_dates += [s.due_date for s in line.schedule.all()]
        for delivery in deliveries:
            milestones.append(_milestone(delivery, line, due.get(delivery.pk)))
            created += [delivery.created_at, getattr(delivery, "corrected_at", None)]
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
    release = {
        "ocid": ocid,
        # The call-off's lines and schedule are written once, with it; what changes later is its
        # deliveries, and the framework's title, suppliers and items it shows.
        "date": _latest(
            call_off.created_at,
            framework.updated_at,
            getattr(framework, "suppliers_changed_at", None),
            getattr(call_off, "items_changed_at", None),
            *created,
        ),
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
    return _with_id(release)


def framework_release_package(*, user, pk, uri: str, extension_url: str) -> dict:
    """The framework and the call-offs ``user`` may see under it, as an OCDS release package.

    Built in English whatever the reader's language, as its ``language`` says: the content, and
    so every release id, is the same for every reader who may see it."""
    framework = selectors.ocds_framework_get(user=user, pk=pk)
    call_offs = selectors.ocds_calloff_list(user=user, framework=framework)
    with translation.override("en"):
        releases = framework_releases(framework)
        releases += [calloff_release(call_off, framework) for call_off in call_offs]
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [TECHNIQUES_EXTENSION, extension_url],
        # Generated on demand, so the date of the last change to its contents (the OCDS rule).
        "publishedDate": max(r["date"] for r in releases),
        "publisher": dict(PUBLISHER),
        "releases": releases,
    }

"""Standards test data built through the services, as the portal would build it."""

from __future__ import annotations

import datetime as dt
import itertools

from portal.models import User
from standards import services
from standards.models import Domain

_numbers = itertools.count(7000)


def secretariat_user() -> User:
    user, _ = User.objects.get_or_create(
        username="factory_secretariat", defaults={"role": "secretariat", "email": "sec@example.org"}
    )
    return user


def make_domain(code: str = "lbdm", name: str = "Land battle decisive munitions", actor=None) -> Domain:
    existing = Domain.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return services.domain_create(
        actor=actor or secretariat_user(), code=code, name=name, name_fr=f"{name} (fr)"
    )


def make_standard(
    *,
    number: str | None = None,
    edition: str = "1",
    status: str = "promulgated",
    domain=None,
    actor=None,
    **fields,
):
    values = {
        "doc_type": "stanag",
        "number": number or str(next(_numbers)),
        "edition": edition,
        "title": f"Standard {number or 'test'}",
        "status": status,
        "promulgated_on": dt.date(2020, 3, 31) if status in ("promulgated", "superseded") else None,
        "domain": domain or make_domain(actor=actor),
        "level": "interchangeability",
        **fields,
    }
    return services.standard_create(actor=actor or secretariat_user(), **values)

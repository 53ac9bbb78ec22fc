"""Core writes. Every write is atomic, validated and audited in the same transaction."""

from __future__ import annotations

from django.db import transaction

from portal.audit import record_change, snapshot
from portal.choices import AuditAction, Role
from portal.models import Nation, User


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    nation: Nation | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    message: str = "",
) -> User:
    """Create a user with a role (and a nation for directors and partners)."""
    user = User(
        username=username,
        role=Role(role),
        nation=nation,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    record_change(actor=actor, obj=user, action=AuditAction.CREATE, after=snapshot(user), message=message)
    return user

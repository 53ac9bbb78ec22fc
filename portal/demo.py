"""Demo data: each app registers a loader; ``manage.py load_demo`` runs them in order.

Loaders must be idempotent: a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Loader:
    order: int
    name: str
    func: Callable[..., list[str]]


_loaders: dict[str, Loader] = {}


def register(name: str, *, order: int) -> Callable:
    """Decorator: register ``func(*, stdout) -> list of lines to report``."""

    def decorator(func):
        _loaders[name] = Loader(order=order, name=name, func=func)
        return func

    return decorator


def loaders() -> list[Loader]:
    return sorted(_loaders.values(), key=lambda loader: (loader.order, loader.name))


# (username, role, nation code, display name); the people are fictional.
DEMO_USERS = [
    ("director_deu", "director", "DEU", "Katrin Weber"),
    ("director_fra", "director", "FRA", "Claire Martin"),
    ("director_pol", "director", "POL", "Tomasz Nowak"),
    ("director_nld", "director", "NLD", "Sanne de Vries"),
    ("nspa", "nspa", None, "Luc Bernard"),
    ("secretariat", "secretariat", None, "Helen Ward"),
    ("board_member", "board_member", None, "Marco Rossi"),
    ("board_member_wg2", "board_member", None, "Ingrid Larsen"),
    ("partner_ukr", "partner", "UKR", "Olena Kovalenko"),
]


@register("portal.users", order=0)
def load_users() -> list[str]:
    from portal.models import Nation, User
    from portal.services import user_create

    created = []
    nations = {n.code: n for n in Nation.objects.filter(code__in={c for _, _, c, _ in DEMO_USERS if c})}
    for username, role, code, full_name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        first, _, last = full_name.partition(" ")
        user_create(
            actor=None,
            username=username,
            password=settings.DEMO_PASSWORD,
            role=role,
            nation=nations[code] if code else None,
            first_name=first,
            last_name=last,
            message="Demo data",
        )
        created.append(username)
    return [f"users created: {len(created)}"]

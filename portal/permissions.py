"""The authorization matrix (DESIGN.md, "Roles and scope") as code.

Each model registers a rule: for each action, which roles may act and on which rows. Every read in
a selector starts from ``restrict(queryset, user, action)``; every service re-checks with
``ensure_allowed`` inside its transaction. Anything not granted is denied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.choices import Role
from portal.exceptions import Forbidden, NotFound

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"


@dataclass(frozen=True)
class Scope:
    """Which rows of a queryset a user may act on. ``label`` is what /api/me/ reports.

    ``holds``, where given, answers the same question for one loaded object without a query (for
    links and buttons on rows a page has already read); see ``allows``.
    """

    label: str
    apply: Callable[[QuerySet, object], QuerySet]
    holds: Callable[[Model, object], bool] | None = None

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        return self.apply(queryset, user)


ALL = Scope("all", lambda qs, user: qs, lambda obj, user: True)


def _value_at(obj: Model, path: str):
    """The value a ``filter(**{path: ...})`` compares, read from a loaded object: the key of the
    last foreign key on the path (``nation`` → ``nation_id``, so the row is not loaded), or a
    field's own value (``pk``)."""
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id") if hasattr(obj, f"{last}_id") else getattr(obj, last)


# The label of ``own_nation`` scopes: a page may narrow its nation choices to the user's own.
OWN_NATION = "own_nation"


def own_nation(path: str = "nation") -> Scope:
    """Rows whose ``path`` points at the user's nation; nothing for a user without one."""
    return Scope(
        OWN_NATION,
        lambda qs, user: qs.filter(**{path: user.nation_id}) if user.nation_id else qs.none(),
        lambda obj, user: user.nation_id is not None and _value_at(obj, path) == user.nation_id,
    )


def own_rows(path: str) -> Scope:
    """Rows that belong to the user themself (``path`` is a foreign key to the user)."""
    return Scope(
        "own",
        lambda qs, user: qs.filter(**{path: user.pk}),
        lambda obj, user: _value_at(obj, path) == user.pk,
    )


class SystemActor:
    """The portal itself, for work no user asked for: a job warming a cache, a nightly sweep. It
    holds every grant, as a superuser does, so ``restrict`` gives it every row. It is never a row
    in the user table, and audit rows it causes have no actor (the trail shows "system"). Tasks and
    management commands use ``SYSTEM``; a request never does."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = True
    is_staff = False
    pk = id = nation_id = nation = None
    role = ""
    username = "system"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


SYSTEM = SystemActor()

Grants = Mapping[str, Mapping[str, Scope]]
_rules: dict[type[Model], Grants] = {}


def register(model: type[Model], grants: Grants) -> None:
    """Register ``model``'s rule: ``{action: {role: scope}}``. Called from each app's ``ready()``."""
    for action, by_role in grants.items():
        unknown = set(by_role) - set(Role.values)
        if unknown:
            raise ImproperlyConfigured(f"{model.__name__}.{action}: unknown roles {sorted(unknown)}")
    _rules[model._meta.concrete_model] = grants


def extend(model: type[Model], grants: Grants) -> None:
    """Add actions to a rule registered elsewhere (an app's action on a core model, such as
    pledges' nation page on ``Nation``). An action may be defined once."""
    registered = _rules.get(model._meta.concrete_model)
    if registered is None:
        raise ImproperlyConfigured(f"{model.__name__} has no rule to extend")
    repeated = set(registered) & set(grants)
    if repeated:
        raise ImproperlyConfigured(f"{model.__name__}: {sorted(repeated)} already defined")
    register(model, {**registered, **grants})


def registered_models() -> set[type[Model]]:
    return set(_rules)


def _scope_for(model: type[Model], user, action: str) -> Scope | None:
    try:
        grants = _rules[model._meta.concrete_model]
    except KeyError:
        # A model without a rule is a programming error, caught by the matrix test; fail closed.
        raise ImproperlyConfigured(f"No permission rule registered for {model._meta.label}") from None
    return grants.get(action, {}).get(user.role)


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """``queryset`` narrowed to the rows ``user`` may ``action``; empty when nothing is granted."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    scope = _scope_for(queryset.model, user, action)
    if scope is None:
        return queryset.none()
    return scope(queryset, user)


def restricted_prefetch(lookup: str, queryset: QuerySet, user, action: str = VIEW, *, to_attr=None):
    """A ``Prefetch`` of ``lookup`` whose rows are narrowed by ``restrict``, so related rows are
    scoped like every other read and no selector filters children by hand."""
    from django.db.models import Prefetch

    return Prefetch(lookup, queryset=restrict(queryset, user, action), to_attr=to_attr)


def is_allowed(user, action: str, obj: Model) -> bool:
    model = type(obj)
    return restrict(model._default_manager.filter(pk=obj.pk), user, action).exists()


def allows(user, action: str, obj: Model) -> bool:
    """Whether ``user`` may ``action`` the loaded ``obj``, without a query when the scope can tell
    from the object itself (``ALL``, ``own_nation``, ``own_rows``); otherwise as ``is_allowed``."""
    if not may(user, type(obj), action):
        return False
    scope = None if user.is_superuser else _scope_for(type(obj), user, action)
    if scope is None or scope.holds is not None:
        return scope is None or scope.holds(obj, user)
    return is_allowed(user, action, obj)


def ensure_added(user, obj: Model, message: str, action: str = ADD) -> None:
    """For a create service, right after it saved ``obj`` inside its transaction: raise
    ``Forbidden`` (which rolls the save back with the transaction) unless ``user``'s scope for
    ``action`` covers the new row. So the ADD scopes in rules.py apply as written (NetBox's way),
    and no service hand-codes "a director adds only for their own nation"."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ensure_added runs inside the create service's transaction")
    if not is_allowed(user, action, obj):
        raise Forbidden(message)


def ensure_allowed(user, action: str, obj: Model) -> None:
    """Raise ``NotFound`` if the user may not even see ``obj``, ``Forbidden`` if they may see it but
    not ``action`` it. Services call this inside their transaction before writing."""
    if action != VIEW and is_allowed(user, action, obj):
        return
    if not is_allowed(user, VIEW, obj):
        raise NotFound(f"{type(obj)._meta.verbose_name} not found.")
    if action != VIEW:
        raise Forbidden(f"You may not {action} this {type(obj)._meta.verbose_name}.")


def may(user, model: type[Model], action: str) -> bool:
    """Whether ``user`` has any grant for ``action`` on ``model`` (for menus and buttons)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return _scope_for(model, user, action) is not None


def reads_all(user, model: type[Model], action: str = VIEW) -> bool:
    """Whether ``user`` may ``action`` every row of ``model`` (an unfiltered scope): the test for
    whether an aggregate over its rows may be shown unsuppressed (portal.aggregates)."""
    if not may(user, model, action):
        return False
    return user.is_superuser or _scope_for(model, user, action).label == ALL.label


def scope_label(user, model: type[Model], action: str = VIEW) -> str | None:
    """The label of the scope ``user`` holds for ``action`` on ``model`` ("all" for a superuser),
    or None: lets a page describe what it shows without knowing about roles."""
    if not may(user, model, action):
        return None
    return ALL.label if user.is_superuser else _scope_for(model, user, action).label


def _grants_of(user):
    """``(model, {action: scope label})`` for every model on which the user holds a grant, by
    model label, the actions in the order the rule lists them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return
    for model, grants in sorted(_rules.items(), key=lambda item: item[0]._meta.label_lower):
        granted = {
            action: ALL.label if user.is_superuser else by_role[user.role].label
            for action, by_role in grants.items()
            if user.is_superuser or user.role in by_role
        }
        if granted:
            yield model, granted


def permissions_for(user) -> dict[str, dict[str, str]]:
    """``{"app.model": {action: scope label}}`` for every grant the user holds."""
    return {model._meta.label_lower: granted for model, granted in _grants_of(user)}


# --- The grants in words, for people (the profile page) -----------------------------------------

# What each scope label means, as a phrase around the records' name (``%(records)s``, the model's
# plural verbose name) and the user's nation (``%(nation)s``). Keyed by the labels the rules.py
# files register; an unknown label reads as "Some ...".
SCOPE_PHRASES = {
    ALL.label: gettext_lazy("All %(records)s"),
    "own_nation": gettext_lazy("%(nation)s's %(records)s"),
    "own": gettext_lazy("Your own %(records)s"),
    "own_or_own_nation": gettext_lazy("%(records)s by you or about %(nation)s"),
    "released": gettext_lazy("%(records)s except those about unsubmitted drafts"),
    "participating": gettext_lazy("%(records)s of frameworks %(nation)s takes part in"),
    "submitted": gettext_lazy("Submitted %(records)s"),
    "published": gettext_lazy("%(records)s from NATO editions"),
    "published_or_submitted": gettext_lazy("%(records)s from NATO editions and submitted returns"),
    "published_or_own_nation": gettext_lazy("%(records)s from NATO editions and %(nation)s's returns"),
    "own_nation_return": gettext_lazy("%(nation)s's national returns (%(records)s)"),
    "own_bodies": gettext_lazy("%(records)s of the bodies you sit on"),
    "own_bodies_and_board": gettext_lazy(
        "%(records)s of the bodies you sit on, and of their working groups once out of draft"
    ),
    "not_sensitive_or_own_body": gettext_lazy(
        "%(records)s not marked sensitive, and those of the bodies you sit on"
    ),
    "chair_or_secretary": gettext_lazy("%(records)s of the bodies you chair or are secretary of"),
    "board": gettext_lazy("%(records)s of the working groups under a body you sit on"),
    "board_approved": gettext_lazy("Approved %(records)s of the Board"),
    "board_approved_minutes": gettext_lazy("%(records)s of the Board with approved minutes"),
    "submitted_to_cnad": gettext_lazy("%(records)s submitted to CNAD"),
}
SOME_RECORDS = gettext_lazy("Some %(records)s")

# What each action is called, keyed by the action names the rules.py files register; an unknown
# one reads as its name with spaces.
ACTION_WORDS = {
    VIEW: gettext_lazy("view"),
    ADD: gettext_lazy("add"),
    CHANGE: gettext_lazy("edit"),
    DELETE: gettext_lazy("delete"),
    "submit": gettext_lazy("submit"),
    "review": gettext_lazy("review"),
    "approve": gettext_lazy("approve"),
    "endorse": gettext_lazy("endorse"),
    "decide": gettext_lazy("record decisions"),
    "read_draft": gettext_lazy("read drafts"),
    "file_return": gettext_lazy("file returns"),
    "manage_editions": gettext_lazy("manage editions"),
    "open_dip_nation": gettext_lazy("open the nation's dashboard page"),
    "read_capacity": gettext_lazy("compare capacity with demand"),
    "read_capacity_view": gettext_lazy("read the industrial capacity view"),
    "mark_sensitive": gettext_lazy("mark sensitive"),
}


@dataclass(frozen=True)
class AccessLine:
    """One line of "Your access": which records (in words: whose, and what kind) and what the user
    may do with them. ``scope`` is the registry's label, for code and tests, not for display."""

    records: str
    actions: list[str]
    scope: str


def _records_in_words(model: type[Model], label: str, user) -> str:
    nation = getattr(user, "nation", None)
    # On the nations and the users themselves, "own" rows are one row: say which.
    if label == "own_nation" and nation is not None and isinstance(nation, model):
        return nation.name
    if label == "own" and isinstance(user, model):
        return _("Your own account")
    phrase = SCOPE_PHRASES.get(label, SOME_RECORDS)
    names = {
        "records": model._meta.verbose_name_plural,
        "nation": nation.name if nation is not None else _("your nation"),
    }
    return capfirst(str(phrase) % names)


def access_in_words(user) -> list[AccessLine]:
    """What ``permissions_for`` reports, for people: one line per model and scope, in the order the
    rules list the actions ("Poland's national plans: view, add, edit, submit")."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return [AccessLine(records=_("All records"), actions=[_("every action")], scope=ALL.label)]
    lines = []
    for model, granted in _grants_of(user):
        by_scope: dict[str, list[str]] = {}
        for action, label in granted.items():
            by_scope.setdefault(label, []).append(str(ACTION_WORDS.get(action) or action.replace("_", " ")))
        lines += [
            AccessLine(records=_records_in_words(model, label, user), actions=actions, scope=label)
            for label, actions in by_scope.items()
        ]
    return lines

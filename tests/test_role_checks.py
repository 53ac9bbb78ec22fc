"""Only the rules know about roles (DESIGN convention 11): a comparison with a role anywhere else
fails here, in Python (``user.role == ...``, ``... in {Role.X}``, ``filter(role=...)``) and in
templates (``user.role``). Pages, menus, selectors and services ask ``may``, ``allows``,
``reads_all`` or ``scope_label``, and the grants in the ``rules.py`` files decide.

Allowed: ``portal/permissions.py``, the ``rules.py`` files, the models (a user's own invariants,
such as "a director has a nation"), migrations, demo data and tests.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["portal", "pledges", "procurement", "standards", "boards"]


def _allowed(path: Path) -> bool:
    rel = path.relative_to(ROOT)
    parts = rel.parts
    return (
        rel == Path("portal/permissions.py")
        or path.name == "rules.py"
        or path.name == "models.py"
        or "models" in parts[:-1]
        or "migrations" in parts
        or "tests" in parts
        or path.name == "demo.py"
    )


def _is_role(node: ast.AST) -> bool:
    """``x.role``, or ``Role``/``Role.X`` (``portal.choices.Role``), or a set/list/tuple of them."""
    if isinstance(node, ast.Attribute):
        return node.attr == "role" or (isinstance(node.value, ast.Name) and node.value.id == "Role")
    if isinstance(node, ast.Name):
        return node.id in {"Role", "NATION_BOUND_ROLES"}
    if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        return any(_is_role(element) for element in node.elts)
    return False


def _is_lookup(func: ast.AST) -> bool:
    """A queryset lookup (``filter``, ``exclude``, ``get``...) or a ``Q``: where ``role=`` compares."""
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q", "first", "count"}


def role_checks(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(_is_role(n) for n in [node.left, *node.comparators]):
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and _is_lookup(node.func):
            found += [
                (node.lineno, f"{ast.unparse(node.func)}({keyword.arg}=...)")
                for keyword in node.keywords
                if keyword.arg and re.fullmatch(r"(\w+__)?role(__in)?", keyword.arg)
            ]
    return found


def test_no_role_checks_outside_the_rules():
    offences = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if not _allowed(path):
                offences += [
                    f"{path.relative_to(ROOT)}:{n}: {code}" for n, code in role_checks(path.read_text())
                ]
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.role\b|\brole\s*==", line):
                offences.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert offences == []


def test_the_check_sees_each_form_of_a_role_comparison():
    caught = role_checks(
        "a = user.role == Role.DIRECTOR\n"
        "b = user.role in {Role.NSPA, Role.SECRETARIAT}\n"
        "c = Role.PARTNER != u.role\n"
        "d = User.objects.filter(role=Role.SECRETARIAT)\n"
        "e = users.exclude(user__role__in=['nspa'])\n"
        "f = u.role in NATION_BOUND_ROLES\n"
    )
    assert [line for line, _code in caught] == [1, 2, 3, 4, 5, 6]
    assert role_checks("may(user, Plan, 'view')\nUser(role=Role.NSPA)\nx = user.nation_id == 3\n") == []

"""Standards' entries in the main menu, each shown to the roles that may use its page."""

from __future__ import annotations


def register_menu() -> None:
    """Called from StandardsConfig.ready(); entries are added with the pages they open."""

"""Procurement's entries in the main menu."""


def register_menu() -> None:
    """Called from ProcurementConfig.ready(); the web views add their entries here."""

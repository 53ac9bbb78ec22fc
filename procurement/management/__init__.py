"""Management commands of procurement (``commands/``)."""

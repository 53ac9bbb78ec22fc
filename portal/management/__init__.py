"""Management commands of the core (``commands/``)."""

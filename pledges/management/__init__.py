"""Management commands of pledges (``commands/``)."""

"""The audit trail as people read it: ``{% for row in changes|audit_rows %}`` gives each row's
record type and action in words, and its changed fields by their labels with the values before and
after (``portal.audit.describe``). No query: labels come from the models, and a reference to
another record shows that it changed, not its internal id."""

from django import template

from portal.audit import describe

register = template.Library()


@register.filter
def audit_rows(changes):
    return [describe(change) for change in changes]

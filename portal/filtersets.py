"""Filter sets of the portal's own lists, and the filter types every app's filter sets share.

Nations are given by code (``?nation=POL``, any case); ids and years must be whole numbers. A key
outside the rows offered matches nothing: it is not an error, and costs no query.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from portal.choices import JobState, NationKind
from portal.forms import DATE_INPUT
from portal.models import JobRun, Nation, ObjectChange
from portal.permissions import OWN_NATION, VIEW, scope_label


def nations(request):
    return Nation.objects.order_by("name", "pk")


# --- Filter types ---------------------------------------------------------------------------


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number (``NumberFilter`` would accept ``1.5``): ids and years."""

    field_class = forms.IntegerField


class NationCodeField(forms.CharField):
    def to_python(self, value):
        return super().to_python(value).upper()


class _KeyChoiceField(forms.ModelChoiceField):
    """A select of the rows offered whose value cleans to the key given (an id or a code), without
    looking the row up: a key outside the rows offered is not an error and matches nothing."""

    key_field_class: type[forms.Field]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return self.key_field_class().clean(value)


class IdChoiceField(_KeyChoiceField):
    key_field_class = forms.IntegerField


class CodeChoiceField(_KeyChoiceField):
    key_field_class = NationCodeField

    def prepare_value(self, value):
        # ``?nation=pol`` shows Poland as chosen, as it filters on it.
        return value.strip().upper() if isinstance(value, str) else super().prepare_value(value)


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A parent by id: a select of the visible rows on the HTML form, any whole number in a query."""

    field_class = IdChoiceField


class NationFilter(django_filters.ModelChoiceFilter):
    """A nation by code (``POL``, any case): a select of nations on the HTML form. ``field_name``
    is the path to the nation (``call_off__nation``); the filter matches on its code."""

    field_class = CodeChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", nations)
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("label", _("Nation"))
        kwargs.setdefault("help_text", _("ISO 3166-1 alpha-3 code of the nation, e.g. POL."))
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        """The nations offered: all of them, except where the reader sees only their own nation's
        rows of the list (``own_nation`` scope), where their nation is the one choice (a director's
        select of 38 nations when every row is Poland's helped nobody). From the scope, no query."""
        offered = super().get_queryset(request)
        listed = getattr(getattr(self, "parent", None), "queryset", None)
        user = getattr(request, "user", None)
        if (
            listed is not None
            and user is not None
            and user.is_authenticated
            and user.nation_id
            and scope_label(user, listed.model, VIEW) == OWN_NATION
        ):
            return offered.filter(pk=user.nation_id)
        return offered

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        if self.distinct:
            qs = qs.distinct()
        return self.get_method(qs)(**{f"{self.field_name}__code": value})


# --- Filter sets ----------------------------------------------------------------------------


class NationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=NationKind.choices)
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Nation
        fields = ["kind", "code"]


class ObjectChangeFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(lookup_expr="istartswith", label=_("Action"))
    actor = django_filters.CharFilter(field_name="actor_username", lookup_expr="iexact", label=_("User"))
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.none(),
        label=_("Record type"),
        help_text=_("The kind of record changed."),
    )
    since = django_filters.DateFilter(
        field_name="time", lookup_expr="date__gte", label=_("Since"), widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        field_name="time", lookup_expr="date__lte", label=_("Until"), widget=DATE_INPUT
    )

    class Meta:
        model = ObjectChange
        fields = ["action", "actor", "content_type", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The records the portal audits (those with a rule), named in words, not Django's internals.
        from portal.permissions import registered_models

        metas = [model._meta.concrete_model._meta for model in registered_models()]
        names = {(m.app_label, m.model_name): str(m.verbose_name).capitalize() for m in metas}
        audited = Q()
        for app_label, model in names:
            audited |= Q(app_label=app_label, model=model)
        field = self.filters["content_type"].field
        field.queryset = ContentType.objects.filter(audited).order_by("model")
        field.label_from_instance = lambda ct: names.get((ct.app_label, ct.model), ct.model)


class JobRunFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=JobState.choices)
    job_name = django_filters.CharFilter(lookup_expr="icontains", label=_("Job"))

    class Meta:
        model = JobRun
        fields = ["state", "job_name"]

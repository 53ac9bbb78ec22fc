import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from portal.choices import JobState, NationKind
from portal.models import JobRun, Nation, ObjectChange


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
        queryset=ContentType.objects.order_by("app_label", "model"), label=_("Record type")
    )
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("Since"))

    class Meta:
        model = ObjectChange
        fields = ["action", "actor", "content_type", "since"]


class JobRunFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=JobState.choices)
    job_name = django_filters.CharFilter(lookup_expr="icontains", label=_("Job"))

    class Meta:
        model = JobRun
        fields = ["state", "job_name"]

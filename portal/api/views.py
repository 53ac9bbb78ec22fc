from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.serializers import JobRunSerializer, MeSerializer, NationSerializer
from portal.filtersets import JobRunFilterSet, NationFilterSet
from portal.models import User
from portal.selectors import jobrun_list, nation_list


class MeView(APIView):
    """The signed-in user: role, nation and what they may do."""

    @extend_schema(responses=MeSerializer, operation_id="me_retrieve")
    def get(self, request):
        user = User.objects.select_related("nation").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)


class NationViewSet(viewsets.ReadOnlyModelViewSet):
    """Allies, partner nations and organisations."""

    serializer_class = NationSerializer
    filterset_class = NationFilterSet
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{3}"

    def get_queryset(self):
        return nation_list(user=self.request.user)


class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Background job runs: all for the secretariat and NSPA, one's own for everybody else."""

    serializer_class = JobRunSerializer
    filterset_class = JobRunFilterSet

    def get_queryset(self):
        return jobrun_list(user=self.request.user)

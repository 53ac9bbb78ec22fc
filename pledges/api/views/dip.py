"""Expenditure datasets, national returns and DIP metrics: thin API views over ``pledges.services.dip``.

Reads come from ``pledges.selectors`` (another nation's return, or a draft the secretariat may
not see yet, is the 404 of one that does not exist). A write needs the role's grant first
(``WriteGrant``: 403); the services then check the return's nation and state in their transaction
(another nation's → 404, no longer a draft → 409, a stale ``version`` → 409 naming the fields
changed since and who changed them).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from pledges import selectors, services
from pledges.api.serializers import dip as s
from pledges.api.views.plans import PledgesViewSet
from pledges.filtersets import DipMetricFilterSet, ExpenditureDatasetFilterSet
from pledges.models import ExpenditureDataset, ExpenditureRecord
from portal.exceptions import NotFound
from portal.permissions import ADD, CHANGE

CONFLICT = OpenApiResponse(
    s.RecordConflictSerializer,
    description="A stale `version` (the fields changed since, and by whom), or the return is no longer "
    "a draft.",
)
RECORD_ID_PARAMETER = OpenApiParameter("record_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class DipMetricViewSet(mixins.ListModelMixin, PledgesViewSet):
    """Defence Investment Pledge figures of one dataset: per nation and for the Alliance aggregates.

    ``?dataset=`` picks the dataset (default: the reference dataset); figures of two datasets are
    never mixed in one answer. ``stale`` marks figures whose inputs changed since they were computed.
    ``pct_gdp`` and ``equipment_pct`` are NATO's published figures where the dataset publishes them
    (and ``meets_2pct``/``meets_20pct`` follow them), else computed; ``computed_*`` and
    ``published_*`` give both, and ``?reconcile=true`` lists the figures where they differ.
    """

    serializer_class = s.DipMetricSerializer
    filterset_class = DipMetricFilterSet

    def get_queryset(self):
        return selectors.metric_list(user=self.request.user)


class ExpenditureDatasetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PledgesViewSet):
    """NATO editions and national expenditure returns.

    A director opens their own nation's return (``POST``), adds and edits years while it is a
    draft and submits it to the CNAD secretariat. The secretariat picks the reference edition.
    """

    serializer_class = s.ExpenditureDatasetSerializer
    filterset_class = ExpenditureDatasetFilterSet
    write_grants = {
        "create": (ExpenditureDataset, ADD),
        "make_reference": (ExpenditureDataset, CHANGE),
        "records": (ExpenditureDataset, CHANGE),
        "record": (ExpenditureDataset, CHANGE),
        "submit": (ExpenditureDataset, CHANGE),
    }

    def get_queryset(self):
        return selectors.dataset_list(user=self.request.user)

    def dataset_response(self, dataset: ExpenditureDataset, code: int = status.HTTP_200_OK) -> Response:
        """``dataset`` re-read through the selector (record count and all) after a write."""
        return self.respond(s.ExpenditureDatasetSerializer, self.get_queryset().get(pk=dataset.pk), code)

    @extend_schema(request=s.ReturnCreateSerializer, responses={201: s.ExpenditureDatasetSerializer})
    def create(self, request):
        """Open the requesting director's own nation's expenditure return for a year, as a draft."""
        dataset = services.return_create(actor=request.user, **self.parse(s.ReturnCreateSerializer))
        return self.dataset_response(dataset, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ExpenditureDatasetSerializer})
    @action(detail=True, methods=["post"], url_path="make-reference", url_name="make-reference")
    def make_reference(self, request, pk=None):
        """Make this NATO edition the dataset the dashboard opens on (CNAD secretariat)."""
        dataset = services.dataset_set_reference(actor=request.user, dataset=self.get_object())
        return self.dataset_response(dataset)

    @extend_schema(methods=["GET"], request=None, responses={200: s.ExpenditureRecordSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=s.RecordInputSerializer,
        responses={201: s.ExpenditureRecordSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def records(self, request, pk=None):
        """The dataset's nation-years (GET, paginated); add a year to a draft return (POST)."""
        dataset = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.record_list(user=request.user, dataset=dataset))
            data = s.ExpenditureRecordSerializer(page, many=True, context=self.get_serializer_context()).data
            return self.get_paginated_response(data)
        values = self.parse(s.RecordInputSerializer)
        year = values.pop("year")
        record = services.record_save(actor=request.user, dataset=dataset, year=year, values=values)
        return self.respond(s.ExpenditureRecordSerializer, record, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        parameters=[RECORD_ID_PARAMETER],
        request=s.RecordUpdateSerializer,
        responses={200: s.ExpenditureRecordSerializer, 409: CONFLICT},
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[RECORD_ID_PARAMETER, s.RecordDeleteQuerySerializer],
        request=None,
        responses={204: None, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path="records/(?P<record_id>[0-9]{1,18})",
        url_name="record",
        filterset_class=None,
    )
    def record(self, request, pk=None, record_id=None):
        """Edit (PATCH, with ``version``) or remove (DELETE, ``?version=``) one year of a draft return."""
        dataset = self.get_object()
        record = self._record(dataset, record_id)
        if request.method == "DELETE":
            query = s.RecordDeleteQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            services.record_delete(
                actor=request.user, record=record, expected_version=query.validated_data.get("version")
            )
            return Response(status=status.HTTP_204_NO_CONTENT)
        values = self.parse(s.RecordUpdateSerializer)
        version = values.pop("version")
        year = values.pop("year", record.year)
        record = services.record_save(
            actor=request.user,
            dataset=dataset,
            year=year,
            values=values,
            record_id=record.pk,
            expected_version=version,
        )
        return self.respond(s.ExpenditureRecordSerializer, record)

    def _record(self, dataset: ExpenditureDataset, record_id) -> ExpenditureRecord:
        record = (
            selectors.record_list(user=self.request.user, dataset=dataset).filter(pk=int(record_id)).first()
        )
        if record is None:
            raise NotFound("No such year in this dataset.")
        return record

    @extend_schema(
        request=s.VersionSerializer, responses={200: s.ExpenditureDatasetSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft return to the CNAD secretariat (with the return's ``version``): from then on
        it is read-only."""
        version = self.parse(s.VersionSerializer)["version"]
        dataset = services.return_submit(
            actor=request.user, dataset=self.get_object(), expected_version=version
        )
        return self.dataset_response(dataset)

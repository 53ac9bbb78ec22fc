"""Procurement API: thin views. Input serializer -> service -> output serializer.

Reads come from ``procurement.selectors`` (scoped: a row the user may not see is a 404, the same
as a row that does not exist). Writes need a grant on the model for the action, else 403 (see
``portal.api.base.WriteGrant``); a method the route does not offer is a 405. The services re-check
the row-level scope inside their transaction. Service ``ValidationError``s, ``Forbidden`` and
``Conflict`` are turned into 400/403/409 by ``portal.api.errors``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal import idempotency
from portal.api.base import PortalViewSet
from portal.permissions import ADD, CHANGE, DELETE
from procurement import filtersets, ocds, selectors, services
from procurement.api import serializers as s
from procurement.models import (
    CallOff,
    Delivery,
    DemandSignal,
    FrameworkContract,
    FrameworkLine,
    FrameworkParticipant,
    Item,
    Programme,
    ProgrammeMembership,
    Supplier,
)

DELIVERY_SCOPE = "procurement.delivery.create"

CONFLICT = OpenApiResponse(
    s.ConflictSerializer, description="Stale `version`: what changed since, and by whom."
)


class ProcurementViewSet(PortalViewSet):
    """The base of the procurement viewsets."""


# --- Catalogue, programmes, suppliers ---------------------------------------------------------


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProcurementViewSet):
    """The harmonised item catalogue. NSPA adds and edits items."""

    serializer_class = s.ItemSerializer
    filterset_class = filtersets.ItemFilterSet
    write_grants = {"create": (Item, ADD), "partial_update": (Item, CHANGE)}

    def get_queryset(self):
        return selectors.item_list_with_standards(user=self.request.user)

    @extend_schema(request=s.ItemWriteSerializer, responses={201: s.ItemSerializer})
    def create(self, request):
        item = services.item_create(actor=request.user, **self.parse(s.ItemWriteSerializer))
        return self.respond(s.ItemSerializer, item, status.HTTP_201_CREATED)

    @extend_schema(request=s.ItemWriteSerializer, responses={200: s.ItemSerializer})
    def partial_update(self, request, pk=None):
        item = self.get_object()
        item = services.item_update(
            actor=request.user, item=item, **self.parse(s.ItemWriteSerializer, partial=True)
        )
        return self.respond(s.ItemSerializer, item)


class ProgrammeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProcurementViewSet):
    """Programmes and support partnerships, with their member nations."""

    serializer_class = s.ProgrammeSerializer
    filterset_class = filtersets.ProgrammeFilterSet
    write_grants = {"create": (Programme, ADD), "members": (ProgrammeMembership, ADD)}

    def get_queryset(self):
        return selectors.programme_list(user=self.request.user)

    @extend_schema(request=s.ProgrammeSerializer, responses={201: s.ProgrammeSerializer})
    def create(self, request):
        programme = services.programme_create(actor=request.user, **self.parse(s.ProgrammeSerializer))
        return self.respond(s.ProgrammeSerializer, programme, status.HTTP_201_CREATED)

    @extend_schema(request=s.MemberWriteSerializer, responses={201: s.ProgrammeMemberSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Add a member nation from its join date."""
        programme = self.get_object()
        membership = services.programme_member_add(
            actor=request.user, programme=programme, **self.parse(s.MemberWriteSerializer)
        )
        return self.respond(s.ProgrammeMemberSerializer, membership, status.HTTP_201_CREATED)


class SupplierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProcurementViewSet):
    """Companies holding NSPA contracts."""

    serializer_class = s.SupplierSerializer
    filterset_class = filtersets.SupplierFilterSet
    write_grants = {"create": (Supplier, ADD)}

    def get_queryset(self):
        return selectors.supplier_list(user=self.request.user)

    @extend_schema(request=s.SupplierWriteSerializer, responses={201: s.SupplierSerializer})
    def create(self, request):
        supplier = services.supplier_create(actor=request.user, **self.parse(s.SupplierWriteSerializer))
        return self.respond(s.SupplierSerializer, supplier, status.HTTP_201_CREATED)


# --- Demand ---------------------------------------------------------------------------------


DEMAND_CONFLICT = OpenApiResponse(
    s.DemandSignalConflictSerializer,
    description="Another writer filed the cell first (a create without `version`) or changed it since "
    "`version`: the row's id and current version, what changed, and by whom.",
)


class VersionQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)


@extend_schema_view(
    partial_update=extend_schema(
        request=s.DemandSignalUpdateSerializer,
        responses={200: s.DemandSignalSerializer, 409: DEMAND_CONFLICT},
    ),
    destroy=extend_schema(
        parameters=[
            OpenApiParameter(
                "version", int, description="The version the client last read: a stale delete gets 409."
            )
        ],
        responses={204: None, 409: CONFLICT},
    ),
)
class DemandSignalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ProcurementViewSet
):
    """Nations' demand, one row per (nation, item, year). Directors file their own nation's;
    NSPA may file on a nation's behalf (audited as such)."""

    serializer_class = s.DemandSignalSerializer
    filterset_class = filtersets.DemandSignalFilterSet
    write_grants = {
        "create": (DemandSignal, ADD),
        "partial_update": (DemandSignal, CHANGE),
        "destroy": (DemandSignal, DELETE),
    }

    def get_queryset(self):
        return selectors.demand_signal_list(user=self.request.user)

    @extend_schema(
        request=s.DemandSignalWriteSerializer,
        responses={
            201: OpenApiResponse(s.DemandSignalSerializer, description="The cell was created."),
            200: OpenApiResponse(
                s.DemandSignalSerializer, description="The cell was updated (`version` was given)."
            ),
            409: DEMAND_CONFLICT,
        },
    )
    def create(self, request):
        """Create the (nation, item, year) cell; with `version`, update it instead."""
        data = self.parse(s.DemandSignalWriteSerializer)
        nation = data.get("nation") or request.user.nation
        if nation is None:
            raise ValidationError({"nation": "Give the nation this demand is for."})
        version = data.get("version")
        # As in the demand grid: no version means the writer saw an empty cell (version 0), so
        # the service creates the row or raises a conflict naming the row someone else filed.
        signal = services.demand_signal_set(
            actor=request.user,
            nation=nation,
            item=data["item"],
            year=data["year"],
            quantity=data["quantity"],
            firmness=data["firmness"],
            notes=data["notes"],
            expected_version=0 if version is None else version,
        )
        return self.respond(
            s.DemandSignalSerializer,
            signal,
            status.HTTP_201_CREATED if version is None else status.HTTP_200_OK,
        )

    def partial_update(self, request, pk=None):
        signal = self.get_object()
        data = self.parse(s.DemandSignalUpdateSerializer)
        signal = services.demand_signal_set(
            actor=request.user,
            nation=signal.nation,
            item=signal.item,
            year=signal.year,
            quantity=data.get("quantity", signal.quantity),
            firmness=data.get("firmness", signal.firmness),
            notes=data.get("notes", signal.notes),
            expected_version=data["version"],
        )
        return self.respond(s.DemandSignalSerializer, signal)

    def destroy(self, request, pk=None):
        signal = self.get_object()
        query = VersionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.demand_signal_delete(
            actor=request.user, signal=signal, expected_version=query.validated_data.get("version")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Frameworks -----------------------------------------------------------------------------


@extend_schema_view(retrieve=extend_schema(responses=s.FrameworkDetailSerializer))
class FrameworkViewSet(mixins.ListModelMixin, ProcurementViewSet):
    """NSPA framework contracts: lines, participating nations and the amendment history."""

    serializer_class = s.FrameworkSerializer
    filterset_class = filtersets.FrameworkContractFilterSet
    write_grants = {
        "create": (FrameworkContract, ADD),
        "partial_update": (FrameworkContract, CHANGE),
        "amend": (FrameworkContract, CHANGE),
        "participants": (FrameworkParticipant, ADD),
        "lines": (FrameworkLine, ADD),
    }

    def get_queryset(self):
        return selectors.framework_list(user=self.request.user)

    def detail_response(self, pk, code: int = status.HTTP_200_OK) -> Response:
        framework = selectors.framework_get(user=self.request.user, pk=pk)
        return self.respond(s.FrameworkDetailSerializer, framework, code)

    def retrieve(self, request, pk=None):
        return self.detail_response(pk)

    @extend_schema(request=s.FrameworkWriteSerializer, responses={201: s.FrameworkDetailSerializer})
    def create(self, request):
        framework = services.framework_create(actor=request.user, **self.parse(s.FrameworkWriteSerializer))
        return self.detail_response(framework.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.FrameworkUpdateSerializer, responses={200: s.FrameworkDetailSerializer, 409: CONFLICT}
    )
    def partial_update(self, request, pk=None):
        """Edit descriptive fields (title, notes, programme, suppliers); contract values change
        through ``amend``."""
        framework = self.get_object()
        data = self.parse(s.FrameworkUpdateSerializer)
        services.framework_update(
            actor=request.user,
            framework=framework,
            expected_version=data.pop("version"),
            suppliers=data.pop("suppliers", None),
            **data,
        )
        return self.detail_response(framework.pk)

    @extend_schema(request=s.MemberWriteSerializer, responses={201: s.FrameworkParticipantSerializer})
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        """Add a participating nation from its join date (an amendment if the framework is active)."""
        participant = services.framework_participant_add(
            actor=request.user, framework=self.get_object(), **self.parse(s.MemberWriteSerializer)
        )
        return self.respond(s.FrameworkParticipantSerializer, participant, status.HTTP_201_CREATED)

    @extend_schema(request=s.FrameworkLineWriteSerializer, responses={201: s.FrameworkLineSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Add a line: an item, its unit price and the most that may be ordered."""
        line = services.framework_line_add(
            actor=request.user, framework=self.get_object(), **self.parse(s.FrameworkLineWriteSerializer)
        )
        return self.respond(s.FrameworkLineSerializer, line, status.HTTP_201_CREATED)

    @extend_schema(request=s.FrameworkAmendSerializer, responses={201: s.AmendmentSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Change contract values (ceiling, firm orders, period, status, title), recorded as an
        OCDS-style amendment with the old and new values."""
        framework = self.get_object()
        data = self.parse(s.FrameworkAmendSerializer)
        amendment = services.framework_amend(
            actor=request.user,
            framework=framework,
            expected_version=data["version"],
            date=data["date"],
            rationale=data["rationale"],
            description=data["description"],
            changes=dict(data["changes"]),
        )
        return self.respond(s.AmendmentSerializer, amendment, status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.OcdsReleasePackageSerializer})
    @action(detail=True, methods=["get"], url_path="ocds")
    def ocds(self, request, pk=None):
        """The framework and its call-offs (those the user may see) as an OCDS release package."""
        extension = reverse("procurement:ocds-extension", kwargs={"name": "extension.json"})
        package = ocds.framework_release_package(
            user=request.user,
            pk=pk,
            uri=request.build_absolute_uri(),
            extension_url=request.build_absolute_uri(extension),
        )
        return Response(package)


# --- Call-offs ------------------------------------------------------------------------------


@extend_schema_view(retrieve=extend_schema(responses=s.CallOffDetailSerializer))
class CallOffViewSet(mixins.ListModelMixin, ProcurementViewSet):
    """Orders placed by participating nations under frameworks, with lines and delivery schedule."""

    serializer_class = s.CallOffSerializer
    filterset_class = filtersets.CallOffFilterSet
    write_grants = {"create": (CallOff, ADD)}

    def get_queryset(self):
        return selectors.calloff_list(user=self.request.user)

    def detail_response(self, pk, code: int = status.HTTP_200_OK) -> Response:
        call_off = selectors.calloff_get(user=self.request.user, pk=pk)
        return self.respond(s.CallOffDetailSerializer, call_off, code)

    def retrieve(self, request, pk=None):
        return self.detail_response(pk)

    @extend_schema(request=s.CallOffWriteSerializer, responses={201: s.CallOffDetailSerializer})
    def create(self, request):
        """Place a call-off. The framework's rules (ceiling, line maxima, participation and join
        date, framework period) come back as field messages with status 400."""
        data = self.parse(s.CallOffWriteSerializer)
        call_off = services.calloff_create(
            actor=request.user,
            framework=data["framework"],
            nation=data["nation"],
            reference=data["reference"],
            order_date=data["order_date"],
            illustrative=data["illustrative"],
            lines=[services.CallOffLineInput.from_cleaned(line) for line in data["lines"]],
        )
        return self.detail_response(call_off.pk, status.HTTP_201_CREATED)


# --- Deliveries -----------------------------------------------------------------------------


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProcurementViewSet):
    """Deliveries against call-off lines: partial deliveries, acceptance and rejection."""

    serializer_class = s.DeliverySerializer
    filterset_class = filtersets.DeliveryFilterSet
    write_grants = {"create": (Delivery, ADD)}

    def get_queryset(self):
        return selectors.delivery_list(user=self.request.user)

    @extend_schema(request=s.DeliveryWriteSerializer, responses={201: s.DeliverySerializer})
    @idempotency.idempotent_action(DELIVERY_SCOPE)
    def create(self, request):
        """Record a delivery. Delivered may not exceed what is outstanding on the line; accepted
        plus rejected must equal delivered; a lot number is recorded once per call-off line."""
        data = self.parse(s.DeliveryWriteSerializer)
        line = data.pop("call_off_line")
        delivery = services.delivery_record(
            actor=request.user, data=services.DeliveryInput(call_off_line_id=line.pk, **data)
        )
        delivery = selectors.delivery_get(user=request.user, pk=delivery.pk)
        return self.respond(s.DeliverySerializer, delivery, status.HTTP_201_CREATED)

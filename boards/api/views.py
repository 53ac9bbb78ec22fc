"""Boards API: thin views. Input serializer -> service -> output serializer.

Reads come from ``boards.selectors`` (scoped by ``boards/rules.py``: a body's content for its
members and the secretariat; the Board's approved record, the recommendations submitted to CNAD and
their own nation's actions for directors; sensitive risks only for the secretariat and working
group 2; nothing for partners). A row the reader may not see is the same 404 as one that does not
exist. A write needs the role's grant first (``portal.api.base.WriteGrant``: 403); the services
then check the row's scope, its version or state (409, saying what changed) and its rules (400,
field by field) inside their transaction. Every list exports with ``?export=csv|xlsx``
(``portal.api.exports``).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from boards import filtersets, selectors, services, tables
from boards.api import serializers as s
from boards.documents import CONTENT_TYPES as DOCUMENT_TYPES
from boards.documents import download_response
from boards.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Body,
    Document,
    Meeting,
    Membership,
    Minutes,
    Recommendation,
    Risk,
)
from boards.rules import APPROVE
from boards.selectors.capacity import capacity_view, may_read
from boards.services.work import MOVES
from portal.api.base import PortalViewSet
from portal.api.exports import ExportListMixin
from portal.exports import Column, Kind
from portal.permissions import ADD, CHANGE, DELETE, VIEW, may
from procurement.api.serializers import ConflictSerializer

CONFLICT = OpenApiResponse(
    ConflictSerializer, description="Stale `version`: what changed since, and by whom."
)
STATE_CONFLICT = OpenApiResponse(
    s.RecommendationConflictSerializer,
    description="The state does not allow this (`state`, `allowed_from`), or a stale `version` "
    "(what changed since, and by whom).",
)
AGENDA_CONFLICT = OpenApiResponse(
    s.AgendaConflictSerializer,
    description="Someone changed the agenda since the client's `agenda_version`: its order now.",
)
MINUTES_CONFLICT = OpenApiResponse(
    s.MinutesConflictSerializer,
    description="Already approved, a later version to correct instead, or a stale `version`.",
)


def column(model, name: str, kind: Kind = Kind.AUTO, label=None) -> Column:
    """An export column named for a model field, headed by the field's name for people."""
    return Column(name, label or capfirst(model._meta.get_field(name).verbose_name), kind)


def username(user) -> str | None:
    return user.get_username() if user is not None else None


class BoardsViewSet(PortalViewSet):
    """The base of the boards viewsets."""

    def reread(self, obj, code: int = status.HTTP_200_OK) -> Response:
        """``obj`` as the list shows it (the selector's joins), after a write."""
        return self.respond(self.serializer_class, self.get_queryset().get(pk=obj.pk), code)


# --- Bodies and seats -------------------------------------------------------------------------


class BodyViewSet(ExportListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BoardsViewSet):
    """The Defence Industrial Production Board and its working groups. A body's page lists the
    seats you may see."""

    serializer_class = s.BodySerializer
    export_stem = "boards-bodies"
    export_title = _("Bodies")
    export_columns = [
        (column(Body, "id", Kind.INTEGER, "ID"), lambda b: b.pk),
        (column(Body, "code"), lambda b: b.code),
        (column(Body, "kind"), lambda b: b.get_kind_display()),
        (column(Body, "name"), lambda b: b.name),
        (
            Column("parent", capfirst(Body._meta.get_field("parent").verbose_name)),
            lambda b: b.parent and b.parent.code,
        ),
        (column(Body, "chair"), lambda b: username(b.chair)),
        (column(Body, "starts_on", Kind.DATE), lambda b: b.starts_on),
        (column(Body, "ends_on", Kind.DATE), lambda b: b.ends_on),
        (column(Body, "keeps_risk_register", Kind.BOOLEAN), lambda b: b.keeps_risk_register),
    ]

    def get_queryset(self):
        return selectors.body_list(user=self.request.user)

    @extend_schema(responses=s.BodyDetailSerializer)
    def retrieve(self, request, pk=None):
        body = self.get_object()
        body.visible_memberships = list(selectors.membership_list(user=request.user, body=body))
        return self.respond(s.BodyDetailSerializer, body)


class MembershipViewSet(ExportListMixin, mixins.ListModelMixin, BoardsViewSet):
    """Seats on the bodies: who sits where, in which role, from and to when (members and the
    secretariat read them)."""

    serializer_class = s.MembershipSerializer
    filterset_class = filtersets.MembershipFilterSet
    export_stem = "boards-seats"
    export_title = _("Seats")
    export_columns = [
        (column(Membership, "id", Kind.INTEGER, "ID"), lambda m: m.pk),
        (Column("body", _("Body")), lambda m: m.body.code),
        (column(Membership, "user"), lambda m: m.user.get_username()),
        (Column("name", _("Name")), lambda m: s.label_of(m.user)),
        (column(Membership, "role"), lambda m: m.get_role_display()),
        (column(Membership, "from_date", Kind.DATE), lambda m: m.from_date),
        (column(Membership, "to_date", Kind.DATE), lambda m: m.to_date),
    ]

    def get_queryset(self):
        return selectors.membership_list(user=self.request.user)


# --- Meetings, their agenda, attendance and documents -----------------------------------------


class MeetingViewSet(ExportListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BoardsViewSet):
    """Meetings of the bodies. A meeting's detail has its agenda, attendance, documents and the
    versions of its minutes that you may read. The agenda has its own ``agenda_version``: a change
    made from an older one is a 409 with the order now."""

    serializer_class = s.MeetingSerializer
    filterset_class = filtersets.MeetingFilterSet
    write_grants = {
        "create": (Meeting, ADD),
        "partial_update": (Meeting, CHANGE),
        "agenda": (AgendaItem, ADD),
        "agenda_item": (AgendaItem, CHANGE),
        "reorder": (AgendaItem, CHANGE),
        "attendance": (Attendance, ADD),
        "documents": (Document, ADD),
    }
    export_stem = "boards-meetings"
    export_title = _("Meetings")
    export_columns = [
        (column(Meeting, "id", Kind.INTEGER, "ID"), lambda m: m.pk),
        (column(Meeting, "body"), lambda m: m.body.code),
        (column(Meeting, "title"), lambda m: m.title),
        (column(Meeting, "starts_at", Kind.DATETIME), lambda m: m.starts_at),
        (column(Meeting, "ends_at", Kind.DATETIME), lambda m: m.ends_at),
        (column(Meeting, "time_zone"), lambda m: m.time_zone),
        (column(Meeting, "location"), lambda m: m.location),
        (column(Meeting, "virtual", Kind.BOOLEAN), lambda m: m.virtual),
        (column(Meeting, "status"), lambda m: m.get_status_display()),
        (column(Meeting, "classification"), lambda m: m.classification),
    ]

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.meeting_detail(user=self.request.user)
        return selectors.meeting_list(user=self.request.user)

    @extend_schema(responses=s.MeetingDetailSerializer)
    def retrieve(self, request, pk=None):
        return self.respond(s.MeetingDetailSerializer, self.get_object())

    @extend_schema(request=s.MeetingWriteSerializer, responses={201: s.MeetingSerializer})
    def create(self, request):
        data = self.parse(s.MeetingWriteSerializer)
        meeting = services.meeting_create(actor=request.user, body=data.pop("body"), **data)
        return self.reread(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=s.MeetingUpdateSerializer, responses={200: s.MeetingSerializer, 409: CONFLICT})
    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        data = self.parse(s.MeetingUpdateSerializer)
        meeting = services.meeting_update(
            actor=request.user, meeting=meeting, expected_version=data.pop("version"), **data
        )
        return self.reread(meeting)

    def _agenda(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        meeting.refresh_from_db(fields=["agenda_version"])
        agenda = {
            "agenda_version": meeting.agenda_version,
            "agenda": list(selectors.agenda_item_list(user=self.request.user, meeting=meeting)),
        }
        return self.respond(s.AgendaSerializer, agenda, code)

    @extend_schema(
        request=s.AgendaItemWriteSerializer, responses={201: s.AgendaItemSerializer, 409: AGENDA_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        """Add an item at the end of the agenda."""
        meeting = self.get_object()
        data = self.parse(s.AgendaItemWriteSerializer)
        item = services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            expected_agenda_version=data.pop("agenda_version", None),
            **data,
        )
        return self.respond(s.AgendaItemSerializer, item, status.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], request=s.AgendaItemUpdateSerializer, responses=s.AgendaItemSerializer)
    @extend_schema(
        methods=["DELETE"],
        parameters=[s.AgendaVersionQuerySerializer],
        responses={
            200: OpenApiResponse(s.AgendaSerializer, description="The item is removed: the agenda now."),
            409: AGENDA_CONFLICT,
        },
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path="agenda/(?P<item_id>[0-9]{1,18})",
        url_name="agenda-item",
        filter_backends=[],
    )
    def agenda_item(self, request, pk=None, item_id=None):
        """Edit an agenda item (PATCH), or remove it (DELETE; the items after it move up)."""
        meeting = self.get_object()
        item = get_object_or_404(selectors.agenda_item_list(user=request.user, meeting=meeting), pk=item_id)
        if request.method == "DELETE":
            query = s.AgendaVersionQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            services.agenda_item_remove(
                actor=request.user,
                item=item,
                expected_agenda_version=query.validated_data.get("agenda_version"),
            )
            return self._agenda(meeting)
        item = services.agenda_item_update(
            actor=request.user, item=item, **self.parse(s.AgendaItemUpdateSerializer)
        )
        return self.respond(s.AgendaItemSerializer, item)

    @extend_schema(
        request=s.AgendaReorderSerializer, responses={200: s.AgendaSerializer, 409: AGENDA_CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="agenda/reorder", url_name="agenda-reorder")
    def reorder(self, request, pk=None):
        """Put the agenda in a new order: every item's id, each once."""
        meeting = self.get_object()
        data = self.parse(s.AgendaReorderSerializer)
        services.agenda_reorder(
            actor=request.user,
            meeting=meeting,
            order=data["order"],
            expected_agenda_version=data["agenda_version"],
        )
        return self._agenda(meeting)

    @extend_schema(request=s.AttendanceWriteSerializer, responses={200: s.AttendanceSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record (or change) whether someone attended."""
        meeting = self.get_object()
        row = services.attendance_record(
            actor=request.user, meeting=meeting, **self.parse(s.AttendanceWriteSerializer)
        )
        return self.respond(s.AttendanceSerializer, row)

    @extend_schema(
        request={"multipart/form-data": s.DocumentUploadSerializer}, responses={201: s.DocumentSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="documents")
    def documents(self, request, pk=None):
        """Attach a PDF, Word or Excel file to the meeting or one of its agenda items (the only
        multipart body of the API). Its type is checked by its content, whatever its name says."""
        meeting = self.get_object()
        data = self.parse(s.DocumentUploadSerializer)
        document = services.document_upload(actor=request.user, meeting=meeting, **data)
        document = selectors.document_list(user=request.user).get(pk=document.pk)
        return self.respond(s.DocumentSerializer, document, status.HTTP_201_CREATED)


class DocumentViewSet(ExportListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BoardsViewSet):
    """Meetings' documents, read by the meeting's members. Upload one with
    ``POST /api/boards/meetings/{id}/documents/``; its bytes come only from ``download``."""

    serializer_class = s.DocumentSerializer
    filterset_class = filtersets.DocumentFilterSet
    write_grants = {"destroy": (Document, DELETE)}
    export_stem = "boards-documents"
    export_title = _("Documents")
    export_columns = [
        (column(Document, "id", Kind.INTEGER, "ID"), lambda d: d.pk),
        (column(Document, "meeting", Kind.INTEGER), lambda d: d.meeting_id),
        (column(Document, "agenda_item", Kind.INTEGER), lambda d: d.agenda_item_id),
        (column(Document, "title"), lambda d: d.title),
        (column(Document, "original_name"), lambda d: d.original_name),
        (column(Document, "kind"), lambda d: d.get_kind_display()),
        (column(Document, "size", Kind.INTEGER), lambda d: d.size),
        (column(Document, "sha256"), lambda d: d.sha256),
        (column(Document, "uploaded_by"), lambda d: username(d.uploaded_by)),
        (column(Document, "uploaded_at", Kind.DATETIME), lambda d: d.uploaded_at),
    ]

    def get_queryset(self):
        return selectors.document_list(user=self.request.user)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Remove a document; its file is deleted once the removal is saved."""
        services.document_remove(actor=request.user, document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, as an attachment under its uploaded name, served as the type "
                "its content was found to be.",
            ),
            **{(200, media): OpenApiTypes.BINARY for media in sorted(set(DOCUMENT_TYPES.values()))},
        }
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def download(self, request, pk=None):
        """The document's bytes: never sniffed by the browser, never kept by a cache."""
        return download_response(self.get_object())


# --- Minutes ----------------------------------------------------------------------------------


class MinutesViewSet(ExportListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BoardsViewSet):
    """Versions of meetings' minutes. A draft is edited until a later meeting of the body approves
    it; approved minutes are frozen (editing them is a 400 that says how to correct them), and a
    correction is a new version, approved in turn."""

    serializer_class = s.MinutesSerializer
    filterset_class = filtersets.MinutesFilterSet
    write_grants = {
        "create": (Minutes, ADD),
        "partial_update": (Minutes, CHANGE),
        "approve": (Minutes, APPROVE),
        "correct": (Minutes, ADD),
    }
    export_stem = "boards-minutes"
    export_title = _("Minutes")
    export_columns = [
        (column(Minutes, "id", Kind.INTEGER, "ID"), lambda m: m.pk),
        (column(Minutes, "meeting", Kind.INTEGER), lambda m: m.meeting_id),
        (Column("meeting_title", _("Meeting")), lambda m: m.meeting.title),
        (column(Minutes, "number", Kind.INTEGER), lambda m: m.number),
        (column(Minutes, "state"), lambda m: m.get_state_display()),
        (column(Minutes, "corrects", Kind.INTEGER), lambda m: m.corrects_id),
        (column(Minutes, "approved_at_meeting", Kind.INTEGER), lambda m: m.approved_at_meeting_id),
        (column(Minutes, "approved_on", Kind.DATETIME), lambda m: m.approved_on),
        (column(Minutes, "text"), lambda m: m.text),
    ]

    def get_queryset(self):
        return selectors.minutes_list(user=self.request.user)

    @extend_schema(request=s.MinutesDraftSerializer, responses={201: s.MinutesSerializer})
    def create(self, request):
        """Draft the minutes of a meeting that has begun (version 1)."""
        minutes = services.minutes_draft(actor=request.user, **self.parse(s.MinutesDraftSerializer))
        return self.reread(minutes, status.HTTP_201_CREATED)

    @extend_schema(request=s.MinutesUpdateSerializer, responses={200: s.MinutesSerializer, 409: CONFLICT})
    def partial_update(self, request, pk=None):
        """Edit a draft. Approved minutes are frozen: 400, with the way to correct them."""
        minutes = self.get_object()
        data = self.parse(s.MinutesUpdateSerializer)
        minutes = services.minutes_update(
            actor=request.user, minutes=minutes, text=data["text"], expected_version=data["version"]
        )
        return self.reread(minutes)

    @extend_schema(
        request=s.MinutesApproveSerializer, responses={200: s.MinutesSerializer, 409: MINUTES_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Record that a later meeting of the same body approved the draft (its chair or
        secretary, or the secretariat)."""
        minutes = self.get_object()
        data = self.parse(s.MinutesApproveSerializer)
        minutes = services.minutes_approve(
            actor=request.user,
            minutes=minutes,
            at_meeting=data["at_meeting"],
            expected_version=data["version"],
        )
        return self.reread(minutes)

    @extend_schema(
        request=s.MinutesCorrectSerializer, responses={201: s.MinutesSerializer, 409: MINUTES_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Propose a correction of approved minutes: a new draft version. The approved version
        stays the record until the correction is approved."""
        minutes = self.get_object()
        correction = services.minutes_correct(
            actor=request.user, minutes=minutes, **self.parse(s.MinutesCorrectSerializer)
        )
        return self.reread(correction, status.HTTP_201_CREATED)


# --- Actions and recommendations --------------------------------------------------------------


class ActionViewSet(ExportListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BoardsViewSet):
    """The action tracker: decisions and actions of the bodies, with an owner (a person or a
    nation), a due date and a status; filtered as on the tracker page."""

    serializer_class = s.ActionSerializer
    filterset_class = filtersets.ActionFilterSet
    write_grants = {"create": (ActionItem, ADD), "partial_update": (ActionItem, CHANGE)}
    export_stem = "board-actions"
    export_title = _("Action tracker")
    export_table = tables.ActionItemTable

    def get_queryset(self):
        return selectors.action_list(user=self.request.user)

    @extend_schema(request=s.ActionWriteSerializer, responses={201: s.ActionSerializer})
    def create(self, request):
        data = self.parse(s.ActionWriteSerializer)
        action_item = services.action_create(actor=request.user, **data)
        return self.reread(action_item, status.HTTP_201_CREATED)

    @extend_schema(request=s.ActionUpdateSerializer, responses={200: s.ActionSerializer, 409: CONFLICT})
    def partial_update(self, request, pk=None):
        action_item = self.get_object()
        data = self.parse(s.ActionUpdateSerializer)
        action_item = services.action_update(
            actor=request.user, action=action_item, expected_version=data.pop("version"), **data
        )
        return self.reread(action_item)


class RecommendationViewSet(ExportListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BoardsViewSet):
    """Recommendations to CNAD: drafted by a working group, endorsed by the Board, submitted to
    CNAD, then noted, approved or returned. ``move`` makes each step: a step the state does not
    allow is a 409 naming the state; a step the role may not make, a 403."""

    serializer_class = s.RecommendationSerializer
    filterset_class = filtersets.RecommendationFilterSet
    write_grants = {
        "create": (Recommendation, ADD),
        "partial_update": (Recommendation, CHANGE),
        # Which grant a move needs depends on where it goes: the handler and the service check it.
        "move": (Recommendation, VIEW),
    }
    export_stem = "board-recommendations"
    export_title = _("Recommendations to CNAD")
    export_columns = [
        (column(Recommendation, "id", Kind.INTEGER, "ID"), lambda r: r.pk),
        (column(Recommendation, "body"), lambda r: r.body.code),
        (column(Recommendation, "title"), lambda r: r.title),
        (column(Recommendation, "state"), lambda r: r.get_state_display()),
        (column(Recommendation, "endorsed_on", Kind.DATE), lambda r: r.endorsed_on),
        (column(Recommendation, "submitted_on", Kind.DATE), lambda r: r.submitted_on),
        (column(Recommendation, "decided_on", Kind.DATE), lambda r: r.decided_on),
        (column(Recommendation, "decision_note"), lambda r: r.decision_note),
    ]

    def get_queryset(self):
        return selectors.recommendation_list(user=self.request.user)

    @extend_schema(request=s.RecommendationWriteSerializer, responses={201: s.RecommendationSerializer})
    def create(self, request):
        data = self.parse(s.RecommendationWriteSerializer)
        recommendation = services.recommendation_create(actor=request.user, **data)
        return self.reread(recommendation, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.RecommendationUpdateSerializer,
        responses={200: s.RecommendationSerializer, 409: STATE_CONFLICT},
    )
    def partial_update(self, request, pk=None):
        """Edit a draft's title or text (only a draft is edited)."""
        recommendation = self.get_object()
        data = self.parse(s.RecommendationUpdateSerializer)
        recommendation = services.recommendation_update(
            actor=request.user, recommendation=recommendation, expected_version=data.pop("version"), **data
        )
        return self.reread(recommendation)

    @extend_schema(
        request=s.RecommendationMoveSerializer,
        responses={200: s.RecommendationSerializer, 409: STATE_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the recommendation on (or back to its working group)."""
        if not any(may(request.user, Recommendation, grant) for grant, _event in MOVES.values()):
            raise PermissionDenied
        recommendation = self.get_object()
        data = self.parse(s.RecommendationMoveSerializer)
        recommendation = services.recommendation_move(
            actor=request.user, recommendation=recommendation, expected_version=data.pop("version"), **data
        )
        return self.reread(recommendation)


# --- The risk register ------------------------------------------------------------------------


class RiskViewSet(ExportListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BoardsViewSet):
    """The supply-chain risk register that working group 2 keeps. A sensitive risk is read only by
    the secretariat and the register's working group: its row, its counts, its heat-map cell and
    its exports alike."""

    serializer_class = s.RiskSerializer
    filterset_class = filtersets.RiskFilterSet
    write_grants = {"create": (Risk, ADD), "partial_update": (Risk, CHANGE)}
    export_stem = "supply-chain-risks"
    export_title = _("Supply-chain risks")
    export_table = tables.RiskTable

    def get_queryset(self):
        if self.action == "heat_map" or self.request.query_params.get("export"):
            return selectors.risk_list(user=self.request.user)
        return selectors.risk_detail(user=self.request.user)

    @extend_schema(request=s.RiskWriteSerializer, responses={201: s.RiskSerializer})
    def create(self, request):
        data = self.parse(s.RiskWriteSerializer)
        risk = services.risk_create(actor=request.user, **data)
        return self.reread(risk, status.HTTP_201_CREATED)

    @extend_schema(request=s.RiskUpdateSerializer, responses={200: s.RiskSerializer, 409: CONFLICT})
    def partial_update(self, request, pk=None):
        risk = self.get_object()
        data = self.parse(s.RiskUpdateSerializer)
        risk = services.risk_update(
            actor=request.user, risk=risk, expected_version=data.pop("version"), **data
        )
        return self.reread(risk)

    @extend_schema(filters=True, responses=s.HeatMapSerializer)
    @action(detail=False, methods=["get"], url_path="heat-map", url_name="heat-map", pagination_class=None)
    def heat_map(self, request):
        """The 5 x 5 likelihood x impact counts of the risks you may see, filtered as the list."""
        heat = selectors.heat_map_of(self.filter_queryset(self.get_queryset()))
        cells = [
            {"likelihood": likelihood, "impact": impact, "count": count}
            for likelihood, row in heat.rows()
            for impact, count in row
        ]
        return Response(s.HeatMapSerializer({"total": heat.total, "cells": cells}).data)


# --- The industrial capacity view -------------------------------------------------------------


class CapacityView(APIView):
    """Working group 1's industrial capacity view: per item and year, aggregated demand, contracted,
    ordered and delivered quantities, the planned national capacity of submitted plans, and the
    gap. Figures built from fewer nations than the disclosure rule allows are withheld (null) from
    readers who may not read the rows under them. For the DIPB, the secretariat and NSPA."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[s.CapacityQuerySerializer],
        responses=s.CapacityViewSerializer,
        operation_id="boards_capacity_retrieve",
    )
    def get(self, request):
        if not may_read(request.user):
            raise PermissionDenied
        query = s.CapacityQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        view = capacity_view(user=request.user, **query.validated_data)
        return Response(s.CapacityViewSerializer(view).data)

"""Standards API: thin views. Input serializer -> service -> output serializer.

Reads come from ``standards.selectors`` (scoped: the catalogue for everyone with a role, national
responses, reviews and proposals for Allies; a row the user may not see is the same 404 as one that
does not exist). A write needs the role's grant on the model first (``portal.api.base.WriteGrant``:
403); the services then check the row's scope (a director recording another nation's response:
403) and its version or state (409) inside their transaction. ``portal.api.errors`` turns their
``ValidationError``, ``Forbidden``, ``NotFound`` and ``Conflict`` into 400, 403, 404 and 409.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.base import PortalViewSet
from portal.exceptions import Conflict
from portal.permissions import ADD, CHANGE, DELETE
from procurement.api.serializers import ConflictSerializer
from standards import filtersets, selectors, services
from standards.api import serializers as s
from standards.models import (
    ChangeProposal,
    Domain,
    ItemRequirement,
    NationalResponse,
    ReviewCycle,
    Standard,
)
from standards.services import ResponseInput, ServiceLine
from standards.services.responses import RowsRejected

CONFLICT = OpenApiResponse(
    ConflictSerializer, description="Stale `version`: what changed since, and by whom."
)
RESPONSE_CONFLICT = OpenApiResponse(
    ConflictSerializer,
    description="Without `version`: the nation already has a response to this edition (its version, "
    "what it holds and who recorded it). With `version`: the response changed since.",
)
WORKFLOW_CONFLICT = OpenApiResponse(
    s.WorkflowConflictSerializer,
    description="The state does not allow this (`status`, `allowed_from`), or a stale `version` "
    "(what changed since, and by whom).",
)
# The response's own values, as ``ResponseInput`` names them (a PATCH starts from the current ones).
RESPONSE_VALUES = tuple(
    f.name
    for f in dataclasses.fields(ResponseInput)
    if f.name not in {"standard", "services", "expected_version"}
)


class StandardsViewSet(PortalViewSet):
    """The base of the standards viewsets."""

    def reread(self, obj, code: int = status.HTTP_200_OK) -> Response:
        """``obj`` as the list shows it (the selector's joins), after a write."""
        return self.respond(self.serializer_class, self.get_queryset().get(pk=obj.pk), code)


def _nation(request, given):
    """The nation a write is for: the one given, else a director's own."""
    nation = given or request.user.nation
    if nation is None:
        raise ValidationError({"nation": _("Give the nation, by its code.")})
    return nation


# --- Domains and editions ---------------------------------------------------------------------


class DomainViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StandardsViewSet):
    """The catalogue's domains (land battle decisive munitions, air and missile defence...), kept by
    the CNAD secretariat."""

    serializer_class = s.DomainSerializer
    write_grants = {"create": (Domain, ADD), "partial_update": (Domain, CHANGE)}

    def get_queryset(self):
        return selectors.domain_list(user=self.request.user)

    @extend_schema(request=s.DomainWriteSerializer, responses={201: s.DomainSerializer})
    def create(self, request):
        domain = services.domain_create(actor=request.user, **self.parse(s.DomainWriteSerializer))
        return self.respond(s.DomainSerializer, domain, status.HTTP_201_CREATED)

    @extend_schema(request=s.DomainUpdateSerializer, responses={200: s.DomainSerializer, 409: CONFLICT})
    def partial_update(self, request, pk=None):
        domain = self.get_object()
        data = self.parse(s.DomainUpdateSerializer)
        domain = services.domain_update(
            actor=request.user, domain=domain, expected_version=data.pop("version"), **data
        )
        return self.respond(s.DomainSerializer, domain)


class StandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StandardsViewSet):
    """The catalogue: one row per edition of a STANAG, STANREC or Allied Publication.

    ``next_review_due`` is computed from the dates and the review cycle, never written. A new
    edition that is promulgated supersedes the one it names in ``supersedes`` (which must itself be
    promulgated), in the same write."""

    serializer_class = s.StandardSerializer
    filterset_class = filtersets.StandardFilterSet
    write_grants = {"create": (Standard, ADD), "partial_update": (Standard, CHANGE)}

    def get_queryset(self):
        return selectors.standard_list(user=self.request.user)

    @extend_schema(request=s.StandardWriteSerializer, responses={201: s.StandardSerializer})
    def create(self, request):
        standard = services.standard_create(actor=request.user, **self.parse(s.StandardWriteSerializer))
        return self.reread(standard, status.HTTP_201_CREATED)

    @extend_schema(request=s.StandardUpdateSerializer, responses={200: s.StandardSerializer, 409: CONFLICT})
    def partial_update(self, request, pk=None):
        standard = self.get_object()
        data = self.parse(s.StandardUpdateSerializer)
        standard = services.standard_update(
            actor=request.user, standard=standard, expected_version=data.pop("version"), **data
        )
        return self.reread(standard)


# --- National responses -----------------------------------------------------------------------


def _response_input(standard, values: dict, *, expected_version: int, current=None) -> ResponseInput:
    """A service row from an API body: what it gives, over the current response's values (a
    PATCH) or the defaults (a new one). Service lines left out are left as they are."""
    base = {name: getattr(current, name) for name in RESPONSE_VALUES} if current is not None else {}
    lines = values.pop("services", None)
    return ResponseInput(
        standard=standard,
        **{**base, **values},
        services=None if lines is None else [ServiceLine(**line) for line in lines],
        expected_version=expected_version,
    )


def _save_one(*, actor, nation, row: ResponseInput) -> NationalResponse:
    """``response_save``, its errors shaped as one response's: the row's field messages at the
    top (400), and its conflict's facts at the top (409)."""
    try:
        return services.response_save(actor=actor, nation=nation, row=row)
    except RowsRejected as error:
        raise ValidationError(error.errors[0]) from None
    except Conflict as error:
        stale = error.detail.get("rows")
        if not stale:
            raise
        facts = {key: stale[0][key] for key in ("current_version", "changed_fields", "changed_by")}
        raise Conflict(error.message, detail=facts) from None


@extend_schema_view(
    partial_update=extend_schema(
        request=s.ResponseUpdateSerializer,
        responses={200: s.NationalResponseSerializer, 409: RESPONSE_CONFLICT},
    ),
)
class ResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StandardsViewSet):
    """Nations' ratification and implementation of editions. Every Ally reads every nation's
    (NATO ratification status is shared among Allies); partners read none. A director records their
    own nation's; the CNAD secretariat any nation's, audited as on that nation's behalf."""

    serializer_class = s.NationalResponseSerializer
    filterset_class = filtersets.NationalResponseFilterSet
    write_grants = {
        "create": (NationalResponse, ADD),
        "partial_update": (NationalResponse, CHANGE),
        "bulk": (NationalResponse, ADD),
    }

    def get_queryset(self):
        return selectors.response_list(user=self.request.user)

    @extend_schema(
        request=s.ResponseWriteSerializer,
        responses={
            201: OpenApiResponse(s.NationalResponseSerializer, description="The response was recorded."),
            200: OpenApiResponse(
                s.NationalResponseSerializer, description="The response was changed (`version`)."
            ),
            409: RESPONSE_CONFLICT,
        },
    )
    def create(self, request):
        """Record a nation's response to an edition; with `version`, change the one it has."""
        data = self.parse(s.ResponseWriteSerializer)
        nation = _nation(request, data.pop("nation", None))
        version = data.pop("version", None)
        standard = data.pop("standard")
        # No version means the client saw no response (version 0): the service records it, or
        # answers 409 naming the response someone else recorded.
        row = _response_input(standard, data, expected_version=0 if version is None else version)
        response = _save_one(actor=request.user, nation=nation, row=row)
        return self.reread(response, status.HTTP_201_CREATED if version is None else status.HTTP_200_OK)

    def partial_update(self, request, pk=None):
        """Change a response: the values given, the rest as they are."""
        current = self.get_object()
        data = self.parse(s.ResponseUpdateSerializer)
        version = data.pop("version")
        row = _response_input(current.standard, data, expected_version=version, current=current)
        response = _save_one(actor=request.user, nation=current.nation, row=row)
        return self.reread(response)

    @extend_schema(
        request=s.BulkResponsesSerializer,
        responses={
            200: OpenApiResponse(s.NationalResponseSerializer(many=True), description="Every row was saved."),
            400: OpenApiResponse(
                s.RowsErrorSerializer, description="Rows broke a rule (messages by row index); nothing saved."
            ),
            409: OpenApiResponse(
                s.ResponsesConflictSerializer,
                description="Rows whose response changed since the client's `version`; nothing saved.",
            ),
        },
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request):
        """Save a nation's responses to several editions at once: every row, or none. A row's
        ``version`` is the one the client read (0: no response yet)."""
        data = self.parse(s.BulkResponsesSerializer)
        nation = _nation(request, data.get("nation"))
        rows = [
            _response_input(row.pop("standard"), row, expected_version=row.pop("version"))
            for row in data["rows"]
        ]
        saved = services.responses_save(actor=request.user, nation=nation, rows=rows)
        by_pk = {
            response.pk: response for response in self.get_queryset().filter(pk__in=[r.pk for r in saved])
        }
        data = s.NationalResponseSerializer(
            [by_pk[response.pk] for response in saved], many=True, context=self.get_serializer_context()
        ).data
        return Response(data)


# --- Reviews and proposals --------------------------------------------------------------------


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StandardsViewSet):
    """Review cycles of promulgated editions: due, in progress, completed with an outcome. A "new
    edition" outcome creates the next edition in Study status, linked to the reviewed one."""

    serializer_class = s.ReviewSerializer
    filterset_class = filtersets.ReviewCycleFilterSet
    write_grants = {
        "create": (ReviewCycle, ADD),
        "start": (ReviewCycle, CHANGE),
        "complete": (ReviewCycle, CHANGE),
    }

    def get_queryset(self):
        return selectors.review_list(user=self.request.user)

    @extend_schema(request=s.ReviewOpenSerializer, responses={201: s.ReviewSerializer})
    def create(self, request):
        """Schedule a review of a promulgated edition (one open review at a time)."""
        review = services.review_open(actor=request.user, **self.parse(s.ReviewOpenSerializer))
        return self.reread(review, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ReviewStartSerializer, responses={200: s.ReviewSerializer, 409: WORKFLOW_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        review = self.get_object()
        version = self.parse(s.ReviewStartSerializer)["version"]
        review = services.review_start(actor=request.user, review=review, expected_version=version)
        return self.reread(review)

    @extend_schema(
        request=s.ReviewCompleteSerializer, responses={200: s.ReviewSerializer, 409: WORKFLOW_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Close the review with its outcome: the edition's next review falls due a cycle later;
        "cancel" cancels the edition; "new_edition" creates it."""
        review = self.get_object()
        data = self.parse(s.ReviewCompleteSerializer)
        review = services.review_complete(
            actor=request.user, review=review, expected_version=data.pop("version"), **data
        )
        return self.reread(review)


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StandardsViewSet):
    """Nations' proposals to change an edition, and the decision on each."""

    serializer_class = s.ProposalSerializer
    filterset_class = filtersets.ChangeProposalFilterSet
    write_grants = {"create": (ChangeProposal, ADD), "decide": (ChangeProposal, CHANGE)}

    def get_queryset(self):
        return selectors.proposal_list(user=self.request.user)

    @extend_schema(request=s.ProposalSubmitSerializer, responses={201: s.ProposalSerializer})
    def create(self, request):
        """Propose a change: a director for their own nation, the secretariat for any."""
        data = self.parse(s.ProposalSubmitSerializer)
        proposal = services.proposal_submit(
            actor=request.user,
            standard=data["standard"],
            nation=_nation(request, data.get("nation")),
            text=data["text"],
        )
        return self.reread(proposal, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProposalDecideSerializer, responses={200: s.ProposalSerializer, 409: WORKFLOW_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Move an open proposal on: under consideration, accepted or rejected (with the decision),
        or withdrawn."""
        proposal = self.get_object()
        data = self.parse(s.ProposalDecideSerializer)
        proposal = services.proposal_decide(
            actor=request.user, proposal=proposal, expected_version=data.pop("version"), **data
        )
        return self.reread(proposal)


# --- Item requirements ------------------------------------------------------------------------


class RequirementViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, StandardsViewSet):
    """The editions a catalogue item must meet: what ties a standard to what nations buy. NSPA and
    the secretariat add and remove them."""

    serializer_class = s.RequirementSerializer
    filterset_class = filtersets.RequirementFilterSet
    write_grants = {"create": (ItemRequirement, ADD), "destroy": (ItemRequirement, DELETE)}

    def get_queryset(self):
        return selectors.requirement_list(user=self.request.user)

    @extend_schema(request=s.RequirementWriteSerializer, responses={201: s.RequirementSerializer})
    def create(self, request):
        requirement = services.requirement_add(actor=request.user, **self.parse(s.RequirementWriteSerializer))
        return self.reread(requirement, status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.requirement_remove(actor=request.user, requirement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Interoperability alerts ------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[s.AlertQuerySerializer]))
class AlertViewSet(mixins.ListModelMixin, StandardsViewSet):
    """Open interoperability alerts: a nation's open call-off line, or its firm demand for this year
    or later, for an item whose required edition that nation has not ratified, has ratified with
    reservations, or has not implemented. Computed on every read, never stored; the orders and
    demand are those the reader may see, and only readers of national responses see any."""

    serializer_class = s.AlertSerializer

    def get_queryset(self):
        query = s.AlertQuerySerializer(data=self.request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        return selectors.alert_list(user=self.request.user, **query.validated_data)

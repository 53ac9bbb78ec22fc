"""Pledges API: thin views. Input serializer -> service -> output serializer.

Reads come from ``pledges.selectors`` (a plan the user may not see, such as another nation's
draft, is a 404 like a plan that does not exist). A write needs the role's grant for the action
(``WriteGrant``: 403 before anything is parsed); the services then check the plan's nation and
state inside their transaction: wrong state → 409, another nation → 404. The workflow is a set of
explicit actions (``submit``, ``start-review``, ``return``, ``accept``): a plan has no writable
status, and no PUT or PATCH at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from pledges import selectors, services
from pledges.api.serializers import plans as s
from pledges.choices import Commitment
from pledges.diff import version_diff
from pledges.filtersets import PlanFilterSet
from pledges.models import (
    ENTRY_KINDS,
    CapacityLine,
    Investment,
    Measure,
    NationalPlan,
    PlanCycle,
    PlanSection,
)
from pledges.rules import REVIEW, SUBMIT
from portal.api.base import PortalViewSet
from portal.exceptions import Forbidden, NotFound
from portal.permissions import ADD, CHANGE, VIEW, may

STATE_CONFLICT = OpenApiResponse(
    s.StateConflictSerializer, description="The plan is in the wrong state for this action."
)
SECTION_CONFLICT = OpenApiResponse(
    s.SectionConflictSerializer,
    description="Stale `version` (what changed, by whom, and the current text), or the plan is not "
    "editable in its state.",
)
COMMITMENT_PARAMETER = OpenApiParameter(
    "commitment", OpenApiTypes.INT, OpenApiParameter.PATH, enum=Commitment.values, description="Section."
)
ENTRY_ID_PARAMETER = OpenApiParameter("entry_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class PledgesViewSet(PortalViewSet):
    """The base of the pledges viewsets."""


class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PledgesViewSet):
    """Yearly filing cycles and their due dates. The secretariat opens a cycle."""

    serializer_class = s.CycleSerializer
    lookup_field = "year"
    lookup_value_regex = "[0-9]{4}"
    write_grants = {"create": (PlanCycle, ADD)}

    def get_queryset(self):
        return selectors.cycle_list(user=self.request.user)

    @extend_schema(request=s.CycleWriteSerializer, responses={201: s.CycleSerializer})
    def create(self, request):
        cycle = services.cycle_create(actor=request.user, **self.parse(s.CycleWriteSerializer))
        return self.respond(s.CycleSerializer, cycle, status.HTTP_201_CREATED)


# Each entry kind's input and output serializer, keyed on the model (pledges.models.ENTRY_KINDS
# names the kinds: the services' ``kind`` and the URL segment).
ENTRY_SERIALIZERS = {
    CapacityLine: (s.CapacityLineWriteSerializer, s.CapacityLineSerializer),
    Investment: (s.InvestmentWriteSerializer, s.InvestmentSerializer),
    Measure: (s.MeasureWriteSerializer, s.MeasureSerializer),
}


def _entry_actions(model):
    """The two actions of one entry kind: add (POST .../entries/<kind>/) and change or remove
    (PATCH, DELETE .../entries/<kind>/<entry_id>/), each with its own exact request schema."""
    kind = model.entry_kind
    write, read = ENTRY_SERIALIZERS[model]

    def add(self, request, pk=None):
        plan = self.get_object()
        entry = services.entry_save(actor=request.user, plan=plan, kind=kind, fields=self.parse(write))
        return self.respond(read, entry, status.HTTP_201_CREATED)

    def change(self, request, pk=None, entry_id=None):
        plan = self.get_object()
        if request.method == "DELETE":
            with missing_entry_is_404():
                services.entry_delete(actor=request.user, plan=plan, kind=kind, entry_id=int(entry_id))
            return Response(status=status.HTTP_204_NO_CONTENT)
        fields = self.parse(write, partial=True)
        with missing_entry_is_404():
            entry = services.entry_save(
                actor=request.user, plan=plan, kind=kind, fields=fields, entry_id=int(entry_id)
            )
        return self.respond(read, entry)

    add.__name__, change.__name__ = f"add_{kind}", f"change_{kind}"
    add.__doc__ = f"Add a {kind} to the plan's draft version."
    change.__doc__ = f"Edit (PATCH) or remove (DELETE) a {kind} of the plan's draft version."
    add = extend_schema(request=write, responses={201: read, 409: STATE_CONFLICT})(
        action(detail=True, methods=["post"], url_path=f"entries/{kind}", url_name=f"entries-{kind}")(add)
    )
    change = action(
        detail=True,
        methods=["patch", "delete"],
        url_path=f"entries/{kind}/(?P<entry_id>[0-9]{{1,18}})",
        url_name=f"entry-{kind}",
    )(change)
    change = extend_schema(
        methods=["PATCH"],
        parameters=[ENTRY_ID_PARAMETER],
        request=write,
        responses={200: read, 409: STATE_CONFLICT},
    )(change)
    change = extend_schema(
        methods=["DELETE"], parameters=[ENTRY_ID_PARAMETER], responses={204: None, 409: STATE_CONFLICT}
    )(change)
    return add, change


@contextmanager
def missing_entry_is_404() -> Iterator[None]:
    """The services answer "no such entry in this draft" as a field error; in a URL it is a 404."""
    try:
        yield
    except ValidationError as exc:
        if set(getattr(exc, "message_dict", {})) == {"entry"}:
            raise NotFound(exc.message_dict["entry"][0]) from exc
        raise


@extend_schema_view(retrieve=extend_schema(responses=s.PlanDetailSerializer))
class PlanViewSet(mixins.ListModelMixin, PledgesViewSet):
    """National plans (ICEP): the nation files and edits; the secretariat reviews."""

    serializer_class = s.PlanSerializer
    filterset_class = PlanFilterSet
    write_grants = {
        "create": (NationalPlan, ADD),
        "section": (NationalPlan, CHANGE),
        **{f"{verb}_{kind}": (NationalPlan, CHANGE) for verb in ("add", "change") for kind in ENTRY_KINDS},
        "submit": (NationalPlan, SUBMIT),
        "start_review": (NationalPlan, REVIEW),
        "return_plan": (NationalPlan, REVIEW),
        "accept": (NationalPlan, REVIEW),
    }

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def detail_response(self, plan: NationalPlan, code: int = status.HTTP_200_OK) -> Response:
        """``plan`` as read from ``get_queryset`` (re-read it after a write)."""
        detail = selectors.plan_detail_get(user=self.request.user, plan=plan)
        plan.shown_version, plan.review_comments = detail.version, detail.review_comments
        return self.respond(s.PlanDetailSerializer, plan, code)

    def retrieve(self, request, pk=None):
        return self.detail_response(self.get_object())

    @extend_schema(request=s.PlanCreateSerializer, responses={201: s.PlanDetailSerializer})
    def create(self, request):
        """Start the requesting director's nation's plan for a cycle (a draft with nine empty
        sections). The nation is always the director's own."""
        data = self.parse(s.PlanCreateSerializer)
        if request.user.nation_id is None:
            raise Forbidden("A nation's director starts their own nation's plan.")
        cycle = selectors.cycle_list(user=request.user).filter(year=data["cycle"]).first()
        if cycle is None:
            raise ValidationError({"cycle": f"There is no plan cycle {data['cycle']}."})
        plan = services.plan_start(actor=request.user, nation=request.user.nation, cycle=cycle)
        return self.detail_response(self.get_queryset().get(pk=plan.pk), status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[COMMITMENT_PARAMETER],
        request=s.SectionWriteSerializer,
        responses={200: s.SectionSerializer, 409: SECTION_CONFLICT},
    )
    @action(detail=True, methods=["patch"], url_path="sections/(?P<commitment>[1-9])", url_name="section")
    def section(self, request, pk=None, commitment=None):
        """Save one section's narrative. Send the section's ``version`` as last read: if someone
        saved it since, the answer is 409 with the current text, and nothing is overwritten."""
        plan = self.get_object()
        data = self.parse(s.SectionWriteSerializer)
        shown = selectors.plan_version_get(user=request.user, plan=plan)
        section = shown and shown.sections.filter(commitment=int(commitment)).first()
        if not section:
            raise NotFound("No such section.")
        section = services.section_save(
            actor=request.user, section=section, narrative=data["narrative"], expected_version=data["version"]
        )
        return self.respond(s.SectionSerializer, section)

    add_capacityline, change_capacityline = _entry_actions(CapacityLine)
    add_investment, change_investment = _entry_actions(Investment)
    add_measure, change_measure = _entry_actions(Measure)

    # --- Workflow -----------------------------------------------------------------------------

    def _transition(self, service, **kwargs) -> Response:
        plan = self.get_object()
        service(actor=self.request.user, plan=plan, **kwargs)
        return self.detail_response(self.get_queryset().get(pk=plan.pk))

    @extend_schema(
        request=s.TransitionSerializer, responses={200: s.PlanDetailSerializer, 409: STATE_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Draft or returned → submitted, by the nation's director: the version is frozen."""
        return self._transition(services.plan_submit, **self.parse(s.TransitionSerializer))

    @extend_schema(
        request=s.TransitionSerializer, responses={200: s.PlanDetailSerializer, 409: STATE_CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="start-review", url_name="start-review")
    def start_review(self, request, pk=None):
        """Submitted → in review, by the secretariat (who becomes the reviewer)."""
        return self._transition(services.plan_start_review, **self.parse(s.TransitionSerializer))

    @extend_schema(request=s.ReturnSerializer, responses={200: s.PlanDetailSerializer, 409: STATE_CONFLICT})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_plan(self, request, pk=None):
        """In review → returned, by the secretariat, with at least one comment (on a section, or on
        the whole plan with ``commitment: null``). The nation then revises a new draft version."""
        data = self.parse(s.ReturnSerializer)
        comments = [services.CommentInput(c["text"], c.get("commitment")) for c in data["comments"]]
        return self._transition(services.plan_return, comments=comments)

    @extend_schema(
        request=s.TransitionSerializer, responses={200: s.PlanDetailSerializer, 409: STATE_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """In review → accepted, by the secretariat."""
        return self._transition(services.plan_accept, **self.parse(s.TransitionSerializer))

    # --- Versions and their differences -------------------------------------------------------

    @extend_schema(responses={200: s.VersionBriefSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def versions(self, request, pk=None):
        """The versions of the plan this user may read (others see only submitted ones)."""
        plan = self.get_object()
        versions = selectors.plan_version_list(user=request.user, plan=plan)
        return self.respond(s.VersionBriefSerializer, versions, many=True)

    def _diffable_plan(self) -> NationalPlan:
        plan = self.get_object()
        if not may(self.request.user, PlanSection, VIEW):
            raise Forbidden("Your role may not read plans' narratives, so it may not compare versions.")
        return plan

    def _diff_response(self, old_id: int, new_id: int, *, year_on_year: bool = False) -> Response:
        old, new = (
            selectors.plan_content_get(user=self.request.user, version_id=pk) for pk in (old_id, new_id)
        )
        return self.respond(s.VersionDiffSerializer, version_diff(old, new, year_on_year=year_on_year))

    @extend_schema(parameters=[s.DiffQuerySerializer], responses={200: s.VersionDiffSerializer})
    @action(detail=True, methods=["get"], filterset_class=None)
    def diff(self, request, pk=None):
        """Side by side: each section's text and each entry's fields, between two versions of the
        plan that this user may read (``?from=1&to=2``)."""
        plan = self._diffable_plan()
        query = s.DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        numbers = {name: query.validated_data[name] for name in ("from", "to")}
        ids = dict(
            selectors.plan_version_list(user=request.user, plan=plan)
            .filter(number__in=numbers.values())
            .values_list("number", "pk")
        )
        missing = {name: f"This plan has no version {n}." for name, n in numbers.items() if n not in ids}
        if missing:
            raise ValidationError(missing)
        return self._diff_response(ids[numbers["from"]], ids[numbers["to"]])

    @extend_schema(responses={200: s.VersionDiffSerializer})
    @action(
        detail=True,
        methods=["get"],
        filterset_class=None,
        url_path="diff/previous-cycle",
        url_name="diff-previous-cycle",
    )
    def diff_previous_cycle(self, request, pk=None):
        """Year on year: the version of this plan the user reads against the nation's plan of the
        latest earlier cycle. Entries pair on what they are (item and site, description, title),
        as the two plans' entries were filed separately."""
        plan = self._diffable_plan()
        previous = (
            self.get_queryset()
            .filter(nation=plan.nation_id, cycle__year__lt=plan.cycle.year)
            .order_by("-cycle__year")
            .first()
        )
        old = previous and selectors.plan_version_get(user=request.user, plan=previous)
        new = selectors.plan_version_get(user=request.user, plan=plan)
        if old is None or new is None:
            raise NotFound(f"{plan.nation} has no earlier plan you may read to compare with.")
        return self._diff_response(old.pk, new.pk, year_on_year=True)

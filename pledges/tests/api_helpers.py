"""Helpers shared by the pledges API tests (``pledges/tests/test_api_*.py``): the paths, an authenticated
client, request bodies and the review workflow's steps (the ``cycle`` and ``plan`` fixtures are in
conftest.py)."""

from __future__ import annotations

from rest_framework.test import APIClient

from pledges import services
from pledges.services import CommentInput
from pledges.tests.test_services import capacity_fields

PLANS = "/api/pledges/plans/"
PLAN = "/api/pledges/plans/{id}/"


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def capacity_body(item, **overrides) -> dict:
    """A capacity line as the API takes it: the item by id."""
    return {**capacity_fields(item=item), "item": item.pk, **overrides}


def sections_of(body) -> dict[int, dict]:
    return {section["commitment"]: section for section in body["shown_version"]["sections"]}


def submit(plan, owner):
    return services.plan_submit(actor=owner, plan=plan)


def to_review(plan, owner, secretariat):
    submit(plan, owner)
    return services.plan_start_review(actor=secretariat, plan=plan)


def returned(plan, owner, secretariat, text="Give 2028 targets."):
    to_review(plan, owner, secretariat)
    return services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput(text, 3)])

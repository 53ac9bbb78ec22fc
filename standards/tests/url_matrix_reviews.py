"""Rows of the URL matrix for the catalogue's upkeep pages: domains, reviews, change proposals,
item requirements and unmatched designations (see tests/test_url_matrix.py).

Who may do what (standards/rules.py): the secretariat keeps domains and runs reviews; a director
proposes changes for their own nation and the secretariat for any; NSPA and the secretariat link
items to editions and settle the designations the item migration could not match. Allies read
reviews and proposals; partners read domains and what items require, nothing else here.

Rows run in order in one database per visitor, so each write's valid row comes after the rows
that need the earlier state, and a "wrong-state" row after it shows the 409 naming the new state.
"""

from __future__ import annotations

import datetime as dt

from portal.models import Nation
from procurement.tests.factories import ItemFactory, nspa_user
from standards import services
from standards.models import ChangeProposal, Domain, ReviewCycle, UnmatchedDesignation
from standards.tests.factories import make_domain, make_standard, secretariat_user
from tests.matrix import ROLES, Row, as_write
from tests.matrix import allowed as statuses


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


ALLIES = {"director", "nspa", "secretariat", "board_member"}
LINKERS = {"nspa", "secretariat"}
EVERYONE = {*ROLES} - {"no_role"}

# Pages on a row: 404 for who may not see the row, 403 for who sees it but may not act.
DOMAIN_FORMS = statuses({"secretariat"})
DOMAIN_EDIT = statuses({"secretariat"}, no_role=404)
ON_EDITION_SECRETARIAT = statuses({"secretariat"}, no_role=404)
ON_REVIEW = statuses({"secretariat"}, partner=404, no_role=404)
ON_PROPOSAL = ON_REVIEW
PROPOSERS = statuses({"director", "secretariat"}, no_role=404)
ON_EDITION_LINKERS = statuses(LINKERS, no_role=404)
ON_REQUIREMENT = statuses(LINKERS, no_role=404)
ON_UNMATCHED = statuses(LINKERS, 404)


def _version(model, key):
    return lambda ctx: str(model.objects.get(pk=ctx[key].pk).version)


def _domain_edit(ctx) -> dict:
    domain = Domain.objects.get(pk=ctx["rev_domain"].pk)
    return {
        "code": domain.code,
        "name": "Review matrix domain, renamed",
        "name_fr": "Domaine de la matrice, renommé",
        "description": "",
        "order": "50",
        "version": str(domain.version),
    }


def _review_complete(ctx) -> dict:
    return {
        "outcome": "no_change",
        "completed_on": "",
        "new_edition": "",
        "notes": "Matrix review",
        "version": _version(ReviewCycle, "rev_review")(ctx),
    }


def _proposal_decide(ctx) -> dict:
    return {
        "status": "accepted",
        "decision": "Accepted for the next edition.",
        "decided_on": "",
        "version": _version(ChangeProposal, "rev_proposal")(ctx),
    }


# Queries: session and user (2), the nation in a director's menu (1), then the page's own, the
# same at any size. Lists: count and page (2), plus the proposal list's nation choices (1); an
# export: the count, then the rows streamed (2). Forms: the row the page is about (1), plus
# their choices: items (1), editions (1), Allies (1); the domain and review forms have none.
ROWS = [
    # Lists: a role with no grant on the records gets a 403 rather than an empty page.
    Row("standards:domain-list", "GET", statuses(EVERYONE), queries={"director": 5, "secretariat": 4}),
    Row("standards:review-list", "GET", statuses(ALLIES), queries={"director": 5, "secretariat": 4}),
    Row(
        "standards:review-list",
        "GET",
        statuses(ALLIES),
        query="status=due&export=xlsx",
        variant="export",
        queries={"secretariat": 4},
    ),
    Row("standards:proposal-list", "GET", statuses(ALLIES), queries={"director": 6, "secretariat": 5}),
    Row("standards:unmatched-list", "GET", statuses(LINKERS), queries={"nspa": 4, "secretariat": 4}),
    # Forms.
    Row("standards:domain-create", "GET", DOMAIN_FORMS, queries={"secretariat": 2}),
    Row("standards:domain-edit", "GET", DOMAIN_EDIT, kwargs=pk("rev_domain"), queries={"secretariat": 3}),
    Row(
        "standards:review-open",
        "GET",
        ON_EDITION_SECRETARIAT,
        kwargs=pk("rev_standard"),
        queries={"secretariat": 3},
    ),
    Row("standards:review-start", "GET", ON_REVIEW, kwargs=pk("rev_review"), queries={"secretariat": 3}),
    Row("standards:review-complete", "GET", ON_REVIEW, kwargs=pk("rev_review"), queries={"secretariat": 3}),
    # A director proposes for their own nation (France's director too, for France); the
    # secretariat picks the nation, one query more.
    Row(
        "standards:proposal-submit",
        "GET",
        PROPOSERS,
        kwargs=pk("rev_standard"),
        queries={"director": 4, "secretariat": 4},
    ),
    Row(
        "standards:proposal-decide", "GET", ON_PROPOSAL, kwargs=pk("rev_proposal"), queries={"secretariat": 3}
    ),
    Row(
        "standards:requirement-add",
        "GET",
        ON_EDITION_LINKERS,
        kwargs=pk("rev_standard"),
        queries={"nspa": 4, "secretariat": 4},
    ),
    Row(
        "standards:requirement-remove",
        "GET",
        ON_REQUIREMENT,
        kwargs=pk("rev_requirement"),
        queries={"nspa": 3, "secretariat": 3},
    ),
    Row(
        "standards:unmatched-resolve",
        "GET",
        ON_UNMATCHED,
        kwargs=pk("rev_unmatched"),
        queries={"nspa": 4, "secretariat": 4},
    ),
]

# An empty form is invalid: 400 where the form shows, nothing written, the same refusals. (The
# requirement removal has nothing to type: its empty POST is the valid one, below.)
ROWS += [
    Row(row.route, "POST", as_write(row.expect, 400), kwargs=row.kwargs)
    for row in list(ROWS)
    if row.method == "GET" and not row.query and row.route.split(":")[1] not in {
        "domain-list", "review-list", "proposal-list", "unmatched-list", "requirement-remove",
    }
]  # fmt: skip


def _valid(route: str, expect: dict, status: int = 302, **fields) -> Row:
    return Row(f"standards:{route}", "POST", as_write(expect, status), variant="valid", **fields)


ROWS += [
    _valid(
        "domain-create",
        DOMAIN_FORMS,
        data={"code": "rev-matrix-new", "name": "Matrix domain", "name_fr": "Domaine", "order": "100"},
        audit="create",
    ),
    _valid("domain-edit", DOMAIN_EDIT, kwargs=pk("rev_domain"), data=_domain_edit, audit="update"),
    _valid(
        "review-open",
        ON_EDITION_SECRETARIAT,
        kwargs=pk("rev_standard"),
        data={"due_on": "2030-01-31", "notes": "Matrix review"},
        audit="create",
    ),
    _valid(
        "review-start",
        ON_REVIEW,
        kwargs=pk("rev_review"),
        data=lambda ctx: {"version": _version(ReviewCycle, "rev_review")(ctx)},
        audit="review.started",
    ),
    _valid(
        "review-complete", ON_REVIEW, kwargs=pk("rev_review"), data=_review_complete, audit="review.completed"
    ),
    # The review is completed now: starting it again is the 409 that names its state.
    Row(
        "standards:review-start",
        "POST",
        as_write(ON_REVIEW, 409),
        kwargs=pk("rev_review"),
        data=lambda ctx: {"version": _version(ReviewCycle, "rev_review")(ctx)},
        variant="wrong-state",
    ),
    _valid(
        "proposal-submit",
        PROPOSERS,
        kwargs=pk("rev_standard"),
        data=lambda ctx: {"nation": str(ctx["rev_poland"].pk), "text": "Add a marking table."},
        audit="proposal.submitted",
    ),
    _valid(
        "proposal-decide",
        ON_PROPOSAL,
        kwargs=pk("rev_proposal"),
        data=_proposal_decide,
        audit="proposal.decided",
    ),
    Row(
        "standards:proposal-decide",
        "POST",
        as_write(ON_PROPOSAL, 409),
        kwargs=pk("rev_proposal"),
        data=_proposal_decide,
        variant="wrong-state",
    ),
    _valid(
        "requirement-add",
        ON_EDITION_LINKERS,
        kwargs=pk("rev_standard"),
        data=lambda ctx: {"item": str(ctx["rev_item"].pk)},
        audit="create",
    ),
    _valid("requirement-remove", ON_REQUIREMENT, kwargs=pk("rev_requirement"), audit="delete"),
    # The edition it meant becomes the item's requirement ("create"); the designation goes.
    _valid(
        "unmatched-resolve",
        ON_UNMATCHED,
        kwargs=pk("rev_unmatched"),
        data=lambda ctx: {"standard": str(ctx["rev_standard"].pk)},
        audit="delete",
    ),
]  # fmt: skip


def build_context(users) -> dict:
    actor = secretariat_user()
    domain = make_domain(code="rev-matrix", name="Review matrix domain", actor=actor)
    standard = make_standard(number="9801", domain=domain, actor=actor)
    reviewed = make_standard(number="9802", domain=domain, actor=actor)
    poland = Nation.objects.get(code="POL")
    required = ItemFactory()
    return {
        "rev_domain": domain,
        "rev_standard": standard,
        "rev_poland": poland,
        "rev_item": ItemFactory(),
        "rev_review": services.review_open(actor=actor, standard=reviewed, due_on=dt.date(2026, 6, 30)),
        "rev_proposal": services.proposal_submit(
            actor=actor, standard=reviewed, nation=poland, text="Clarify the marking."
        ),
        "rev_requirement": services.requirement_add(actor=nspa_user(), item=required, standard=reviewed),
        "rev_unmatched": UnmatchedDesignation.objects.create(item=required, designation="STANAG 98O1"),
    }


def grow(context) -> None:
    """More of every record the lists show, and more choices on every form."""
    actor = secretariat_user()
    domain = make_domain(code="rev-matrix-2", name="Review matrix domain 2", actor=actor)
    france = Nation.objects.get(code="FRA")
    for number in ("9803", "9804"):
        standard = make_standard(number=number, domain=domain, actor=actor)
        services.review_open(actor=actor, standard=standard, due_on=dt.date(2026, 9, 30))
        services.proposal_submit(actor=actor, standard=standard, nation=france, text="More tables.")
        item = ItemFactory()
        UnmatchedDesignation.objects.create(item=item, designation=f"STANAG {number}X")
        services.requirement_add(actor=nspa_user(), item=item, standard=standard)

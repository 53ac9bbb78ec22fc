"""URL matrix rows for plan downloads and the capacity-line upload.

Downloads are checked on a submitted plan (the secretariat and NSPA read it; NSPA only its capacity
lines); the upload on a draft, which nobody but its nation sees.
"""

import datetime as dt

from pledges import services
from pledges.models import PlanCycle
from tests.matrix import ROLES, Exempt, Row

DOWNLOAD = {"anonymous": 302, **dict.fromkeys(ROLES, 404), "director": 200, "nspa": 200, "secretariat": 200,
            "superuser": 200, "director_other": 404}  # fmt: skip

UPLOAD = {
    "anonymous": 302,
    **dict.fromkeys(ROLES, 404),
    "director": 200,
    "superuser": 200,
    "director_other": 404,
}

ROWS = [
    Row(
        "pledges:plan-pdf",
        "GET",
        DOWNLOAD,
        kwargs=lambda ctx: {"pk": ctx["export_submitted_plan"].pk},
        queries=Exempt(
            "not pinned yet (reported): the PDF reads what the XLSX reads, rendered by weasyprint"
        ),
    ),
    Row(
        "pledges:plan-xlsx",
        "GET",
        DOWNLOAD,
        kwargs=lambda ctx: {"pk": ctx["export_submitted_plan"].pk},
        queries=Exempt("pinned at two sizes in pledges/tests/test_exports.py"),
    ),
    Row(
        "pledges:capacity-upload",
        "GET",
        UPLOAD,
        kwargs=lambda ctx: {"pk": ctx["export_draft_plan"].pk},
        queries=Exempt("an upload form: it shows no records"),
    ),
    # An upload without a file: refused (400), nothing written.
    Row(
        "pledges:capacity-upload",
        "POST",
        {**UPLOAD, "director": 400, "superuser": 400},
        kwargs=lambda ctx: {"pk": ctx["export_draft_plan"].pk},
    ),
]


def build_context(users_by_role) -> dict:
    director = users_by_role["director"]
    submitted_cycle = PlanCycle.objects.create(year=2087, due_date=dt.date(2087, 6, 30))
    draft_cycle = PlanCycle.objects.create(year=2088, due_date=dt.date(2088, 6, 30))
    submitted = services.plan_start(actor=director, nation=director.nation, cycle=submitted_cycle)
    services.plan_submit(actor=director, plan=submitted)
    draft = services.plan_start(actor=director, nation=director.nation, cycle=draft_cycle)
    return {"export_submitted_plan": submitted, "export_draft_plan": draft}

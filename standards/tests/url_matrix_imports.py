"""URL matrix rows of the standards imports: the API endpoints (a POST without a file is a 400 for
those allowed) and the upload pages (a POST without a file shows the form again, 400). The
catalogue is the CNAD secretariat's to import; national responses a director's (their own
nation's) and the secretariat's. Valid files are in standards/tests/test_imports.py."""

from tests.matrix import ROLES, Exempt, Row


def _only(allowed: set[str], status: int, anonymous: int) -> dict:
    return {
        "anonymous": anonymous,
        **{role: status if role in allowed or role == "superuser" else 403 for role in ROLES},
    }


CATALOGUE = {"secretariat"}
RESPONSES = {"director", "secretariat"}
FORM = Exempt("an upload form: it shows no records")

ROWS = [
    Row("standards-api:catalogue-import", "POST", _only(CATALOGUE, 400, 401)),
    Row("standards-api:responses-import", "POST", _only(RESPONSES, 400, 401)),
    Row("standards:catalogue-import", "GET", _only(CATALOGUE, 200, 302), queries=FORM),
    Row("standards:catalogue-import", "POST", _only(CATALOGUE, 400, 302)),
    Row("standards:responses-import", "GET", _only(RESPONSES, 200, 302), queries=FORM),
    Row("standards:responses-import", "POST", _only(RESPONSES, 400, 302)),
]


def build_context(users_by_role) -> dict:
    return {}

"""URL matrix rows for the DIP compliance dashboard, its per-nation page and its exports.

Readers: secretariat, board members, directors and superusers; NSPA, partners and users without a
role get a 403. The nation page is checked on Poland, the matrix director's own nation (another
nation is a 404 for a director: pledges/tests/test_selectors/dashboard.py). Edition 2091 is this module's
own (contexts of all modules share one database).
"""

from pledges.tests.dip_data import synthetic_edition
from tests.matrix import ROLES, Exempt, Row

READERS = {"anonymous": 302, **dict.fromkeys(ROLES, 403), "director": 200, "secretariat": 200,
           "board_member": 200, "superuser": 200}  # fmt: skip

ROWS = [
    Row(
        "pledges:dip-dashboard",
        "GET",
        READERS,
        queries=Exempt("pinned at two sizes in pledges/tests/test_dip_dashboard.py"),
    ),
    # Poland's page: France's director may not read it (404).
    Row(
        "pledges:dip-nation",
        "GET",
        {**READERS, "director_other": 404},
        kwargs=lambda ctx: {"code": "POL"},
        queries=Exempt("pinned at two sizes in pledges/tests/test_dip_dashboard.py"),
    ),
    # A CSV of the default selection: there is at least the 2091 edition to export.
    Row(
        "pledges:dip-export",
        "GET",
        READERS,
        queries=Exempt("pinned at two sizes in pledges/tests/test_dip_dashboard.py"),
    ),
]


def build_context(users_by_role) -> dict:
    dataset = synthetic_edition(
        users_by_role["secretariat"], edition_year=2091, codes=["POL", "FRA"], years=range(2089, 2092)
    )
    return {"dip_dataset": dataset}

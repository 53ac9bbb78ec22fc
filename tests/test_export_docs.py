"""The README's table of export column names is the exporters' own: a script written from the
README reads the header ``?header=names`` gives."""

import re
from pathlib import Path

import pytest
from django.urls import resolve

from boards import tables as boards_tables
from pledges import display
from portal.exports import table_export
from procurement import tables
from standards import tables as standards_tables
from standards.views.alerts import EXPORT_COLUMNS as ALERT_COLUMNS

README = Path(__file__).resolve().parent.parent / "README.md"
TABLES = {
    "procurement:item-list": tables.ItemTable,
    "procurement:programme-list": tables.ProgrammeTable,
    "procurement:supplier-list": tables.SupplierTable,
    "procurement:demand-list": tables.DemandSignalTable,
    "procurement:framework-list": tables.FrameworkTable,
    "procurement:call-off-list": tables.CallOffTable,
    "procurement:delivery-list": tables.DeliveryTable,
    "standards:standard-list": standards_tables.StandardTable,
    "standards:domain-list": standards_tables.DomainTable,
    "standards:review-list": standards_tables.ReviewTable,
    "standards:proposal-list": standards_tables.ProposalTable,
    "standards:unmatched-list": standards_tables.UnmatchedTable,
    "boards:action-list": boards_tables.ActionItemTable,
    "boards:risk-list": boards_tables.RiskTable,
}


def documented() -> dict[str, list[str]]:
    """README's ``| `/path/` | `name`, `name` |`` rows of the Exports section, by URL name."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Exports") :]
    section = section[: section.index("\n## ", 1)]
    rows = re.findall(r"^\| `(/[^`]+)` \| (.+) \|$", section, flags=re.MULTILINE)
    return {resolve(path).view_name: re.findall(r"`([a-z0-9_]+)`", names) for path, names in rows}


def exported(view_name: str) -> list[str]:
    if view_name == "pledges:dip-export":
        return [c.name for c in display.EXPORT_COLUMNS]
    if view_name == "standards:alert-list":
        return [c.name for c in ALERT_COLUMNS]
    table_class = TABLES[view_name]
    columns, _rows = table_export(table_class(table_class._meta.model.objects.none()))
    return [c.name for c in columns]


@pytest.mark.django_db
def test_every_exported_list_is_documented_with_its_machine_names():
    docs = documented()
    assert set(docs) == {*TABLES, "pledges:dip-export", "standards:alert-list"}
    for view_name, names in docs.items():
        assert names == exported(view_name), view_name

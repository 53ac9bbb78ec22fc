"""The OCDS feed as a data user's tools read it: every demo framework's package validates against
the official OCDS 1.1.5 release-package schema with its extensions merged, declares every field it
uses, keeps to the closed codelists, and ``ocdskit compile`` turns it into a record package that
validates against the 1.1.5 record-package schema. All offline (``procurement.tests.ocds_standard``)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from ocdsmerge import Merger
from rest_framework.test import APIClient

from portal.models import Nation, User
from procurement import services
from procurement.choices import AmendmentRationale
from procurement.models import FrameworkContract
from procurement.ocds import EXTENSION_DIR
from procurement.tests import factories
from procurement.tests import ocds_standard as standard

pytestmark = pytest.mark.django_db

# Every closed codelist the feed's values fall under; checking fewer means a field went missing.
CLOSED_CODELISTS = {
    "releaseTag.csv",
    "initiationType.csv",
    "tenderStatus.csv",
    "awardStatus.csv",
    "contractStatus.csv",
    "milestoneStatus.csv",
    "currency.csv",
    "frameworkAgreementMethod.csv",
    "amendmentRationale.csv",
}


@pytest.fixture
def demo(db):
    """The demo data, with amendments of each kind the feed shows: a ceiling raised and a period
    extended (LBDM), a nation joining a running framework (GEM-T), a termination (Stinger)."""
    call_command("load_demo", stdout=io.StringIO())
    nspa = User.objects.get(username="nspa")

    def amend(reference, rationale, description, **changes):
        framework = FrameworkContract.objects.get(reference=reference)
        factories.amend(
            framework,
            actor=nspa,
            date=dt.date(2026, 1, 15),
            rationale=rationale,
            description=description,
            **changes,
        )

    amend("NSPA-LBDM-2023", "ceiling_change", "Ceiling raised.", ceiling_value=Decimal("2600000000.00"))
    amend("NSPA-LBDM-2023", "period_extension", "One more year.", period_end=dt.date(2029, 12, 31))
    services.framework_participant_add(
        actor=nspa,
        framework=FrameworkContract.objects.get(reference="NSPA-GEM-T-2024"),
        nation=Nation.objects.get(code="POL"),
        joined_on=dt.date(2026, 2, 1),
    )
    amend("NSPA-STINGER-2024", "status_change", "Terminated early.", status="terminated")
    return nspa


def package_of(client, framework) -> dict:
    response = client.get(f"/api/procurement/frameworks/{framework.pk}/ocds/")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def api(demo):
    client = APIClient()
    client.force_authenticate(demo)
    return client


def test_every_demo_framework_validates_with_its_extensions(api):
    frameworks = list(FrameworkContract.objects.order_by("pk"))
    assert len(frameworks) >= 3
    checked = set()
    for framework in frameworks:
        package = package_of(api, framework)
        assert package["extensions"][0].endswith("/ocds_techniques_extension/master/extension.json")
        assert package["extensions"][1] == "http://testserver/procurement/ocds/extension/extension.json"
        checked |= standard.check_package(package, api)[1]
    assert checked == CLOSED_CODELISTS


def test_the_checks_catch_what_they_look_for(api):
    """The three checks are not vacuous: a field of no schema, a value outside a closed codelist,
    a broken type, and the extensions' own fields without the extensions merged."""
    package = package_of(api, FrameworkContract.objects.get(reference="NSPA-LBDM-2023"))
    release = standard.release_schema(standard.Extensions(package["extensions"], api))
    broken = copy.deepcopy(package)
    current = next(r for r in broken["releases"] if "parties" in r)
    current["contracts"][0]["ceiling_value"] = 1
    current["contracts"][0]["status"] = "expired"
    current["tender"]["title"] = 42
    assert standard.undeclared_fields(broken, release) == [
        f"releases/{broken['releases'].index(current)}/contracts/0/ceiling_value: "
        "not declared by the schema or its extensions"
    ]
    problems, _ = standard.codelist_errors(broken, release, standard.core_codelists())
    assert [p.split(": ", 1)[1] for p in problems] == [
        "'expired' is not in the closed codelist contractStatus.csv"
    ]
    assert any("42 is not of type" in e for e in standard.schema_errors(broken, release))

    core_only = standard.release_schema(standard.Extensions([], api))
    undeclared = {
        path.rsplit("/", 1)[1].split(":")[0] for path in standard.undeclared_fields(package, core_only)
    }
    assert {"techniques", "maximumValue", "rationaleCode", "joinedOn", "lotNumber"} <= undeclared


def test_the_extension_is_served_as_it_stands_in_the_repository(client):
    """Anyone may fetch it (tools do, without signing in); only its own files are served."""
    metadata = client.get("/procurement/ocds/extension/extension.json").json()
    assert metadata["documentationUrl"] == {"en": "http://testserver/procurement/ocds/extension/README.md"}
    assert client.get("/procurement/ocds/extension/README.md").status_code == 200
    schema = client.get("/procurement/ocds/extension/release-schema.json")
    assert schema["Content-Type"] == "application/json"
    assert schema.content == (EXTENSION_DIR / "release-schema.json").read_bytes()
    for name in ("../ocds.py", "codelists/../extension.json", "nothing.json"):
        assert client.get(f"/procurement/ocds/extension/{name}").status_code == 404


def test_the_rationale_codelist_follows_the_choices(client):
    """The extension's closed codelist, its schema enum and ``AmendmentRationale`` agree."""
    codes = standard._codes(
        client.get("/procurement/ocds/extension/codelists/amendmentRationale.csv").content.decode()
    )
    schema = client.get("/procurement/ocds/extension/release-schema.json").json()
    enum = schema["definitions"]["Amendment"]["properties"]["rationaleCode"]["enum"]
    assert codes == set(AmendmentRationale.values) == set(enum) - {None}


def test_ocdskit_compiles_records_that_validate(api, tmp_path):
    """``ocdskit compile`` with the local merged schema (offline) gives one record per contracting
    process, valid against the record-package schema, whose compiled release is the current state;
    merged into a versioned release, the amendment releases give the ceiling's history."""
    framework = FrameworkContract.objects.get(reference="NSPA-LBDM-2023")
    package = package_of(api, framework)
    release = standard.release_schema(standard.Extensions(package["extensions"], api))
    schema = tmp_path / "release-schema.json"
    schema.write_text(json.dumps(release))
    command = [sys.executable, "-m", "ocdskit", "compile", "--schema", str(schema), "--package"]
    command += ["--uri", f"{package['uri']}#records", "--published-date", package["publishedDate"]]
    compiled = subprocess.run(
        command, input=json.dumps(package), capture_output=True, text=True, check=True, timeout=300
    )
    records = json.loads(compiled.stdout)
    assert standard.schema_errors(records, release, schema_name="record-package-schema.json") == []
    ocids = list(dict.fromkeys(r["ocid"] for r in package["releases"]))
    assert sorted(r["ocid"] for r in records["records"]) == sorted(ocids)
    (record,) = [r for r in records["records"] if r["ocid"].endswith(f"-framework-{framework.pk}")]
    assert len(record["releases"]) == 4  # before the amendments, after each, and the current one
    contract = record["compiledRelease"]["contracts"][0]
    assert contract["maximumValue"] == {"amount": 2600000000, "currency": "EUR"}
    assert contract["period"]["endDate"] == "2029-12-31T00:00:00Z"
    assert [a["rationaleCode"] for a in contract["amendments"]] == ["ceiling_change", "period_extension"]

    # The versioned release (not checked against the 1.1.5 versioned schema: for an extended
    # ``details``, typed object-or-null, that schema versions the object whole and ocdsmerge
    # field by field).
    versioned = Merger(str(schema)).create_versioned_release(record["releases"])
    history = versioned["contracts"][0]["maximumValue"]["amount"]
    assert [version["value"] for version in history] == [2400000000, 2600000000]
    end_dates = versioned["contracts"][0]["period"]["endDate"]
    assert [version["value"] for version in end_dates] == ["2028-12-31T00:00:00Z", "2029-12-31T00:00:00Z"]

"""A Python client generated from the live schema by ``openapi-python-client`` (a tool nobody here
wrote) imports, and works against a live server: lists, an idempotent write and its replay, a
filtered read, and the portal's errors parsed into the types the schema documents for them.

The client is generated once per distinct schema the live server serves (it is the same for every
test of a run), into a temporary directory, as the package ``portal_api_client``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from pledges.tests.dip_data import import_nato_2026
from portal.tests.factories import api_token
from procurement.models import Delivery
from procurement.tests.factories import make_calloff, make_framework
from standards.tests.factories import make_standard

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "portal_api_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def _generated(tmp_path_factory):
    """Generated packages by the schema's digest; their modules leave ``sys.modules`` at the end."""
    packages: dict[str, Path] = {}
    yield packages
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]
    for root in packages.values():
        if str(root) in sys.path:
            sys.path.remove(str(root))


def _generate(schema: str, root: Path) -> None:
    (root / "schema.json").write_text(schema)
    # The generator formats its output with ruff, which it looks for on PATH: the venv's own.
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(root / "schema.json"), "--output-path",
         str(root / PACKAGE), "--meta", "none", "--fail-on-warning"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def api(live_server, make_user, _generated, tmp_path_factory):
    """The generated package, from the schema the live server serves to a signed-in reader."""
    reader = make_user(None, None, username="schema_reader")
    response = httpx.get(
        f"{live_server.url}/api/schema/",
        params={"format": "json"},
        headers={"Authorization": f"Token {api_token(reader)}"},
    )
    assert response.status_code == 200
    schema = response.text
    digest = hashlib.sha256(schema.encode()).hexdigest()
    if digest not in _generated:
        assert not _generated, "the live server served two different schemas in one run"
        root = tmp_path_factory.mktemp("generated-client")
        _generate(schema, root)
        sys.path.insert(0, str(root))
        _generated[digest] = root
    package = importlib.import_module(PACKAGE)
    package.schema = json.loads(schema)
    return package


def client_for(api, live_server, user):
    """The generated client, signed in as ``user`` with an API token; a status the schema does not
    document for the operation raises ``UnexpectedStatus``."""
    return api.AuthenticatedClient(
        base_url=live_server.url, token=api_token(user), prefix="Token", raise_on_unexpected_status=True
    )


def endpoint(api, module: str):
    return importlib.import_module(f"{PACKAGE}.api.{module}")


def model(api, name: str):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def test_every_generated_module_imports(api):
    names = [m.name for m in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.")]
    failures = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # every failure is reported, not only the first
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    assert failures == []
    # One module per operation of the schema, each a function of its own.
    operations = sum(
        method in {"get", "post", "put", "patch", "delete"}
        for item in api.schema["paths"].values()
        for method in item
    )
    endpoints = [n for n in names if n.startswith(f"{PACKAGE}.api.") and n.count(".") == 3]
    assert len(endpoints) == operations


def test_every_request_body_is_json_but_the_file_upload(api):
    bodies = {
        f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
        for path, item in api.schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    }
    assert bodies
    assert {key: media for key, media in bodies.items() if media != ["application/json"]} == {
        "POST /api/boards/meetings/{id}/documents/": ["multipart/form-data"],
        "POST /api/procurement/deliveries/import/": ["multipart/form-data"],
        "POST /api/standards/import/catalogue/": ["multipart/form-data"],
        "POST /api/standards/import/responses/": ["multipart/form-data"],
    }


def test_records_a_response_and_reads_the_conflict(api, live_server, owner):
    standard = make_standard(number="4425", edition="2")
    client = client_for(api, live_server, owner)
    create = endpoint(api, "standards.standards_responses_create")
    body = model(api, "ResponseWriteRequest")(
        standard=standard.pk,
        ratification=model(api, "RatificationEnum")("reservations"),
        reservations="Right to deviate on the fuze well",
    )
    created = create.sync_detailed(client=client, body=body)
    assert created.status_code == 201
    assert isinstance(created.parsed, model(api, "NationalResponse"))
    assert (created.parsed.nation, created.parsed.version) == ("POL", 1)
    # The same create again: a response is recorded already, and the 409 says which version.
    again = create.sync_detailed(client=client, body=body)
    assert again.status_code == 409
    assert isinstance(again.parsed, model(api, "Conflict"))
    assert again.parsed.current_version == 1
    listed = endpoint(api, "standards.standards_responses_list").sync(client=client, nation="POL")
    assert [response.designation for response in listed.results] == ["STANAG 4425 Ed. 2"]


def test_lists_frameworks(api, live_server, make_user):
    framework = make_framework()
    director = make_user("director", "POL", username="client_director")
    listed = endpoint(api, "procurement.procurement_frameworks_list").sync(
        client=client_for(api, live_server, director)
    )
    assert isinstance(listed, model(api, "PaginatedFrameworkList"))
    assert listed.count == 1
    assert [(f.id, f.reference, f.currency) for f in listed.results] == [
        (framework.pk, framework.reference, "EUR")
    ]


def delivery_request(api, line, **fields):
    """The generated model of a delivery's body: 40 delivered on ``line``, 2 of them rejected."""
    values = {
        "call_off_line": line.pk,
        "delivered_on": dt.date(2024, 9, 2),
        "quantity_delivered": 40,
        "quantity_accepted": 38,
        "quantity_rejected": 2,
        "rejection_reason": "Damaged crates",
        "lot_number": "LOT-CLIENT-1",
    }
    return model(api, "DeliveryWriteRequest")(**{**values, **fields})


def test_creates_a_delivery_with_an_idempotency_key_and_replays_it(api, live_server, nspa):
    line = make_calloff(make_framework(), quantity=100).lines.get()
    create = endpoint(api, "procurement.procurement_deliveries_create")
    body = delivery_request(api, line)
    client = client_for(api, live_server, nspa)

    first = create.sync_detailed(client=client, body=body, idempotency_key="client-key-1")
    again = create.sync_detailed(client=client, body=body, idempotency_key="client-key-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    delivery = Delivery.objects.get()
    for response in (first, again):
        assert isinstance(response.parsed, model(api, "Delivery"))
        assert (response.parsed.id, response.parsed.quantity_accepted) == (delivery.pk, 38)
        assert response.parsed.lot_number == "LOT-CLIENT-1"


def test_reads_dip_metrics_for_one_nation_and_year(api, live_server, secretariat):
    import_nato_2026(secretariat)
    page = endpoint(api, "pledges.pledges_dip_metrics_list").sync(
        client=client_for(api, live_server, secretariat), nation="POL", year=2024
    )
    assert isinstance(page, model(api, "PaginatedDipMetricList"))
    assert [(m.subject, m.nation, m.year) for m in page.results] == [("POL", "POL", 2024)]
    # NATO's 2026 edition puts Poland's 2024 defence spending at 3.75% of GDP (its README).
    assert Decimal(page.results[0].pct_gdp).quantize(Decimal("0.01")) == Decimal("3.75")


def test_errors_are_parsed_into_their_documented_types(api, live_server, owner, nspa, secretariat):
    dataset = import_nato_2026(secretariat)
    line = make_calloff(make_framework(), quantity=100).lines.get()
    director = client_for(api, live_server, owner)
    error, validation_error = model(api, "Error"), model(api, "ValidationError")

    # 403: a director may not choose the reference dataset.
    refused = endpoint(api, "pledges.pledges_expenditure_datasets_make_reference_create").sync_detailed(
        client=director, id=dataset.pk
    )
    assert refused.status_code == 403
    assert isinstance(refused.parsed, error)
    assert refused.parsed.code == "permission_denied"

    # 404: no such framework.
    missing = endpoint(api, "procurement.procurement_frameworks_retrieve").sync_detailed(
        client=director, id=999_999
    )
    assert missing.status_code == 404
    assert isinstance(missing.parsed, error)
    assert missing.parsed.code == "not_found"

    # 400: the field's messages under its name, whether the serializer (a blank lot number) or
    # the service (more delivered than the call-off line has outstanding) found the fault.
    create = endpoint(api, "procurement.procurement_deliveries_create")
    for fields, field in [
        ({"lot_number": ""}, "lot_number"),
        ({"quantity_delivered": 500, "quantity_accepted": 498}, "quantity_delivered"),
    ]:
        invalid = create.sync_detailed(
            client=client_for(api, live_server, nspa), body=delivery_request(api, line, **fields)
        )
        assert invalid.status_code == 400
        assert isinstance(invalid.parsed, validation_error)
        assert list(invalid.parsed.additional_properties) == [field]
        [message] = invalid.parsed.additional_properties[field]
        assert isinstance(message, str)
        assert message
    assert not Delivery.objects.exists()


def test_creates_an_action_and_reads_the_stale_update_as_a_conflict(api, live_server, make_user):
    from boards.tests.factories import make_world

    world = make_world(make_user)
    client = client_for(api, live_server, world.wg1_member)
    created = endpoint(api, "boards.boards_actions_create").sync_detailed(
        client=client,
        body=model(api, "ActionWriteRequest")(
            body=world.wg1.pk, text="Survey 155mm capacity", owner_nation="POL", due_on=dt.date(2031, 1, 31)
        ),
    )
    assert created.status_code == 201
    assert isinstance(created.parsed, model(api, "Action"))
    assert (created.parsed.owner_nation, created.parsed.version, created.parsed.body_code) == (
        "POL",
        1,
        "wg1",
    )
    update = endpoint(api, "boards.boards_actions_partial_update")
    done = update.sync_detailed(
        client=client,
        id=created.parsed.id,
        body=model(api, "PatchedActionUpdateRequest")(
            status=model(api, "ActionStatusEnum")("done"), version=1
        ),
    )
    assert (done.status_code, done.parsed.version) == (200, 2)
    stale = update.sync_detailed(
        client=client,
        id=created.parsed.id,
        body=model(api, "PatchedActionUpdateRequest")(text="Again", version=1),
    )
    assert stale.status_code == 409
    assert isinstance(stale.parsed, model(api, "Conflict"))
    assert (stale.parsed.current_version, stale.parsed.changed_fields) == (2, ["status"])
    listed = endpoint(api, "boards.boards_actions_list").sync(
        client=client, status=model(api, "BoardsActionsListStatus")("done")
    )
    assert [action.id for action in listed.results] == [created.parsed.id]

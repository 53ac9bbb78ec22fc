"""Two NSPA writers deliver against one call-off line at once, and together they would deliver more
than was ordered: one of them succeeds, the other gets the same clean field error it would get
alone. The call-off line's row lock is what makes that so: without it both writers read the same
totals, both pass the check, and the database constraint stops the second one with an
IntegrityError (a misleading message in the browser, a 500 from the API).

PostgreSQL only: SQLite serialises whole-database writes, so there is no row lock to test.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from types import ModuleType

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from rest_framework.test import APIClient

from procurement import importers, services
from procurement.importers import ImportRejected
from procurement.models import CallOffLine, Delivery
from procurement.services import deliveries
from procurement.tests.factories import make_calloff, make_framework, nspa_user
from procurement.tests.import_helpers import csv_bytes, row

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises whole-database writes)")


class AfterTheRead:
    """Holds each writer, once it has read the call-off line, until the other writer has read it
    too or is waiting for a lock this one holds. With the row lock the second writer waits, so the
    first goes on alone; without it both go on with the same totals. Either way the interleaving is
    the one a real race can produce, every run."""

    # Only a guard against a hang if the code under test changes shape; never reached when it works.
    GIVE_UP_AFTER = 30.0

    def __init__(self, monkeypatch, first_write: str, module: ModuleType = deliveries):
        """``first_write``: the helper each writer calls after its read and check and before it
        writes anything, patched in ``module``, where it is looked up (``services.deliveries``)."""
        self.pids: dict[str, int] = {}
        self.arrived: set[str] = set()
        self.barrier = threading.Barrier(2)
        original = getattr(module, first_write)

        def wait_then_write(*args, **kwargs):
            self.wait(threading.current_thread().name)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, first_write, wait_then_write)

    def start(self, name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pids[name] = cursor.fetchone()[0]
        self.barrier.wait(timeout=10)

    def wait(self, name: str) -> None:
        self.arrived.add(name)
        (other,) = set(self.pids) - {name}
        deadline = time.monotonic() + self.GIVE_UP_AFTER
        with connection.cursor() as cursor:
            while other not in self.arrived and time.monotonic() < deadline:
                cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [self.pids[name], self.pids[other]])
                if cursor.fetchone()[0]:
                    return
                time.sleep(0.01)


def race(rendezvous: AfterTheRead, writers: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Run each writer in its own thread (own connection); return what each returned or raised."""
    outcomes: dict[str, object] = {}

    def run(name, write):
        try:
            rendezvous.start(name)
            outcomes[name] = write()
        except Exception as exc:  # the outcome under test, whatever it is
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item, name=item[0]) for item in writers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def line():
    """A call-off line of 100 rounds, nothing delivered yet."""
    return make_calloff(make_framework(), quantity=100).lines.get()


def delivery(line, lot: str, quantity: int) -> services.DeliveryInput:
    return services.DeliveryInput(
        call_off_line_id=line.pk,
        delivered_on=dt.date(2024, 9, 1),
        quantity_delivered=quantity,
        quantity_accepted=quantity,
        lot_number=lot,
    )


def test_two_deliveries_that_together_exceed_the_order_one_is_recorded(monkeypatch, line):
    actor = nspa_user()
    outcomes = race(
        AfterTheRead(monkeypatch, "_delivery_from"),
        {
            lot: lambda lot=lot: services.delivery_record(actor=actor, data=delivery(line, lot, 60))
            for lot in ("A", "B")
        },
    )

    recorded = [o for o in outcomes.values() if isinstance(o, Delivery)]
    refused = [o for o in outcomes.values() if not isinstance(o, Delivery)]
    assert len(recorded) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError), outcomes
    assert refused[0].message_dict == {
        "quantity_delivered": ["Only 40 of 100 remain to be delivered on this line."]
    }
    assert CallOffLine.objects.get(pk=line.pk).delivered_quantity == 60
    assert Delivery.objects.count() == 1


def test_two_api_deliveries_that_together_exceed_the_order_give_201_and_400(monkeypatch, line):
    actor = nspa_user()

    def post(lot: str):
        client = APIClient()
        client.force_authenticate(actor)
        body = {"call_off_line": line.pk, "delivered_on": "2024-09-01", "quantity_delivered": 60,
                "quantity_accepted": 60, "quantity_rejected": 0, "lot_number": lot}  # fmt: skip
        return client.post("/api/procurement/deliveries/", body, format="json")

    outcomes = race(
        AfterTheRead(monkeypatch, "_delivery_from"), {lot: lambda lot=lot: post(lot) for lot in ("A", "B")}
    )

    statuses = sorted(getattr(o, "status_code", repr(o)) for o in outcomes.values())
    assert statuses == [201, 400], outcomes
    (refused,) = (o for o in outcomes.values() if o.status_code == 400)
    assert "Only 40 of 100 remain" in str(refused.json()["quantity_delivered"])
    assert CallOffLine.objects.get(pk=line.pk).delivered_quantity == 60


def test_two_imports_that_together_exceed_the_order_one_imports_the_other_says_why(monkeypatch, line):
    actor = nspa_user()
    files = {lot: csv_bytes([row(line, lot, delivered="60", accepted="60")]) for lot in ("A", "B")}
    outcomes = race(
        AfterTheRead(monkeypatch, "_insert_deliveries"),
        {
            lot: lambda lot=lot, data=data: importers.import_deliveries(
                actor=actor, data=data, file_name=f"{lot}.csv"
            )
            for lot, data in files.items()
        },
    )

    imported = [o for o in outcomes.values() if isinstance(o, importers.ImportResult)]
    refused = [o for o in outcomes.values() if not isinstance(o, importers.ImportResult)]
    assert [result.created for result in imported] == [1], outcomes
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ImportRejected), outcomes
    # The reason is the quantity, not "someone else recorded these lots" (the lots differ).
    assert [error.message for error in refused[0].errors] == [
        f"call-off line {line.pk}: 60 more would exceed the 40 outstanding"
    ]
    assert CallOffLine.objects.get(pk=line.pk).delivered_quantity == 60
    assert Delivery.objects.count() == 1

"""Creating one demand cell (nation, item, year) through the API: exactly one create succeeds, and
every other create of that cell is a 409 naming the row that won (its id and version), whether the
writers come one after the other or all at once. Nothing is overwritten: a writer who wants to
change the cell sends the version it read.

The concurrent case is PostgreSQL only: SQLite serialises whole-database writes, so writers cannot
overlap there.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from portal.models import Nation
from portal.tests.factories import UserFactory
from portal.tests.openapi import assert_matches_schema
from procurement.models import DemandSignal
from procurement.tests.factories import ItemFactory, nspa_user

URL = "/api/procurement/demand-signals/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def cell(item, quantity: int, **extra) -> dict:
    return {"item": item.pk, "year": 2027, "quantity": quantity, "firmness": "firm", **extra}


@pytest.mark.django_db
def test_a_second_create_of_a_cell_is_a_409_naming_the_row_and_changes_nothing(owner):
    item = ItemFactory()
    first = client_for(owner).post(URL, cell(item, 100), format="json")
    assert first.status_code == 201, first.content
    created = first.json()

    # NSPA, filing on Poland's behalf without having seen Poland's row.
    second = client_for(nspa_user()).post(URL, cell(item, 900, nation="POL"), format="json")
    assert second.status_code == 409, second.content
    assert_matches_schema(second, URL, "post")
    body = second.json()
    assert (body["code"], body["id"], body["current_version"]) == ("conflict", created["id"], 1)
    assert body["changed_by"] == ["owner_pol"]
    signal = DemandSignal.objects.get()
    assert (signal.quantity, signal.version, signal.filed_by) == (100, 1, owner)

    # Told the row's id and version, the writer can update it on purpose.
    update = client_for(nspa_user()).patch(
        f"{URL}{body['id']}/", {"quantity": 900, "version": body["current_version"]}, format="json"
    )
    assert update.status_code == 200, update.content
    assert (update.json()["quantity"], update.json()["version"]) == (900, 2)


WRITERS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_cell_one_201_and_409s_naming_the_winner(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole-database writes)")
    item = ItemFactory()
    poland = Nation.objects.get(code="POL")
    writers = [UserFactory(role="director", nation=poland, username=f"pol_{n}") for n in range(WRITERS)]

    # Every writer reads the empty cell before any of them inserts: the interleaving in which a
    # check-then-act upsert lets each writer think the cell is its own to create.
    read_the_empty_cell = threading.Barrier(WRITERS)
    held: set[str] = set()
    full_clean = DemandSignal.full_clean

    def full_clean_after_everyone_read(signal, *args, **kwargs):
        if signal.pk is None and threading.current_thread().name not in held:
            held.add(threading.current_thread().name)
            read_the_empty_cell.wait(timeout=20)
        return full_clean(signal, *args, **kwargs)

    monkeypatch.setattr(DemandSignal, "full_clean", full_clean_after_everyone_read)

    responses: dict[int, object] = {}

    def post(n: int) -> None:
        try:
            responses[n] = client_for(writers[n]).post(URL, cell(item, 1000 + n), format="json")
        except Exception as exc:  # the outcome under test, whatever it is
            responses[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(n,), name=f"writer-{n}") for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses.values())
    assert statuses == [201] + [409] * (WRITERS - 1), responses
    (winner,) = (n for n, r in responses.items() if r.status_code == 201)
    signal = DemandSignal.objects.get()
    assert (signal.pk, signal.quantity, signal.version) == (responses[winner].json()["id"], 1000 + winner, 1)
    for n, response in responses.items():
        if n != winner:
            assert_matches_schema(response, URL, "post")
            body = response.json()
            assert (body["code"], body["id"], body["current_version"]) == ("conflict", signal.pk, 1)
            assert body["changed_by"] == [f"pol_{winner}"]

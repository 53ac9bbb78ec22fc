"""What every procurement write shares: the add check and the row lock with its scope check.
Saving a new or changed row with its audit record is the core's (``portal.services.model_create``
and ``model_update``).

The business rules (DESIGN: "never check-then-act") hold under concurrency because every rule on a
running total is checked after taking the row lock of the row that holds the total.
"""

from __future__ import annotations

from django.db import connection

from portal.services import ensure_may, locked_for


def ensure_may_add(actor, model) -> None:
    ensure_may(actor, model)


def locked_for_change(obj, *, actor):
    """``obj``'s row, locked for this transaction, after checking the actor may change it."""
    return locked_for(obj, actor=actor)


def add_year_totals(model, totals: dict[tuple[int, int, int], int]) -> None:
    """Add ``{(item, nation, year): quantity}`` to a running per-year total table (``model``:
    ``DeliveredPerYear`` or ``OrderedPerYear``) in one upsert (PostgreSQL and SQLite both speak
    ``ON CONFLICT ... DO UPDATE``). Two transactions adding to one total serialize on its row;
    neither reads it first, so neither overwrites the other."""
    table = model._meta.db_table
    entries = list(totals.items())
    # In chunks: SQLite takes at most 32,766 parameters in one statement.
    for start in range(0, len(entries), 1000):
        chunk = entries[start : start + 1000]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        params = [value for key, quantity in chunk for value in (*key, quantity)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (item_id, nation_id, year, quantity) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (item_id, nation_id, year) "
                f"DO UPDATE SET quantity = {table}.quantity + excluded.quantity",
                params,
            )


def rebuild_year_totals(model, rows) -> int:
    """Replace every ``model`` total by ``rows`` (``item``, ``nation``, ``year``, ``total`` dicts
    summed from the source rows); returns how many totals there are. For data loaded without the
    services (the benches' SQL) and for checking the running totals; the services keep them
    current otherwise. Not audited: the totals are derived, and every row under them has its own
    audit record."""
    model.objects.all().delete()
    created = model.objects.bulk_create(
        (
            model(item_id=row["item"], nation_id=row["nation"], year=row["year"], quantity=row["total"])
            for row in rows.iterator()
        ),
        batch_size=2000,
    )
    return len(created)

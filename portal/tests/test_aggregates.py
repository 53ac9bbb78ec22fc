"""The shared rule that aggregates do not reveal rows (portal/aggregates.py)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from pledges.models import CapacityLine
from portal import aggregates
from portal.aggregates import Audience, NationIds, nation_ids
from portal.models import Nation, User
from portal.permissions import reads_all
from procurement.models import CallOff, DemandSignal, FrameworkContract

READER = Audience(exempt=False)


@pytest.mark.parametrize(
    ("nations", "hidden"),
    [
        (set(), False),  # an empty cell reveals nobody
        ({1}, True),
        ({1, 2}, True),  # one fewer than the minimum
        ({1, 2, 3}, False),  # exactly the minimum
        ({1, 2, 3, 4}, False),
    ],
)
def test_a_cell_from_fewer_than_the_minimum_is_hidden(nations, hidden):
    assert READER.hides(nations) is hidden


def test_the_reader_s_own_nation_does_not_count():
    """A director knows their own figure: total less own would give the others away."""
    own = Audience(exempt=False, known=frozenset({1}))
    assert own.hides({1}) is False  # only their own nation
    assert own.hides({1, 2, 3}) is True  # two others
    assert own.hides({1, 2, 3, 4}) is False


def test_an_exempt_reader_sees_every_cell():
    assert not aggregates.EXEMPT.hides({1})
    assert aggregates.EXEMPT.keep(5, {1}) == 5


@pytest.mark.parametrize(("minimum", "shown"), [(1, [{1}, {1, 2}]), (2, [{1, 2}]), (4, [])])
def test_the_minimum_is_the_setting(settings, minimum, shown):
    settings.AGGREGATE_MIN_NATIONS = minimum
    cells = [{1}, {1, 2}]
    assert [cell for cell in cells if not READER.hides(cell)] == shown
    assert aggregates.minimum() == minimum


def test_the_default_minimum_is_three():
    from django.conf import settings

    assert settings.AGGREGATE_MIN_NATIONS == 3


def test_keep_withholds_a_value_when_any_source_cell_is_hidden():
    assert READER.keep(10, {1, 2, 3}) == 10
    assert READER.keep(10, {1, 2, 3}, {4}) is None
    assert READER.keep(0, set()) == 0


def test_partition_without_merge_suppresses_thin_cells_in_order():
    cells = [("a", {1, 2, 3}), ("b", {1}), ("c", {4, 5, 6, 7}), ("d", {2, 3})]
    split = aggregates.partition(cells, nations=lambda c: c[1], audience=READER)
    assert [c[0] for c in split.shown] == ["a", "c"]
    assert [c[0] for c in split.suppressed] == ["b", "d"]
    assert split.merged == []
    assert not split.complete


@pytest.mark.parametrize(
    ("others", "merged"),
    [
        ([{2}, {3}], False),  # two other nations: the remainder would show them
        ([{2}, {3}, {4}], True),
    ],
)
def test_partition_with_merge_shows_known_nations_apart_and_the_rest_summed(others, merged):
    reader = Audience(exempt=False, known=frozenset({1}))
    cells = [{1}, *others]
    split = aggregates.partition(cells, nations=lambda c: c, audience=reader, merge=True)
    assert split.shown == [{1}]
    assert (split.merged == others) is merged
    assert (split.suppressed == others) is not merged
    assert split.complete is merged


def test_merge_never_shows_an_unknown_nation_alone_even_at_a_minimum_of_one(settings):
    settings.AGGREGATE_MIN_NATIONS = 1
    reader = Audience(exempt=False, known=frozenset({1}))
    split = aggregates.partition([{1}, {2}], nations=lambda c: c, audience=reader, merge=True)
    assert split.shown == [{1}]
    assert split.merged == [{2}]


def test_an_exempt_reader_sees_every_slice_apart():
    split = aggregates.partition([{1}, {2}], nations=lambda c: c, audience=aggregates.EXEMPT, merge=True)
    assert split.shown == [{1}, {2}]
    assert split.complete


# --- Who is exempt -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "model", "expected"),
    [
        ("nspa", DemandSignal, True),
        ("secretariat", CallOff, True),
        ("superuser", FrameworkContract, True),
        ("director", DemandSignal, False),  # own nation only
        ("director", FrameworkContract, False),  # the frameworks it takes part in
        ("board_member", CallOff, False),  # no grant at all
        ("partner", DemandSignal, False),
        ("no_role", DemandSignal, False),
    ],
)
def test_reads_all_means_an_unfiltered_scope(users_by_role, role, model, expected):
    assert reads_all(users_by_role[role], model) is expected


@pytest.mark.django_db
def test_audience_of_a_user(users_by_role):
    director = users_by_role["director"]
    assert aggregates.audience(director, DemandSignal) == Audience(exempt=False, known={director.nation_id})
    assert aggregates.audience(users_by_role["board_member"], DemandSignal) == Audience(exempt=False)
    assert aggregates.audience(users_by_role["nspa"], DemandSignal, CallOff).exempt
    # Exempt only when every model's rows are all readable: the secretariat reads submitted lines only.
    assert not aggregates.audience(users_by_role["secretariat"], DemandSignal, CapacityLine).exempt


# --- Collecting nations in the GROUP BY ------------------------------------------------------------


@pytest.mark.django_db
def test_nation_ids_collects_distinct_nations_per_group(make_user, django_assert_num_queries):
    pol, fra = Nation.objects.get(code="POL"), Nation.objects.get(code="FRA")
    for index, code in enumerate(["POL", "POL", "FRA"]):
        make_user("director", code, username=f"agg_d{index}")
    make_user("board_member", None, username="agg_b")
    with django_assert_num_queries(1):
        rows = {
            row["role"]: row
            for row in User.objects.filter(username__startswith="agg_")
            .values("role")
            .annotate(all_ids=NationIds("nation"), polish=NationIds("nation", filter=Q(nation__code="POL")))
            .order_by()
        }
    assert nation_ids(rows["director"]["all_ids"]) == {pol.pk, fra.pk}
    assert nation_ids(rows["director"]["polish"]) == {pol.pk}
    assert nation_ids(rows["board_member"]["all_ids"]) == frozenset()


@pytest.mark.django_db
def test_signed_nation_ids_splits_each_groups_nations_in_one_aggregate(make_user, django_assert_num_queries):
    pol, fra, deu = (Nation.objects.get(code=code) for code in ("POL", "FRA", "DEU"))
    for index, code in enumerate(["POL", "FRA", "DEU"]):
        make_user("director", code, username=f"sig_d{index}")
    make_user("board_member", None, username="sig_b")
    with django_assert_num_queries(1):
        rows = {
            row["role"]: row["ids"]
            for row in User.objects.filter(username__startswith="sig_", nation__isnull=False)
            .values("role")
            .annotate(ids=aggregates.SignedNationIds("nation_id", negative=Q(nation__code="FRA")))
            .order_by()
        }
    every, positive, negative = aggregates.signed_nation_ids(rows["director"])
    assert (every, positive, negative) == ({pol.pk, fra.pk, deu.pk}, {pol.pk, deu.pk}, {fra.pk})
    assert aggregates.signed_nation_ids(None) == (frozenset(), frozenset(), frozenset())

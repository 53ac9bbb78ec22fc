"""Values no column can hold match nothing, on SQLite and PostgreSQL alike (portal/lookups.py).

Without the bounded lookups SQLite's driver raises OverflowError on an id past 64 bits, and psycopg
raises ValueError on a NUL byte: a 500 from any filter, form or serializer that passes them on.
"""

from __future__ import annotations

import pytest

from portal.models import JobRun, Nation, ObjectChange
from procurement.models import CallOff
from procurement.tests.factories import make_calloff, make_framework

pytestmark = pytest.mark.django_db

HUGE = 10**30


@pytest.fixture
def calloff():
    return make_calloff(make_framework(), nation="POL")


def test_a_foreign_key_past_the_integer_range_matches_nothing(calloff):
    assert list(CallOff.objects.filter(framework=HUGE)) == []
    assert list(CallOff.objects.filter(framework=-HUGE)) == []
    assert list(CallOff.objects.filter(framework__in=[HUGE, calloff.framework_id])) == [calloff]
    assert list(CallOff.objects.filter(framework__in=[HUGE])) == []
    assert CallOff.objects.exclude(framework=HUGE).count() == 1


def test_comparisons_past_either_end_of_the_range_match_all_or_nothing(calloff):
    assert CallOff.objects.filter(framework__lt=HUGE).count() == 1
    assert CallOff.objects.filter(framework__lte=HUGE).count() == 1
    assert CallOff.objects.filter(framework__gt=HUGE).count() == 0
    assert CallOff.objects.filter(framework__gte=HUGE).count() == 0
    assert CallOff.objects.filter(framework__gt=-HUGE).count() == 1
    assert CallOff.objects.filter(framework__lt=-HUGE).count() == 0


def test_an_integer_in_list_drops_what_the_column_cannot_hold(calloff):
    assert list(CallOff.objects.filter(pk__in=[HUGE])) == []
    assert list(CallOff.objects.filter(pk__in=[HUGE, calloff.pk])) == [calloff]
    JobRun.objects.create(job_name="x", publish_attempts=1)
    assert JobRun.objects.filter(publish_attempts__in=[HUGE, 1]).count() == 1


def test_text_with_a_nul_byte_matches_nothing_and_never_reaches_the_database():
    poland = Nation.objects.get(code="POL")
    assert list(Nation.objects.filter(code="P\x00L")) == []
    assert list(Nation.objects.filter(code__iexact="pol\x00")) == []
    assert list(Nation.objects.filter(name__icontains="\x00")) == []
    assert list(Nation.objects.filter(name__startswith="Pol\x00")) == []
    assert list(Nation.objects.filter(code__in=["P\x00L", "POL"])) == [poland]
    assert Nation.objects.exclude(code="\x00").filter(code="POL").get() == poland
    assert list(ObjectChange.objects.filter(message__contains="\x00")) == []


def test_a_nul_in_a_form_filter_is_a_page_not_a_500(client, nspa):
    client.force_login(nspa)
    assert client.get("/procurement/demand/entry/", {"nation": "\x00"}).status_code == 404
    assert client.get("/procurement/frameworks/", {"participant": "P\x00L"}).status_code == 200

"""Shared pytest fixtures: nations, the user trio, Celery mode and test isolation."""

from __future__ import annotations

import importlib
import os
import uuid

import pytest

from portal.celery import app as celery_app_instance
from tests.matrix import OTHER_DIRECTOR, ROLES


def pytest_configure(config):
    # Each test session gets its own queue, so parallel runs (xdist, CI and a developer at once)
    # never consume each other's messages on the shared Redis.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    celery_app_instance.conf.task_default_queue = f"portal-test-{worker}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # Real hashing costs ~0.3 s a user by design; tests make hundreds of users.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The database named in DATABASE_URL, before pytest-django swaps in the test database. When no
# selected test uses the database, no test database is created and the connection still points here.
_REAL_DB_NAME: list[str] = []


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Worker threads (real Celery worker tests) must not hold connections open past a task, or the
    # test database cannot be dropped at the end.
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    _REAL_DB_NAME.append(settings.DATABASES["default"]["NAME"])


@pytest.fixture
def celery_app():
    """celery.contrib.pytest's worker fixture, pointed at the project's own app and broker."""
    return celery_app_instance


@pytest.fixture
def celery_worker_parameters():
    # No result backend (job state lives in JobRun), so the plugin's ping-through-backend check is off.
    return {
        "perform_ping_check": False,
        "queues": [celery_app_instance.conf.task_default_queue],
        "shutdown_timeout": 30,
    }


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Jobs run eagerly in ordinary tests; tests marked ``real_worker`` use the broker and a worker."""
    real = request.node.get_closest_marker("real_worker") is not None
    if real and not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real Celery worker on a real Redis")
    previous = celery_app_instance.conf.task_always_eager
    celery_app_instance.conf.task_always_eager = not real
    yield
    celery_app_instance.conf.task_always_eager = previous


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Nations come from a data migration, and a transactional test's flush deletes them; put
    them back for every test that touches the database."""
    if request.node.get_closest_marker("django_db") is None and not _DB_FIXTURES & set(request.fixturenames):
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps

    from portal.models import Nation

    if not Nation.objects.exists():
        importlib.import_module("portal.migrations.0002_load_nations").load(apps, None)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. The test client's LocaleMiddleware activates the
    language a request asks for and nothing deactivates it, so a test that asked for French left
    the next one (a service test with no request) speaking it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_local_cache(settings):
    """The local-memory cache (no REDIS_URL) lives as long as the process; on SQLite a rolled-back
    test can reuse the same row ids, so cached figures must not carry over. (With Redis, keys carry
    the database identity and are never flushed here: the broker shares that Redis.)"""
    if not settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def _api_throttle_rates_raised(settings):
    """Tests make hundreds of API calls per user (the schema fuzzing), and user ids repeat across
    tests and xdist workers that share one Redis cache: a production rate would throttle them at
    random. A one-second window keeps the throttles' history short. The throttling tests lower
    the rates again."""
    settings.API_THROTTLE_RATES = {"anon": "100000/s", "user": "100000/s"}


@pytest.fixture
def nation():
    """``nation("POL")`` returns a Nation loaded by the data migration."""
    from portal.models import Nation

    return lambda code: Nation.objects.get(code=code)


@pytest.fixture
def make_user(db, nation):
    from portal.tests.factories import UserFactory

    def make(role: str | None = None, nation_code: str | None = None, **kwargs):
        return UserFactory(role=role or "", nation=nation(nation_code) if nation_code else None, **kwargs)

    return make


@pytest.fixture
def owner(make_user):
    """A director of the owning nation (Poland)."""
    return make_user("director", "POL", username="owner_pol")


@pytest.fixture
def other(make_user):
    """A director of another nation (France)."""
    return make_user("director", "FRA", username="other_fra")


@pytest.fixture
def outsider(make_user):
    """A signed-in user with no role and no nation."""
    return make_user(None, None, username="outsider")


@pytest.fixture
def secretariat(make_user):
    return make_user("secretariat", None, username="sec")


@pytest.fixture
def nspa(make_user):
    return make_user("nspa", None, username="nspa_user")


@pytest.fixture
def users_by_role(make_user):
    """One user per role in ``ROLES``: the roles, a superuser and a role-less user."""
    users = {
        "director": make_user("director", "POL", username="r_director"),
        "nspa": make_user("nspa", None, username="r_nspa"),
        "secretariat": make_user("secretariat", None, username="r_secretariat"),
        "board_member": make_user("board_member", None, username="r_board"),
        "partner": make_user("partner", "UKR", username="r_partner"),
        "superuser": make_user(None, None, username="r_admin", is_superuser=True, is_staff=True),
        "no_role": make_user(None, None, username="r_none"),
    }
    assert tuple(users) == ROLES
    return users


@pytest.fixture
def matrix_users(users_by_role, make_user):
    """``users_by_role`` and ``director_other``, a director of another nation (France): the
    visitors of the URL matrix (tests/matrix.py)."""
    return {**users_by_role, OTHER_DIRECTOR: make_user("director", "FRA", username="r_director_fra")}


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    """Meeting documents (boards) go to a temporary folder in every test, never the repository's
    data folder: the URL matrix and the browser journeys upload too."""
    root = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "boards_documents": {
            "BACKEND": "boards.models.documents.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture(autouse=True, scope="session")
def _end_stray_sessions(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end connections that threads left open (the live
    server's request threads, in-thread Celery workers): otherwise PostgreSQL refuses the drop and
    the database is left behind. Runs before ``django_db_setup``'s own teardown, which needs it."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        test_db = connection.settings_dict["NAME"]
        # Only ever the test database: a developer's own server may be connected to the real one.
        if connection.vendor != "postgresql" or test_db in _REAL_DB_NAME:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND datname = current_database() AND pid <> pg_backend_pid()",
                [test_db],
            )

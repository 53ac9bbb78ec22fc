"""URL matrix rows for the core: the shell pages, sign-in, the language switch and the core API."""

from portal.tests.factories import JobRunFactory
from tests.matrix import ROLES, Row

SIGNED_IN_OK = dict.fromkeys(ROLES, 200)
SIGNED_IN_405 = {"anonymous": 302, **dict.fromkeys(ROLES, 405)}
NOTIFIED = {**SIGNED_IN_OK, "no_role": 403}

ROWS = [
    Row("home", "GET", {"anonymous": 302, **SIGNED_IN_OK}, queries={"director": 16, "nspa": 8}),
    Row("health", "GET", {"anonymous": 200, **SIGNED_IN_OK}, queries={"director": 4, "nspa": 4}),
    Row("activity", "GET", {"anonymous": 302, **SIGNED_IN_OK}, queries={"director": 6, "nspa": 5}),
    # A user granted nothing on jobs has none to follow; the others see theirs (build_context).
    Row(
        "jobs", "GET", {"anonymous": 302, **SIGNED_IN_OK, "no_role": 403}, queries={"director": 6, "nspa": 4}
    ),
    # The session, the user and the user's nation: the grants in words come from the rules alone.
    Row("profile", "GET", {"anonymous": 302, **SIGNED_IN_OK}, queries={"director": 3, "nspa": 2}),
    *[Row(name, "POST", SIGNED_IN_405) for name in ("home", "activity", "jobs")],
    # Everyone's own preferences: saved, audited, and back to the profile page.
    Row(
        "profile",
        "POST",
        {"anonymous": 302, **dict.fromkeys(ROLES, 302)},
        data={"time_zone": "Europe/Brussels"},
        audit=True,
    ),
    Row(
        "profile",
        "POST",
        {"anonymous": 302, **dict.fromkeys(ROLES, 400)},
        data={"time_zone": "Mars/Olympus_Mons"},
        variant="unknown-zone",
    ),
    # The notification centre: everyone's own (build_context gives each visitor one). A user
    # granted nothing (no role) has none: the centre and its actions are refused, as /jobs/ is.
    Row("notification-list", "GET", {"anonymous": 302, **NOTIFIED}, queries={"director": 5, "nspa": 4}),
    Row(
        "notification-list",
        "GET",
        {"anonymous": 302, **NOTIFIED},
        query="unread=1",
        variant="unread",
        queries={"director": 5},
    ),
    Row("notification-list", "POST", SIGNED_IN_405),
    # Marking one read is written to the trail, on the reader's own record, as mark-all is.
    # Another user's notification is a 404, as one that does not exist.
    Row(
        "notification-read",
        "POST",
        {"anonymous": 302, **dict.fromkeys(ROLES, 404), "secretariat": 302, "no_role": 403},
        kwargs=lambda ctx: {"pk": ctx["notification"].pk},
        audit=True,
    ),
    Row(
        "notification-read",
        "GET",
        {"anonymous": 302, **dict.fromkeys(ROLES, 405)},
        kwargs=lambda ctx: {"pk": 1},
    ),
    Row(
        "notification-read-all",
        "POST",
        {"anonymous": 302, **dict.fromkeys(ROLES, 302), "no_role": 403},
        audit=True,
    ),
    Row("notification-read-all", "GET", SIGNED_IN_405),
    Row(
        "notification-preferences",
        "GET",
        {"anonymous": 302, **NOTIFIED},
        queries={"director": 4, "nspa": 3},
    ),
    Row(
        "notification-preferences",
        "POST",
        {"anonymous": 302, **dict.fromkeys(ROLES, 302), "no_role": 403},
        data=lambda ctx: _channels(plan_accepted="digest"),
        variant="valid",
        audit=True,
    ),
    Row(
        "notification-preferences",
        "POST",
        {"anonymous": 302, **dict.fromkeys(ROLES, 400), "no_role": 403},
        data=lambda ctx: _channels(plan_returned="off"),
        variant="compulsory-off",
    ),
    # The signed link is the authority, signed in or not (mail clients POST it without a session).
    Row(
        "notification-unsubscribe",
        "GET",
        {"anonymous": 200, **SIGNED_IN_OK},
        kwargs=lambda ctx: {"token": ctx["unsubscribe_token"]},
        queries={"anonymous": 1, "director": 4},
    ),
    Row(
        "notification-unsubscribe",
        "POST",
        {"anonymous": 200, **SIGNED_IN_OK},
        kwargs=lambda ctx: {"token": ctx["unsubscribe_token"]},
        audit=True,
        audit_actor="secretariat",  # the link's owner, not whoever follows it
    ),
    Row(
        "notification-unsubscribe",
        "GET",
        {"anonymous": 404, **dict.fromkeys(ROLES, 404)},
        kwargs=lambda ctx: {"token": "forged"},
        variant="forged",
    ),
    Row("login", "GET", {"anonymous": 200, **dict.fromkeys(ROLES, 302)}, queries={"anonymous": 0}),
    # An empty sign-in form is shown again with its errors; signed-in users are sent home.
    Row("login", "POST", {"anonymous": 200, **dict.fromkeys(ROLES, 302)}),
    # Django's form views treat PUT as POST.
    Row("login", "PUT", {"anonymous": 200, **dict.fromkeys(ROLES, 302)}),
    # Logging out is a POST; a GET is refused (anonymous visitors are sent to log in first).
    Row("logout", "GET", {"anonymous": 302, **dict.fromkeys(ROLES, 405)}),
    # Signing out writes no audit row; the matrix signs the user in again after it.
    Row("logout", "POST", {"anonymous": 302, **dict.fromkeys(ROLES, 302)}, audit=False),
    # The language is a cookie, not a record: nothing to audit. A GET only redirects.
    Row("set_language", "POST", {"anonymous": 302, **dict.fromkeys(ROLES, 302)}, audit=False),
    Row("set_language", "GET", {"anonymous": 302, **dict.fromkeys(ROLES, 302)}, audit=False),
    Row("api-me", "GET", {"anonymous": 401, **SIGNED_IN_OK}, queries={"director": 3, "nspa": 3}),
    Row("api-schema", "GET", {"anonymous": 401, **SIGNED_IN_OK}, queries={"director": 2, "nspa": 2}),
    Row("api-docs", "GET", {"anonymous": 302, **SIGNED_IN_OK}, queries={"director": 2, "nspa": 2}),
    Row("nation-list", "GET", {"anonymous": 401, **SIGNED_IN_OK}, queries={"director": 4, "nspa": 4}),
    # A user without a role is granted nothing, not even the list of nations.
    Row(
        "nation-detail",
        "GET",
        {"anonymous": 401, **SIGNED_IN_OK, "no_role": 404},
        kwargs=lambda ctx: {"code": "POL"},
        queries={"director": 3, "nspa": 3},
    ),
    Row("jobrun-list", "GET", {"anonymous": 401, **SIGNED_IN_OK}, queries={"director": 4, "nspa": 4}),
    # The secretariat's job: others get the same 404 as for a job that does not exist.
    Row(
        "jobrun-detail",
        "GET",
        {"anonymous": 401, **dict.fromkeys(ROLES, 404), "secretariat": 200, "nspa": 200, "superuser": 200},
        kwargs=lambda ctx: {"pk": ctx["job"].pk},
        queries={"nspa": 3},
    ),
]


def _channels(**chosen) -> dict:
    from portal.notifications import KINDS

    return {kind: chosen.get(kind, spec.default) for kind, spec in KINDS.items()}


def _notification(user):
    from django.contrib.contenttypes.models import ContentType

    from portal.models import Notification

    return Notification.objects.create(
        recipient=user,
        kind="plan_accepted",
        content_type=ContentType.objects.get_for_model(user),
        object_id=str(user.pk),
        params={"object": "Matrix plan", "actor": "Matrix"},
        url="/",
    )


def build_context(users_by_role) -> dict:
    # A job and an unread notification of every visitor's own: an empty page skips its query,
    # which would hide growth.
    from portal.notifications import recount_unread, unsubscribe_token

    for user in users_by_role.values():
        JobRunFactory(requested_by=user)
        _notification(user)
    recount_unread(user.pk for user in users_by_role.values())
    secretariat = users_by_role["secretariat"]
    return {
        "job": JobRunFactory(requested_by=secretariat),
        "notification": _notification(secretariat),
        "unsubscribe_token": unsubscribe_token(secretariat.pk, "plan_accepted"),
    }


def grow(context) -> None:
    """More jobs, audit rows and nations: what the shell pages and the core API list."""
    from portal.models import Nation
    from portal.tests.test_audit import make_change

    for user in context["users"].values():
        JobRunFactory(requested_by=user)
        make_change(user)
        _notification(user)
    Nation.objects.create(code="ZZM", name="Matrixland", kind="partner")

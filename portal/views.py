"""Core pages: the home page per role, health, the activity trail, job runs, one's API tokens,
one's profile and error pages."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import notifications, selectors, services, workspace
from portal.filtersets import JobRunFilterSet, ObjectChangeFilterSet
from portal.forms import NotificationPreferencesForm, PreferencesForm
from portal.models import JobRun, Notification, ObjectChange, User
from portal.permissions import VIEW, access_in_words, may, reads_all, scope_label
from portal.rules import home_panels, home_template
from portal.selectors import jobrun_latest, jobrun_list, objectchange_list, token_list
from portal.web import add_service_errors, scope_errors

PAGE_SIZE = 25


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "panels": workspace.panels(user, timezone.localdate(), home_panels(user)),
        "recent_changes": list(objectchange_list(user=user)[:5]),
        # The jobs panel is for those who read every job, not only their own.
        "show_jobs": reads_all(user, JobRun),
    }
    if context["show_jobs"]:
        context["recent_jobs"] = list(jobrun_list(user=user)[:5])
    return render(request, home_template(user), context)


def _paginated_list(
    request, queryset, filterset_class, template: str, extra: dict | None = None
) -> HttpResponse:
    filterset = filterset_class(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, template, {"filter": filterset, "page": page, "query": query.urlencode(), **(extra or {})}
    )


@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    return _paginated_list(
        request,
        objectchange_list(user=request.user),
        ObjectChangeFilterSet,
        "portal/activity.html",
        {"trail_scope": scope_label(request.user, ObjectChange, VIEW)},
    )


@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    """The background jobs: for the roles that run the portal's jobs (the menu links here for
    them only), and for anyone else who has requested one, their own. Nobody else has any."""
    runs = jobrun_list(user=request.user)
    if not reads_all(request.user, JobRun) and not runs.exists():
        raise PermissionDenied
    return _paginated_list(request, runs, JobRunFilterSet, "portal/jobs.html")


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens. A POST creates one and shows its key in this response
    only: it is not stored anywhere it could be shown again (not even in a flash message)."""
    created = None
    if request.method == "POST":
        token, key = services.token_create(actor=request.user)
        created = {"key": key, "expiry": token.expiry}
    return render(
        request,
        "portal/tokens.html",
        {
            "tokens": token_list(user=request.user),
            "created": created,
            "ttl_days": settings.API_TOKEN_TTL_DAYS,
        },
    )


@require_POST
def api_token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    with scope_errors():
        services.token_revoke(actor=request.user, prefix=prefix)
    messages.success(request, _("API token %(prefix)s… revoked.") % {"prefix": prefix})
    return redirect("api-tokens")


@require_POST
def api_tokens_revoke_all(request: HttpRequest) -> HttpResponse:
    revoked = services.token_revoke_all(actor=request.user)
    message = ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked)
    messages.success(request, message % {"count": revoked})
    return redirect("api-tokens")


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "absent"
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        retry_on_timeout=False,
    )
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return "down"
    finally:
        client.close()
    return "ok"


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: 503 only when the database is unreachable (nothing can be
    served); 200 "degraded" when Redis is down (pages work, jobs wait in the outbox)."""
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any driver error means "down" to the probe
        database = "down"
    redis_state = _check_redis()
    last_job = None
    if database == "ok":
        run = jobrun_latest()
        if run is not None:
            last_job = {
                "name": run.job_name,
                "state": run.state,
                "created_at": run.created_at.isoformat(),
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            }
    if database != "ok":
        status, code = "down", 503
    elif redis_state == "down":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse(
        {
            "status": status,
            "database": database,
            "redis": redis_state,
            "last_job": last_job,
            "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
        },
        status=code,
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {
                "detail": message,
                "code": title.lower().replace(" ", "_"),
                "request_id": getattr(request, "request_id", ""),
            },
            status=status,
        )
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def page_not_found(request, exception=None):
    return _error(request, 404, "Not found", "There is nothing at this address, or you may not see it.")


def permission_denied(request, exception=None):
    return _error(request, 403, "Forbidden", "You do not have permission to do this.")


def bad_request(request, exception=None):
    return _error(request, 400, "Bad request", "The request could not be understood.")


def server_error(request):
    message = "Something went wrong on our side. It has been logged; quote the request id."
    if _wants_json(request):
        return _error(request, 500, "Server error", message)
    # Rendered without context processors: they read the session and user, and the database may
    # be the thing that failed.
    html = loader.get_template("error.html").render(
        {
            "status": 500,
            "title": "Server error",
            "message": message,
            "request_id": getattr(request, "request_id", ""),
        }
    )
    return HttpResponse(html, status=500)


def csrf_failure(request, reason=""):
    return _error(
        request,
        403,
        "Forbidden",
        "Your form expired or came from another site. Reload the page and try again; nothing was saved.",
    )


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Who the signed-in user is, what they may do, in words (the rules' grants), and their own
    preferences (a POST saves them)."""
    form = PreferencesForm(
        request.POST or None,
        initial={"time_zone": request.user.time_zone, "language": request.user.language},
    )
    if form.is_bound and form.is_valid():
        with scope_errors():
            services.preferences_update(
                actor=request.user,
                time_zone=form.cleaned_data["time_zone"],
                language=form.cleaned_data["language"] if "language" in request.POST else None,
            )
        messages.success(request, _("Your preferences are saved."))
        return redirect("profile")
    return render(
        request,
        "portal/profile.html",
        {"access": access_in_words(request.user), "form": form, "now": timezone.now()},
        status=400 if form.is_bound else 200,
    )


# --- Notifications -----------------------------------------------------------------------------

NOTIFICATION_PAGE_SIZE = 30


def _may_have_notifications(request: HttpRequest) -> None:
    """A user granted nothing (no role) is told nothing (notify() keeps only who may see the
    object): the centre and its actions are refused, as /jobs/ is."""
    if not may(request.user, Notification, VIEW):
        raise PermissionDenied


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The notification centre: the user's own notifications, newest first; ``?unread=1`` keeps
    the unread ones."""
    _may_have_notifications(request)
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notification_list(user=request.user, unread=unread_only).select_related("content_type")
    page = Paginator(rows, NOTIFICATION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/notifications/list.html",
        {
            "page": page,
            "unread_only": unread_only,
            "query": "unread=1" if unread_only else "",
            "entries": [(n, notifications.render_text(n)) for n in page.object_list],
        },
    )


def _back_to_centre(request: HttpRequest) -> HttpResponse:
    # Back to the page of the centre the form was on (a local path only).
    target = request.POST.get("next", "")
    if target.startswith("/notifications/") and "//" not in target:
        return redirect(target)
    return redirect("notification-list")


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read; another user's id changes nothing (404)."""
    _may_have_notifications(request)
    if not selectors.notification_list(user=request.user).filter(pk=pk).exists():
        return page_not_found(request, None)
    services.notifications_mark_read(actor=request.user, ids=[pk])
    return _back_to_centre(request)


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    _may_have_notifications(request)
    marked = services.notifications_mark_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", marked)
        % {"count": marked},
    )
    return _back_to_centre(request)


@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """How the user gets each kind by email: at once, in the daily digest, or not at all."""
    _may_have_notifications(request)
    channels = selectors.notification_channels(user=request.user)
    form = NotificationPreferencesForm(request.POST or None, channels=channels)
    if form.is_bound and form.is_valid():
        try:
            services.notification_preferences_update(actor=request.user, channels=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notification-preferences")
    return render(
        request,
        "portal/notifications/preferences.html",
        {"form": form, "email": request.user.email},
        status=400 if form.is_bound else 200,
    )


@login_not_required
@csrf_exempt  # the signed token in the URL is the authority, and mail clients POST it (RFC 8058)
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop one optional kind's mails from the link in a mail, signed in or not. A GET asks for
    confirmation (link scanners follow GETs); the POST, from the page or the mail client's
    one-click, does it."""
    found = notifications.read_unsubscribe_token(token)
    user = User.objects.filter(pk=found[0], is_active=True).first() if found else None
    if user is None:
        return _error(
            request,
            404,
            _("Link not valid"),
            _("This unsubscribe link is not valid. Change your emails on your notification preferences."),
        )
    kind = notifications.KINDS[found[1]]
    done = False
    if request.method == "POST":
        done = services.notification_unsubscribe(user=user, kind=kind.key)
    return render(
        request,
        "portal/notifications/unsubscribe.html",
        {"kind": kind, "done": done, "token": token, "recipient": user},
    )

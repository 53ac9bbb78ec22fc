"""What every app's web views share: object lookup for a request (``get_for``), the list page with
its exports (``list_page``, ``list_view``), the form page that hands valid input to a service
(``form_page``, ``create_view``, ``run_service``), and service errors shown as HTTP errors or on forms.

Generic in the app: URL names are given in full (``"procurement:item-list"``) and the templates are
``portal/list.html`` and ``portal/form.html``, so a new app uses these without importing a sibling.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal import aggregates
from portal.exceptions import Conflict, Forbidden, NotFound
from portal.exports import FORMATS, HEADERS, LABELS, MAX_EXPORT_ROWS, export_response, table_export
from portal.permissions import ADD, VIEW, may, scope_label
from portal.selectors import nation_list

PAGE_SIZE = 25
FORM_METHODS = require_http_methods(["GET", "POST"])


# --- Errors ---------------------------------------------------------------------------------


@contextmanager
def scope_errors() -> Iterator[None]:
    """Services' scope errors as the pages' 403 and 404."""
    try:
        yield
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


def add_service_errors(
    form, error: ValidationError, field_for: Callable[[str], tuple | None] | None = None
) -> None:
    """Put a service's ``ValidationError`` on the form: keyed messages on the matching field (a
    foreign key's ``nation_id`` on ``nation``; ``field_for(key)`` may name another ``(form, field)``),
    the rest (``lines``, ``__all__``...) at the top. The user's input stays in the bound form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages_ in error.message_dict.items():
        target = field_for(key) if field_for else None
        if target is not None:
            target_form, field = target
            target_form.add_error(field, messages_)
            continue
        field = key if key in form.fields else key.removesuffix("_id")
        form.add_error(field if field in form.fields else None, messages_)


# --- Objects for a request --------------------------------------------------------------------


def get_for(
    request: HttpRequest,
    selector: Callable,
    pk,
    action: str | tuple[type[Model], str] = VIEW,
):
    """The object ``pk`` as ``selector`` gives it to ``request.user``, for ``action``.

    ``selector`` is an app's ``<entity>_list(*, user)`` (a scoped queryset) or ``<entity>_get(*, user,
    pk)`` (which raises 404 itself). An object the user may not see is a 404, the same as one that
    does not exist. ``action`` is what the page is for: ``VIEW`` (the default) asks nothing more; an
    action (``CHANGE``) must be granted on the object's model, and ``(Model, action)`` on another
    model, for a page that makes a row under this one (``(CallOff, ADD)`` on a framework); else 403.
    The grant is the model-level ``may`` that menus and buttons ask; the service re-checks the row.
    """
    user = request.user
    if "pk" in inspect.signature(selector).parameters:
        obj = selector(user=user, pk=pk)
    else:
        obj = get_object_or_404(selector(user=user), pk=pk)
    model, wanted = action if isinstance(action, tuple) else (type(obj), action)
    if wanted != VIEW and not may(user, model, wanted):
        raise PermissionDenied
    return obj


def require(user, model: type[Model], action: str) -> None:
    """403 unless ``user`` holds a grant for ``action`` on ``model`` (a page about no one row)."""
    if not may(user, model, action):
        raise PermissionDenied


def acting_nation(request: HttpRequest, model: type[Model], action: str):
    """The nation a page files for: the user's own when their ``action`` on ``model`` covers only
    their own nation (a director; another nation in ``?nation=`` is a 403); else the one they pick
    by code in ``?nation=`` (404 when they may not see it), or None until they pick."""
    user = request.user
    code = request.GET.get("nation", "").strip().upper()
    if scope_label(user, model, action) == "own_nation":
        if code and code != user.nation.code:
            raise PermissionDenied
        return user.nation
    if not code:
        return None
    return get_object_or_404(nation_list(user=user), code=code)


def post_data(request: HttpRequest):
    """The data to bind a form to: the POST on a POST, else nothing (an unbound form)."""
    return request.POST if request.method == "POST" else None


def detail_url(name: str) -> Callable[[Model], str]:
    """``success_url`` for a form whose result has a detail page named ``name`` (in full)."""
    return lambda obj: reverse(name, kwargs={"pk": obj.pk})


def initial_from(obj: Model, form_class) -> dict:
    """A form's initial values read from the fields of ``obj`` it has."""
    return {name: getattr(obj, name) for name in form_class.base_fields}


# --- Lists and exports ----------------------------------------------------------------------


def query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def export_refusal(request: HttpRequest, *, valid: bool, count: Callable[[], int]) -> HttpResponse | None:
    """Why ``?export=`` cannot be served, as a redirect back with a message (an unknown format or
    header, invalid filters, more rows than an export holds), or None when it can."""
    back = f"{request.path}?{query_without(request, 'export', 'header')}"
    if request.GET.get("export") not in FORMATS:
        messages.error(request, _("Choose CSV or XLSX to export."))
        return redirect(back)
    if request.GET.get("header", LABELS) not in HEADERS:
        messages.error(request, _("Choose labels or names for the export's header row."))
        return redirect(back)
    if not valid:
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(back)
    rows = count()
    if rows > MAX_EXPORT_ROWS:
        messages.error(
            request,
            _("%(count)s rows match; an export holds at most %(max)s. Narrow the filters and try again.")
            % {"count": f"{rows:,}", "max": f"{MAX_EXPORT_ROWS:,}"},
        )
        return redirect(back)
    return None


def list_page(
    request: HttpRequest,
    *,
    model: type[Model],
    queryset,
    filterset_class,
    table_class,
    title: str,
    export_stem: str,
    create_url: str = "",
    links: tuple[tuple[str, str], ...] = (),
    template: str = "portal/list.html",
    extra_context: Callable[[QuerySet], dict] | None = None,
) -> HttpResponse:
    """A filtered, sortable, paginated list; ``?export=csv|xlsx`` downloads every filtered row
    (``portal.exports``), headed by the columns' labels or, with ``&header=names``, their names.
    ``links`` are ``(url, label)`` pairs shown beside the ``create_url`` button; ``extra_context``
    gives a page's own context from the filtered rows (a chart over the same rows as the table)."""
    require(request.user, model, VIEW)
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    table = table_class(filterset.qs)
    table.request = request
    order_by = request.GET.getlist(table.prefixed_order_by_field)
    if order_by:
        table.order_by = order_by
    fmt = request.GET.get("export")
    if fmt:
        refused = export_refusal(
            request, valid=not (filterset.is_bound and not filterset.is_valid()), count=table.data.data.count
        )
        if refused is not None:
            return refused
        header = request.GET.get("header", LABELS)
        columns, rows = table_export(table)
        return export_response(
            f"{export_stem}-{timezone.now():%Y%m%d}", columns, rows, fmt, header=header, title=title
        )
    try:
        table.paginate(per_page=PAGE_SIZE, page=request.GET.get("page", 1))
    except PageNotAnInteger:
        table.paginate(per_page=PAGE_SIZE, page=1)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    return render(
        request,
        template,
        {
            "title": title,
            "filter": filterset,
            "table": table,
            "export_query": query_without(request, "export", "header", "page"),
            "create_url": create_url,
            "links": links,
            # Rows whose aggregate figures the selector withheld from this reader (portal.aggregates).
            "withheld": sum(
                1 for row in table.page.object_list if getattr(row.record, "figures_withheld", False)
            ),
            "minimum": aggregates.minimum(),
            **(extra_context(filterset.qs) if extra_context else {}),
        },
    )


def list_view(
    *,
    model: type[Model],
    selector: Callable,
    filterset_class,
    table_class,
    title,
    export_stem: str,
    create: str = "",
    links: tuple = (),
):
    """A list page's view over ``selector(user=...)``. ``create`` is the full URL name of the create
    form, shown to users who may add; ``links`` are ``(model, action, URL name, label)``, each shown
    to users who may."""

    @require_GET
    def view(request):
        user = request.user
        return list_page(
            request,
            model=model,
            queryset=selector(user=user),
            filterset_class=filterset_class,
            table_class=table_class,
            title=title,
            export_stem=export_stem,
            create_url=reverse(create) if create and may(user, model, ADD) else "",
            links=tuple(
                (reverse(name), label)
                for link_model, action, name, label in links
                if may(user, link_model, action)
            ),
        )

    return view


# --- Forms ----------------------------------------------------------------------------------


def run_service(form, call: Callable[[], object], field_for=None) -> tuple[object, int]:
    """Call a service for a valid form: ``(result, 200)``, or ``(None, status)`` with the errors
    on the form (400 invalid, 409 conflict). Forbidden and not-found become 403 and 404 pages."""
    try:
        with scope_errors():
            return call(), 200
    except ValidationError as exc:
        add_service_errors(form, exc, field_for)
        return None, 400
    except Conflict as exc:
        form.add_error(None, exc.message)
        # What the page says changed (a stale version names the fields, by their labels here).
        form.conflict = exc
        form.conflict_fields = [
            str(form.fields[name].label) if name in form.fields else name
            for name in exc.detail.get("changed_fields", ())
        ]
        return None, 409


def form_page(
    request: HttpRequest,
    form,
    call: Callable[[dict], object],
    *,
    title: str,
    success_url: Callable[[object], str],
    success_message: str,
    cancel_url: str,
    intro: str = "",
    template: str = "portal/form.html",
    context: dict | None = None,
) -> HttpResponse:
    """GET shows ``form``; POST validates it and hands ``form.service_kwargs()`` to ``call`` (a
    service), then redirects to ``success_url(result)``; errors stay on the form (400, 409).
    ``context`` is what a page's own ``template`` shows beside the form."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result, status = run_service(form, lambda: call(form.service_kwargs()))
            if result is not None:
                messages.success(request, success_message)
                return redirect(success_url(result))
        else:
            status = 400
    page = {**(context or {}), "form": form, "title": title, "cancel_url": cancel_url, "intro": intro}
    return render(request, template, page, status=status)


def create_view(
    *,
    model: type[Model],
    form_class,
    service: Callable,
    title,
    success_url: Callable[[object], str],
    cancel: str,
    prepare: Callable | None = None,
):
    """A create form for ``model``: the form's cleaned data goes to ``service(actor=..., **data)``.
    ``cancel`` is the full URL name to go back to; ``prepare(form, user)`` may narrow the form's
    choices to what the user may see."""

    @FORM_METHODS
    def view(request):
        user = request.user
        require(user, model, ADD)
        form = form_class(post_data(request))
        if prepare is not None:
            prepare(form, user)
        return form_page(
            request,
            form,
            lambda data: service(actor=user, **data),
            title=title,
            success_url=success_url,
            success_message=_("Saved."),
            cancel_url=reverse(cancel),
        )

    return view

"""PDFs drawn by WeasyPrint from portal-rendered HTML: a plan, the DIP compliance report, a
meeting's approved minutes.

WeasyPrint fetches the stylesheets, images and fonts a page names; here it may fetch only the
portal's own static files (found through the staticfiles finders, as in development), and nothing
else: no network, no ``file://``, no ``data:``. Documents put their classification banner on every
page, top and bottom, from ``@page`` margin boxes, and are tagged (PDF/UA-1) in the reader's
language.
"""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.exports import download

# An origin that never resolves (.invalid is reserved, RFC 2606): relative links in the PDF's HTML
# are joined to it, and the fetcher maps it onto the static files, never onto the network.
STATIC_ORIGIN = "https://portal-static.invalid"
PDF_VARIANT = "pdf/ua-1"
# The banner of a document whose own marking is blank.
DEFAULT_CLASSIFICATION = "NATO UNCLASSIFIED"


class ResourceRefused(ValueError):
    """The PDF asked for something that is not one of the portal's static files."""


@dataclass(frozen=True)
class StaticResource:
    url: str
    content: bytes
    mime_type: str


def fetch_static(url: str) -> StaticResource:
    """The static file ``url`` names (``STATIC_ORIGIN`` + ``STATIC_URL`` + path); refuse all else."""
    parts = urlsplit(url)
    prefix = settings.STATIC_URL
    if f"{parts.scheme}://{parts.netloc}" != STATIC_ORIGIN or not parts.path.startswith(prefix):
        raise ResourceRefused(f"Only the portal's static files may be used in a PDF, not {url[:100]!r}.")
    relative = unquote(parts.path[len(prefix) :])
    normalised = posixpath.normpath(relative)
    if normalised != relative or normalised.startswith(("/", "..")) or "\\" in relative or "\x00" in relative:
        raise ResourceRefused(f"Not a static file path: {relative[:100]!r}.")
    found = finders.find(normalised)
    if not found or isinstance(found, list):
        raise ResourceRefused(f"No static file {normalised!r}.")
    with open(found, "rb") as handle:
        content = handle.read()
    mime_type = mimetypes.guess_type(normalised)[0] or "application/octet-stream"
    return StaticResource(url=url, content=content, mime_type=mime_type)


def weasyprint_url_fetcher():
    """``fetch_static`` in the shape the installed WeasyPrint expects: a ``URLFetcher`` subclass
    since version 68, a function returning a dict before."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcherResponse"):

        class StaticOnlyFetcher(urls.URLFetcher):
            def fetch(self, url, headers=None):
                resource = fetch_static(url)
                return urls.URLFetcherResponse(
                    resource.url, body=resource.content, headers={"Content-Type": resource.mime_type}
                )

        return StaticOnlyFetcher(allowed_protocols=("https",))

    def fetcher(url):
        resource = fetch_static(url)
        return {"string": resource.content, "mime_type": resource.mime_type, "redirected_url": resource.url}

    return fetcher


def render_html_pdf(html: str) -> bytes:
    """Portal-rendered HTML (a plan, the DIP report, minutes) as PDF bytes, fetching only local
    static files. Imports WeasyPrint here: an ``ImportError`` or ``OSError`` (no Pango) means PDF
    export is unavailable on this machine, which ``pdf_download`` reports."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=f"{STATIC_ORIGIN}/", url_fetcher=weasyprint_url_fetcher())
    # PDF/UA-1: tagged (headings, tables, lists), with the document's language and title.
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def pdf_download(request: HttpRequest, render_pdf: Callable[[], bytes], stem: str, instead: str):
    """The PDF ``render_pdf()`` makes, as the download ``stem.pdf``; a 503 page suggesting
    ``instead`` when this server cannot load WeasyPrint (it needs the Pango library)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        message = _(
            "PDF export is not available on this server (WeasyPrint or its Pango library is missing)."
        )
        return render(
            request,
            "error.html",
            {"status": 503, "title": _("PDF export unavailable"), "message": f"{message} {instead}"},
            status=503,
        )
    return download(render_pdf(), "application/pdf", stem, "pdf")

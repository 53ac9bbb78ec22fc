"""A meeting document's download (the only way its bytes leave the storage), and a meeting's
approved minutes as PDF."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from boards import selectors, services
from boards.documents import download_response
from boards.forms import DocumentForm
from boards.models import Document
from portal.pdf import DEFAULT_CLASSIFICATION, pdf_download, render_html_pdf
from portal.permissions import ADD
from portal.web import FORM_METHODS, form_page, get_for


@require_GET
def document_download(request, pk: int):
    """The document as an attachment, under the name it was uploaded with and as the type its
    content was found to be, never sniffed by the browser nor kept by a cache. A document the
    reader may not see is the same 404 as one that does not exist."""
    return download_response(get_for(request, selectors.document_list, pk))


@FORM_METHODS
def document_upload(request, pk: int):
    """Attach a PDF, DOCX or XLSX to meeting ``pk`` or one of its agenda items."""
    user = request.user
    meeting = get_for(request, selectors.meeting_detail, pk, (Document, ADD))
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        agenda=meeting.agenda_items.all(),
    )
    return form_page(
        request,
        form,
        lambda data: services.document_upload(actor=user, meeting=meeting, **data),
        title=_("Add a document to %(meeting)s") % {"meeting": meeting},
        intro=_("PDF, Word (.docx) or Excel (.xlsx), up to %(size)s MB; the type is checked by content.")
        % {"size": settings.BOARDS_DOCUMENT_MAX_BYTES // (1024 * 1024)},
        success_url=lambda document: reverse("boards:meeting-detail", kwargs={"pk": meeting.pk}),
        success_message=_("Document added."),
        cancel_url=reverse("boards:meeting-detail", kwargs={"pk": meeting.pk}),
        template="boards/document_upload.html",
    )


@require_GET
def minutes_pdf(request, pk: int):
    """A meeting's approved minutes (the newest approved version: the record) as PDF, with the
    meeting's classification on every page. Drafts are never printed: a meeting without approved
    minutes the reader may see is a 404."""
    meeting = get_for(request, selectors.meeting_detail, pk)
    record = selectors.minutes_record(meeting)
    if record is None or not record.frozen:
        raise Http404
    html = render_to_string(
        "boards/minutes_pdf.html",
        {
            "meeting": meeting,
            "record": record,
            "classification": meeting.classification.strip() or DEFAULT_CLASSIFICATION,
            "agenda": list(meeting.agenda_items.all()),
            "attendance": list(meeting.attendance.all()),
        },
        request=request,
    )
    return pdf_download(
        request,
        lambda: render_html_pdf(html),
        f"minutes-{meeting.body.code}-{meeting.starts_at:%Y-%m-%d}-v{record.number}",
        _("Read the minutes on the meeting's page instead, or ask the administrators to install it."),
    )

"""Attaching documents to meetings and agenda items, and removing them.

Every check comes before the file is written: the actor's grant and the meeting's scope, the
agenda item, the file's size and content (``boards.documents``), the row's own validation and its
ADD scope. Only then are the bytes copied into the documents storage, as the last step of the
transaction, so a refused upload leaves neither a row nor a file behind. A removal deletes the
file once the transaction has committed, so a removal that rolls back keeps it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from boards.documents import clean_file_name, inspect_upload
from boards.models import AgendaItem, Document, Meeting
from portal.audit import record_change, snapshot
from portal.choices import AuditAction
from portal.permissions import ADD, DELETE, VIEW, ensure_added
from portal.services import ensure_may, locked_for

# What the trail keeps of a document: everything but where its bytes are stored.
_AUDITED = [field.name for field in Document._meta.concrete_fields if field.name != "file"]


@transaction.atomic
def document_upload(
    *, actor, meeting: Meeting, file, title: str = "", agenda_item: AgendaItem | None = None
) -> Document:
    """Attach ``file`` (an uploaded file) to ``meeting``, or to ``agenda_item`` of it. ``title``
    defaults to the file's name without its extension."""
    ensure_may(actor, Document, ADD)
    meeting = locked_for(meeting, actor=actor, action=VIEW)
    document = Document(meeting=meeting, agenda_item=agenda_item, uploaded_by=actor if actor.pk else None)
    document.clean()  # the agenda item, before a byte of the file is read
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    if not isinstance(file, File):
        file = File(file)
    name = clean_file_name(file.name or "")
    inspected = inspect_upload(file, name=name, max_bytes=settings.BOARDS_DOCUMENT_MAX_BYTES)
    document.title = (title or "").strip() or PurePosixPath(name).stem[:200]
    document.original_name = name
    document.kind, document.content_type = inspected.kind, inspected.content_type
    document.size, document.sha256 = inspected.size, inspected.sha256
    field = Document._meta.get_field("file")
    document.file.name = field.generate_filename(document, name)
    document.full_clean()
    document.save()
    ensure_added(actor, document, _("You may not add documents to this meeting."))
    record_change(actor=actor, obj=document, action=AuditAction.CREATE, after=snapshot(document, _AUDITED))
    _store(document, file, field.max_length)
    return document


def _store(document: Document, file: File, max_length: int) -> None:
    """Copy the upload's bytes under the document's name; a write that fails part-way leaves
    nothing behind (the transaction then drops the row)."""
    storage = document.file.storage
    try:
        stored = storage.save(document.file.name, file, max_length=max_length)
    except Exception:
        if storage.exists(document.file.name):
            storage.delete(document.file.name)
        raise
    if stored != document.file.name:
        # The storage chose another name (it would not overwrite): the row follows it.
        Document.objects.filter(pk=document.pk).update(file=stored)
        document.file.name = stored


@transaction.atomic
def document_remove(*, actor, document: Document) -> None:
    """Remove a document; its file is deleted from storage once the removal has committed."""
    document = locked_for(document, actor=actor, action=DELETE)
    record_change(actor=actor, obj=document, action=AuditAction.DELETE, before=snapshot(document, _AUDITED))
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name), robust=True)

"""Documents attached to a meeting or one of its agenda items: PDF, Word or Excel files, checked by
their content (``boards.documents``) and kept in the storage named ``boards_documents`` in
``settings.STORAGES``, under random names. They are read only through the boards download view,
which checks scope; the storage itself never gives out a URL."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from boards.documents import DocumentKind
from boards.models.meetings import AgendaItem, Meeting

STORAGE_ALIAS = "boards_documents"


@deconstructible(path="boards.models.documents.DocumentStorage")
class DocumentStorage:
    """The storage ``settings.STORAGES["boards_documents"]`` names, looked up at each use rather
    than once when the model is loaded, so that a deployment's S3 bucket or a test's temporary
    folder is the one written to."""

    def current(self):
        """The storage the setting names now."""
        return storages[STORAGE_ALIAS]

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.current(), name)


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder on local disk that nothing serves: documents leave it only through the download
    view, so asking it for a URL is a mistake to catch, not a link to build."""

    def url(self, name):
        raise NotImplementedError("Board documents have no URL; serve them with boards:document-download.")


def document_file_name(instance, filename: str) -> str:
    """A name nobody can guess (256 random bits) and that says nothing of the upload: the
    uploaded name is kept only in the row. The first two characters spread files over folders."""
    token = secrets.token_urlsafe(32)
    return f"{token[:2]}/{token}"


class Document(models.Model):
    """A file attached to a meeting, or to one of its agenda items. ``kind`` and ``content_type``
    are what its content was found to be at upload (and what it is served as); ``original_name``
    is the uploader's name for it (cleaned), given back on download; ``sha256`` identifies the
    bytes. Documents are added and removed, never edited: a new version is a new document."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="documents", verbose_name=_("meeting")
    )
    # A removed agenda item leaves its documents with the meeting.
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=DocumentKind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(
        _("file"), storage=DocumentStorage(), upload_to=document_file_name, max_length=200
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "uploaded_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_known"),
            # Removing a document deletes its file: no two rows may share one.
            models.UniqueConstraint(fields=["file"], name="document_file_once"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.agenda_item_id and self.meeting_id and self.agenda_item.meeting_id != self.meeting_id:
            raise ValidationError({"agenda_item": _("This agenda item belongs to another meeting.")})

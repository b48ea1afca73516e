"""Work notes, comments and attachments on any record.

A ``Note`` is either an internal *work note* (staff only) or a *comment* (visible to everyone who may
see the record, the requester included). An ``Attachment`` is a file kept outside the static files,
under a generated name, whose type was checked by its content. Both hang on their record through a
generic foreign key (like ``TransitionLog``), so every record type has them without a migration of
its own; both keep history, so an edited note or a removed attachment is never silent.

Writes go through the services at the end of this module (``note_add``, ``note_edit``,
``attachment_add``, ``attachment_remove``); the policy actions they ask are on the record itself:

========== ==================================================================================
``note``    add a work note (and read work notes): staff who may view the record
``comment`` add a comment: anyone who may view the record
``attach``  add an attachment: anyone the record's app allows (staff who may view it)
``change``  edit somebody else's note, remove somebody else's attachment
========== ==================================================================================
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import NoteKind

NOTE_MAX_LENGTH = 10_000


@deconstructible
class AttachmentStorage(FileSystemStorage):
    """Files under ``MEDIA_ROOT / "attachments"``, read from the settings when first used (so that a
    test's MEDIA_ROOT applies). Nothing serves this directory: downloads go through a view that asks
    the policy."""

    @cached_property
    def base_location(self) -> str:  # type: ignore[override]
        return os.path.join(settings.MEDIA_ROOT, "attachments")


attachment_storage = AttachmentStorage()


def attachment_path(instance: Any, filename: str) -> str:
    """A generated name: never the uploader's file name on disk (``ab/ab12…ef``, no extension)."""
    name = uuid.uuid4().hex
    return f"{name[:2]}/{name}"


class Note(models.Model):
    """A work note (internal: staff only) or a comment (visible to the requester) on a record.

    Plain text, rendered escaped. An edit keeps the old text in history with the editor and the
    reason "edit"; ``edited_at`` tells readers that the text changed.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("record id"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=20, choices=NoteKind.choices, default=NoteKind.WORK_NOTE)
    body = models.TextField(_("text"), max_length=NOTE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"], name="itsm_note_record_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NoteKind.values), name="itsm_note_kind_valid"),
            models.CheckConstraint(condition=~Q(body=""), name="itsm_note_body_not_empty"),
            models.CheckConstraint(
                condition=Q(edited_at__isnull=True) | Q(edited_at__gte=models.F("created_at")),
                name="itsm_note_edited_after_created",
            ),
        ]

    def __str__(self) -> str:
        text = " ".join(self.body.split())
        return f"{self.get_kind_display()}: {text[:60]}{'…' if len(text) > 60 else ''}"

    def get_absolute_url(self) -> str:
        record = self.record
        base = record.get_absolute_url() if record is not None else reverse("dashboard")
        return f"{base}?tab=notes#note-{self.pk}"

    @property
    def is_work_note(self) -> bool:
        return self.kind == NoteKind.WORK_NOTE


class Attachment(models.Model):
    """A file attached to a record: stored under a generated name, its type checked by its content.

    ``mime_type`` is what the content was detected as (never what the uploader claimed), ``sha256``
    lets anyone check later that the file on disk is the one uploaded. Removing an attachment keeps
    the row and the file (``removed_at``/``removed_by``, with history), so evidence is not lost.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("record id"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), storage=attachment_storage, upload_to=attachment_path, max_length=100)
    original_name = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "uploaded_at"], name="itsm_attachment_record_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(original_name=""), name="itsm_attachment_has_name"),
            models.CheckConstraint(condition=~Q(file=""), name="itsm_attachment_has_file"),
            models.CheckConstraint(
                condition=Q(Exact(Length("sha256"), 64)), name="itsm_attachment_sha256_length"
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                | Q(removed_at__isnull=False, removed_by__isnull=False),
                name="itsm_attachment_removed_with_actor",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("itsm:attachment_download", args=[self.pk])

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

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

import hashlib
import json
import os
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import NoteKind
from .history import save_with_history
from .policy import Check, is_staff_member, policy, target_label

NOTE_MAX_LENGTH = 10_000


@deconstructible
class AttachmentStorage(FileSystemStorage):
    """Files under ``MEDIA_ROOT / "attachments"``, read from the settings when first used (so that a
    test's MEDIA_ROOT applies). Nothing serves this directory: downloads go through a view that asks
    the policy."""

    @cached_property
    def base_location(self) -> str:
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


# Policy --------------------------------------------------------------------------------------------

NOTE_ACTIONS = {NoteKind.WORK_NOTE: "note", NoteKind.COMMENT: "comment"}


def _may_view(user: Any, record: Any) -> bool:
    return record is None or policy.allows(user, "view", record)


def staff_who_may_view(user: Any, record: Any) -> bool:
    """Default for work notes and attachments: a staff member who may see the record."""
    return is_staff_member(user) and _may_view(user, record)


def may_view(user: Any, record: Any) -> bool:
    """Default for comments: anyone who may see the record (the requester too)."""
    return _may_view(user, record)


def register_note_rules(
    model: type[models.Model],
    *,
    note: Check = staff_who_may_view,
    comment: Check = may_view,
    attach: Check = staff_who_may_view,
) -> None:
    """Give a record type its work notes, comments and attachments (call it in the app's
    ``permissions.py``); pass a check to widen or narrow one of them (e.g. let requesters attach)."""
    policy.register(model, "note", note)
    policy.register(model, "comment", comment)
    policy.register(model, "attach", attach)


def has_notes(model: type[models.Model]) -> bool:
    """Whether a record type takes notes and attachments (its app called ``register_note_rules``)."""
    return policy.has_rule(model, "comment")


def may_read_work_notes(user: Any, record: Any) -> bool:
    """Work notes are internal: staff members only (and only on records they may see)."""
    return is_staff_member(user) and _may_view(user, record)


# Content sniffing ----------------------------------------------------------------------------------

OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Never accepted, whatever ITSM_ATTACHMENT_TYPES says: they run, or render as active content.
ALWAYS_REFUSED = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-mach-binary",
    "application/java-vm",
    "text/x-script",
    "text/html",
    "image/svg+xml",
}
_MARKUP = re.compile(rb"^\s*<(!doctype\s+html|html|head|body|script|iframe|svg|\?xml)\b", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^[!-9;-~]+:[ \t]?.*$|^[ \t]+\S.*$")
_MAIL_HEADERS = {"from", "to", "subject", "date", "message-id", "received", "mime-version", "return-path"}
SNIFF_BYTES = 4096


def _zip_type(stream: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
            if "[Content_Types].xml" in names:
                for prefix, mime in OOXML_TYPES.items():
                    if any(name.startswith(prefix) for name in names):
                        return mime
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return "application/octet-stream"
    return "application/zip"


def _looks_like_mail(text: str) -> bool:
    head, _sep, _rest = text.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    if not lines or not all(_HEADER_LINE.match(line) for line in lines):
        return False
    names = {line.split(":", 1)[0].lower() for line in lines if not line[:1].isspace()}
    return len(names & _MAIL_HEADERS) >= 2


def _text_type(data: bytes, name: str) -> str:
    if b"\x00" in data:
        return "application/octet-stream"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "application/octet-stream"
    if data.startswith(b"#!"):
        return "text/x-script"
    if _MARKUP.match(data[:SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf")):
        lowered = data[:SNIFF_BYTES].lower()
        if b"<svg" in lowered:
            return "image/svg+xml"
        if lowered.lstrip().startswith(b"<?xml"):
            return "application/xml"
        return "text/html"
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            json.loads(stripped)
        except ValueError:
            pass
        else:
            return "application/json"
    if _looks_like_mail(text):
        return "message/rfc822"
    # The content proves it is text; only then may the name say which kind of text.
    if name.lower().endswith(".csv"):
        return "text/csv"
    return "text/plain"


def detect_type(stream: IO[bytes], name: str = "") -> str:
    """The MIME type of a file by its content (magic numbers; ZIP members for office formats; UTF-8
    for text), ``application/octet-stream`` when nothing matches. The name is only consulted to call
    proven text ``text/csv``."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"MZ"):
        return "application/x-msdownload"
    if head.startswith(b"\x7fELF"):
        return "application/x-executable"
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        return "application/x-mach-binary"
    if head.startswith(b"\xca\xfe\xba\xbe"):
        return "application/java-vm"
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_type(stream)
        stream.seek(0)
        return kind
    data = stream.read()
    stream.seek(0)
    return _text_type(data, name)


def allowed_types() -> set[str]:
    return set(settings.ITSM_ATTACHMENT_TYPES) - ALWAYS_REFUSED


def clean_file_name(name: str) -> str:
    """The uploader's file name as shown and offered on download: no folders, no control characters."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 254 - len(extension)]}.{extension}" if dot and len(extension) < 20 else name[:255]
    return name or "attachment"


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return gettext("%(size).1f MiB") % {"size": size / (1024 * 1024)}
    if size >= 1024:
        return gettext("%(size).1f KiB") % {"size": size / 1024}
    return gettext("%(size)d bytes") % {"size": size}


# Reads ---------------------------------------------------------------------------------------------


def _for_record(queryset: QuerySet[Any], record: models.Model) -> QuerySet[Any]:
    return queryset.filter(content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk))


def notes_for(record: models.Model, viewer: Any) -> QuerySet[Note]:
    """The notes of ``record`` that ``viewer`` may read, oldest first (work notes only for staff).
    The caller has already checked that the viewer may see the record."""
    notes = _for_record(Note.objects.select_related("author"), record)
    if not may_read_work_notes(viewer, record):
        notes = notes.filter(kind=NoteKind.COMMENT)
    return notes


def attachments_for(record: models.Model) -> QuerySet[Attachment]:
    """The attachments of ``record`` that were not removed, oldest first."""
    return _for_record(Attachment.objects.select_related("uploaded_by"), record).filter(
        removed_at__isnull=True
    )


def visible_record(user: Any, content_type: ContentType, object_id: str) -> models.Model | None:
    """The record behind a generic reference if it takes notes and ``user`` may see it, else None."""
    model = content_type.model_class()
    if model is None or not has_notes(model):
        return None
    queryset = policy.scope(user, "view", model._default_manager.all())
    try:
        return queryset.filter(pk=object_id).first()
    except (ValueError, ValidationError):
        return None


def attachment_for_download(user: Any, pk: int) -> Attachment | None:
    """The attachment if it exists, is not removed, and ``user`` may see its record; else None."""
    attachment = (
        Attachment.objects.select_related("content_type").filter(pk=pk, removed_at__isnull=True).first()
    )
    if attachment is None:
        return None
    if visible_record(user, attachment.content_type, attachment.object_id) is None:
        return None
    return attachment


# Hooks ---------------------------------------------------------------------------------------------

# Called as ``hook(note=…, record=…, actor=…)`` by ``note_add`` for every note added to a record of
# the type, inside the same transaction, whichever page, endpoint or task added it.
NoteHook = Callable[..., None]
_note_hooks: dict[str, list[NoteHook]] = {}


def register_note_hook(model: type[models.Model], hook: NoteHook) -> None:
    """Run ``hook`` after every note added to a record of ``model`` (e.g. to tell the requester of a
    comment). Call it once from the app's ``AppConfig.ready``; registering the same hook again is a
    no-op. The hook runs in ``note_add``'s transaction: its notifications are outbox rows that commit
    (or roll back) with the note."""
    hooks = _note_hooks.setdefault(target_label(model), [])
    if hook not in hooks:
        hooks.append(hook)


def note_hooks(model: type[models.Model] | models.Model) -> list[NoteHook]:
    return list(_note_hooks.get(target_label(model), ()))


# Writes --------------------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(
            {"body": [gettext("Write something first: the text is empty.")]}, code="required"
        )
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "body": [
                    gettext("The text is too long: %(length)d characters, at most %(max)d.")
                    % {"length": len(body), "max": NOTE_MAX_LENGTH}
                ]
            },
            code="max_length",
        )
    return body


@transaction.atomic
def note_add(*, record: models.Model, actor: Any, kind: str, body: str) -> Note:
    """Add a work note (``note`` permission) or a comment (``comment`` permission) to ``record``, then
    run the hooks registered for its type (``register_note_hook``)."""
    if kind not in NOTE_ACTIONS:
        raise ValidationError({"kind": [gettext("Choose a work note or a comment.")]}, code="invalid_choice")
    policy.require(actor, NOTE_ACTIONS[NoteKind(kind)], record)
    note = Note(
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        kind=kind,
        body=_clean_body(body),
        author=actor,
    )
    save_with_history(note, actor=actor, reason="create")
    for hook in note_hooks(record):
        hook(note=note, record=record, actor=actor)
    return note


def may_edit_note(user: Any, note: Note, record: models.Model | None = None) -> bool:
    """The author (while still allowed to write this kind on the record), or a person who may change
    the record itself."""
    record = record if record is not None else note.record
    if record is None or not policy.allows(user, "view", record):
        return False
    if note.is_work_note and not may_read_work_notes(user, record):
        return False
    if note.author_id == getattr(user, "pk", None):
        return policy.allows(user, NOTE_ACTIONS[NoteKind(note.kind)], record)
    return policy.allows(user, "change", record)


@transaction.atomic
def note_edit(*, note: Note, actor: Any, body: str) -> Note:
    """Change a note's text: a new history row with the editor and reason "edit" (unchanged: none)."""
    if not may_edit_note(actor, note):
        raise PermissionDenied
    body = _clean_body(body)
    if body == note.body:
        return note
    note.body = body
    note.edited_at = timezone.now()
    save_with_history(note, actor=actor, reason="edit")
    return note


def _hash_and_size(stream: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


@transaction.atomic
def attachment_add(*, record: models.Model, actor: Any, uploaded_file: Any) -> Attachment:
    """Attach an uploaded file to ``record`` after checking its size and its type (by content).

    Raises ``PermissionDenied`` without the ``attach`` permission and ``ValidationError`` (on
    ``file``) for a missing, empty, too large or refused file. The file is stored under a generated
    name; the uploader's name is kept only in ``original_name``.
    """
    policy.require(actor, "attach", record)
    if uploaded_file is None:
        raise ValidationError({"file": [gettext("Choose a file to attach.")]}, code="required")
    limit = settings.ITSM_ATTACHMENT_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise ValidationError(
            {
                "file": [
                    gettext("The file is too large: %(size)s; at most %(limit)s is allowed.")
                    % {"size": _size_label(declared), "limit": _size_label(limit)}
                ]
            },
            code="too_large",
        )
    sha256, size = _hash_and_size(uploaded_file)
    if size == 0:
        raise ValidationError({"file": [gettext("The file is empty.")]}, code="empty")
    if size > limit:
        raise ValidationError(
            {
                "file": [
                    gettext("The file is too large: %(size)s; at most %(limit)s is allowed.")
                    % {"size": _size_label(size), "limit": _size_label(limit)}
                ]
            },
            code="too_large",
        )
    name = clean_file_name(getattr(uploaded_file, "name", "") or "")
    mime_type = detect_type(uploaded_file, name)
    if mime_type not in allowed_types():
        raise ValidationError(
            {
                "file": [
                    gettext(
                        "This type of file is not accepted (its content is %(type)s, whatever its name "
                        "says). Accepted: PDF, images, text, CSV, office documents, ZIP, e-mail."
                    )
                    % {"type": mime_type}
                ]
            },
            code="type_refused",
        )
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        original_name=name,
        mime_type=mime_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor,
    )
    attachment.file.save(name, uploaded_file, save=False)
    stored = attachment.file.name
    try:
        save_with_history(attachment, actor=actor, reason="attach")
    except BaseException:
        attachment_storage.delete(stored)
        raise
    return attachment


def may_remove_attachment(user: Any, attachment: Attachment, record: models.Model | None = None) -> bool:
    """The uploader (while still allowed to attach), or a person who may change the record."""
    record = record if record is not None else attachment.record
    if record is None or attachment.is_removed:
        return False
    if attachment.uploaded_by_id == getattr(user, "pk", None):
        return policy.allows(user, "attach", record)
    return policy.allows(user, "change", record)


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: Any) -> Attachment:
    """Take an attachment off its record: a history row with reason "remove"; the row and the file
    stay, so the evidence of what was attached is not lost."""
    if not may_remove_attachment(actor, attachment):
        raise PermissionDenied
    attachment.removed_at = timezone.now()
    attachment.removed_by = actor
    save_with_history(attachment, actor=actor, reason="remove")
    return attachment

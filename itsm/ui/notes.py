"""The notes and attachments panels of every record's detail page, and the generic views behind them.

A detail view adds ``notes_context(request, record)`` or ``attachments_context(request, record)`` to its
context for its "Notes" / "Attachments" tab and includes ``itsm/notes_panel.html`` /
``itsm/attachments_panel.html``. The forms post to generic URLs that name the record by content type
and id (``/notes/<ct>/<id>/add/``); each request asks the record's own policy rules, so a record the
user may not see answers 404 and an action they may not take answers 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from itsm.choices import NoteKind
from itsm.forms import AttachmentForm, NoteEditForm, NoteForm
from itsm.notes import (
    NOTE_ACTIONS,
    Note,
    allowed_types,
    attachment_add,
    attachment_for_download,
    attachment_remove,
    attachments_for,
    may_edit_note,
    may_read_work_notes,
    may_remove_attachment,
    note_add,
    note_edit,
    notes_for,
    visible_record,
)
from itsm.policy import policy

from .views import acting_user, policy_required, render_page

# The generic URLs reach any record type; the record's own rules decide each request.
RECORDS = "records"


def _record_urls(record: models.Model) -> tuple[int, str]:
    return ContentType.objects.get_for_model(record).pk, str(record.pk)


def note_kinds(user: Any, record: models.Model) -> list[NoteKind]:
    """The kinds of note this person may write on this record, work note first."""
    return [kind for kind in NoteKind if policy.allows(user, NOTE_ACTIONS[kind], record)]


def notes_context(request: HttpRequest, record: models.Model, form: NoteForm | None = None) -> dict[str, Any]:
    """What ``itsm/notes_panel.html`` needs: the notes this user may read, and the form if they may write."""
    user = request.user
    kinds = note_kinds(user, record)
    notes = list(notes_for(record, user))
    for note in notes:
        note.may_edit = may_edit_note(user, note, record)  # type: ignore[attr-defined]
    content_type_id, object_id = _record_urls(record)
    return {
        "record": record,
        "notes": notes,
        "note_form": form
        if form is not None
        else (NoteForm(kinds=kinds, auto_id="note_%s") if kinds else None),
        "note_add_url": reverse("itsm:note_add", args=[content_type_id, object_id]),
        "notes_url": reverse("itsm:note_list", args=[content_type_id, object_id]),
    }


def attachments_context(
    request: HttpRequest, record: models.Model, form: AttachmentForm | None = None
) -> dict[str, Any]:
    """What ``itsm/attachments_panel.html`` needs: the attachments, and the upload form if allowed."""
    user = request.user
    attachments = list(attachments_for(record))
    for attachment in attachments:
        attachment.may_remove = may_remove_attachment(user, attachment, record)  # type: ignore[attr-defined]
    content_type_id, object_id = _record_urls(record)
    if form is None and policy.allows(user, "attach", record):
        form = AttachmentForm(auto_id="attachment_%s")
    if form is not None:
        form.fields["file"].widget.attrs["accept"] = ",".join(sorted(allowed_types()))
    return {
        "record": record,
        "attachments": attachments,
        "attachment_form": form,
        "attachment_add_url": reverse("itsm:attachment_add", args=[content_type_id, object_id]),
        "attachments_url": reverse("itsm:attachment_list", args=[content_type_id, object_id]),
    }


def _record_or_404(request: HttpRequest, content_type_id: int, object_id: str) -> models.Model:
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    record = visible_record(request.user, content_type, object_id)
    if record is None:
        raise Http404
    return record


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted)


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _panel(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The panel alone for htmx (always 200 so that htmx swaps errors in), else the panel's own page."""
    if _is_htmx(request):
        return render_page(request, template, context, partial="panel")
    return render_page(request, template, context, status=status)


def _back_to(record: models.Model, tab: str, anchor: str = "") -> HttpResponseRedirect:
    url = f"{record.get_absolute_url()}?tab={tab}"  # type: ignore[attr-defined]
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


# Notes ---------------------------------------------------------------------------------------------


@policy_required("view", RECORDS)
def note_list(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The notes panel of a record (the htmx tab), or a page of its own without htmx."""
    record = _record_or_404(request, content_type_id, object_id)
    return _panel(request, "itsm/notes_panel.html", notes_context(request, record))


@require_POST
@policy_required("view", RECORDS)
def note_add_view(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponseBase:
    """Add a work note or a comment; errors come back inline with the text as typed. The record type's
    note hooks (``itsm.notes.register_note_hook``) run in the service, so a comment here notifies just
    as it does on the record's own page."""
    record = _record_or_404(request, content_type_id, object_id)
    kinds = note_kinds(request.user, record)
    if not kinds:
        raise PermissionDenied
    form = NoteForm(request.POST, kinds=kinds, auto_id="note_%s")
    if form.is_valid():
        try:
            note = note_add(
                record=record,
                actor=acting_user(request),
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if _is_htmx(request):
                response = _panel(request, "itsm/notes_panel.html", notes_context(request, record))
                response["HX-Trigger"] = "record-changed"
                return response
            messages.success(
                request, _("Your %(kind)s was added.") % {"kind": note.get_kind_display().lower()}
            )
            return _back_to(record, "notes", f"note-{note.pk}")
    return _panel(request, "itsm/notes_panel.html", notes_context(request, record, form), status=400)


@require_http_methods(["GET", "POST"])
@policy_required("view", RECORDS)
def note_edit_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Change the text of a note (its author, or someone who may change the record); kept in history."""
    note = get_object_or_404(Note.objects.select_related("content_type", "author"), pk=pk)
    record = _record_or_404(request, note.content_type_id, note.object_id)
    if note.is_work_note and not may_read_work_notes(request.user, record):
        raise Http404  # a work note does not exist for those who may not read work notes
    if not may_edit_note(request.user, note, record):
        raise PermissionDenied
    form = NoteEditForm(request.POST or None, initial={"body": note.body})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                note_edit(note=note, actor=acting_user(request), body=form.cleaned_data["body"])
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The note was changed; the earlier text is kept in its history."))
                return _back_to(record, "notes", f"note-{note.pk}")
        status = 400
    context = {"record": record, "note": note, "form": form}
    return render_page(request, "itsm/note_edit.html", context, status=status)


# Attachments ---------------------------------------------------------------------------------------


@policy_required("view", RECORDS)
def attachment_list(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The attachments panel of a record (the htmx tab), or a page of its own without htmx."""
    record = _record_or_404(request, content_type_id, object_id)
    return _panel(request, "itsm/attachments_panel.html", attachments_context(request, record))


@require_POST
@policy_required("view", RECORDS)
def attachment_add_view(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponseBase:
    """Upload a file; a refused file (size, type by content) comes back as an inline error."""
    record = _record_or_404(request, content_type_id, object_id)
    if not policy.allows(request.user, "attach", record):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES, auto_id="attachment_%s")
    if form.is_valid():
        try:
            attachment = attachment_add(
                record=record, actor=acting_user(request), uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if _is_htmx(request):
                response = _panel(
                    request, "itsm/attachments_panel.html", attachments_context(request, record)
                )
                response["HX-Trigger"] = "record-changed"
                return response
            messages.success(request, _("%(name)s was attached.") % {"name": attachment.original_name})
            return _back_to(record, "attachments")
    return _panel(
        request, "itsm/attachments_panel.html", attachments_context(request, record, form), status=400
    )


@require_POST
@policy_required("view", RECORDS)
def attachment_remove_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Take an attachment off its record (the row and file stay, for the evidence)."""
    attachment = attachment_for_download(request.user, pk)
    if attachment is None:
        raise Http404
    record = attachment.record
    if record is None:
        raise Http404
    if not may_remove_attachment(request.user, attachment, record):
        raise PermissionDenied
    attachment_remove(attachment=attachment, actor=acting_user(request))
    if _is_htmx(request):
        response = _panel(request, "itsm/attachments_panel.html", attachments_context(request, record))
        response["HX-Trigger"] = "record-changed"
        return response
    messages.success(request, _("%(name)s was removed.") % {"name": attachment.original_name})
    return _back_to(record, "attachments")


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name as RFC 5987 ``filename*``."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@policy_required("view", RECORDS)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, only for those who may see its record (404 for everyone else), never rendered inline."""
    attachment = attachment_for_download(request.user, pk)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.mime_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

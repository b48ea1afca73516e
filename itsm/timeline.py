"""One chronological view per record: field changes (old → new, with labels), transitions, work notes,
comments and attachments, filtered for the person reading it (work notes only for staff).

Apps add their own events (e.g. SLA clock events) with ``register_timeline_source``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .choices import NoteKind
from .history import reason_label
from .notes import Attachment, Note, may_read_work_notes
from .records import TransitionLog

# Bookkeeping the timeline does not show as changes; the state shows as transitions.
HIDDEN_FIELDS = {"updated_at", "updated_by", "state", "reference", "created_at", "created_by"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Event:
    at: datetime.datetime
    kind: str  # created | changed | deleted | transition | work_note | comment | attachment
    actor: str
    reason: str = ""
    comment: str = ""
    title: str = ""
    changes: list[Change] = field(default_factory=list)
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "actor": self.actor,
            "title": self.title,
            "reason": self.reason,
            "comment": self.comment,
            "changes": [{"field": c.label, "old": c.old, "new": c.new} for c in self.changes],
            "url": self.url,
        }


TimelineSource = Callable[[models.Model, Any], Iterable[Event]]
_sources: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> None:
    """Let an app contribute events to every record's timeline: ``source(record, viewer)`` returns the
    events of ``record`` that ``viewer`` may read (one query, whatever their number)."""
    if source not in _sources:
        _sources.append(source)


def _display(model_field: models.Field, value: Any, names: dict[type[models.Model], dict[Any, Any]]) -> str:
    if value is None or value == "":
        return "—"
    related_model = model_field.related_model
    if model_field.is_relation and isinstance(related_model, type):
        related = names.get(related_model, {}).get(value)
        return str(related) if related is not None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return date_format(localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(model_field, models.JSONField):
        # Structured data (snapshots, schemas) is shown on the record itself, not dumped in the timeline.
        count = len(value) if isinstance(value, list | dict) else 1
        return _("(structured data, %(count)d entries)") % {"count": count}
    return str(value)


def timeline_for(record: models.Model, viewer: Any = None) -> list[Event]:
    """Every event of ``record`` that ``viewer`` may read, oldest first. Work notes only for staff
    members; without a viewer, only what everyone who may see the record may read (no work notes).
    Four queries whatever the length of the history (history with the rows it points to, transitions,
    notes, attachments), plus one per registered source."""
    meta = record._meta
    # The rows bring the people, teams, categories … they point to, so labels cost no query of their own.
    related = [
        f
        for f in meta.concrete_fields
        if f.many_to_one and f.name not in HIDDEN_FIELDS and isinstance(f.related_model, type)
    ]
    history = record.history.select_related("history_user", *(f.name for f in related))  # type: ignore[attr-defined]
    rows = list(history.order_by("history_date", "history_id"))
    names: dict[type[models.Model], dict[Any, Any]] = defaultdict(dict)
    for row in rows:
        for fk in related:
            target = getattr(row, fk.name, None)
            if target is not None:
                names[fk.related_model][target.pk] = target  # type: ignore[index]
    pairs = []
    # A record written without history (a bulk import) has no rows: an empty timeline, not an error.
    for previous, row in zip([None, *rows[:-1]] if rows else [], rows, strict=True):
        changed = []
        if previous is not None and row.history_type == "~":
            delta = row.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                model_field = meta.get_field(change.field)
                if not isinstance(model_field, models.Field) or model_field.many_to_many:
                    continue
                changed.append((model_field, change.old, change.new))
        pairs.append((row, changed))

    events: list[Event] = []
    for row, changed in pairs:
        kind = {"+": "created", "-": "deleted"}.get(row.history_type, "changed")
        if kind == "changed" and not changed:
            continue  # a transition's save; its transition event tells the story
        events.append(
            Event(
                at=row.history_date,
                kind=kind,
                actor=str(row.history_user or _("unknown")),
                reason=reason_label(row.history_change_reason),
                title={"created": _("Created"), "deleted": _("Deleted")}.get(kind, _("Changed")),
                changes=[
                    Change(str(f.verbose_name), _display(f, old, names), _display(f, new, names))
                    for f, old, new in changed
                ],
            )
        )
    state_field = meta.get_field("state") if any(f.name == "state" for f in meta.fields) else None
    labels = dict(state_field.flatchoices) if state_field is not None else {}  # type: ignore[union-attr]
    transitions = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).select_related("actor")
    for entry in transitions:
        events.append(
            Event(
                at=entry.at,
                kind="transition",
                actor=str(entry.actor),
                reason=reason_label(entry.reason),
                comment=entry.comment,
                title=_("%(source)s → %(target)s")
                % {
                    "source": labels.get(entry.source, entry.source),
                    "target": labels.get(entry.target, entry.target),
                },
            )
        )
    events.extend(_note_events(record, viewer))
    for source in _sources:
        events.extend(source(record, viewer))
    events.sort(key=lambda e: e.at)
    return events


def _note_events(record: models.Model, viewer: Any) -> list[Event]:
    content_type = ContentType.objects.get_for_model(record)
    notes = Note.objects.filter(content_type=content_type, object_id=str(record.pk)).select_related("author")
    if viewer is None or not may_read_work_notes(viewer, record):
        notes = notes.filter(kind=NoteKind.COMMENT)
    events = [
        Event(
            at=note.created_at,
            kind=note.kind,
            actor=str(note.author),
            reason=_("edited %(at)s")
            % {"at": date_format(localtime(note.edited_at), "SHORT_DATETIME_FORMAT")}
            if note.edited_at
            else "",
            comment=note.body,
            title=str(note.get_kind_display()),
        )
        for note in notes
    ]
    attachments = Attachment.objects.filter(
        content_type=content_type, object_id=str(record.pk)
    ).select_related("uploaded_by", "removed_by")
    for attachment in attachments:
        events.append(
            Event(
                at=attachment.uploaded_at,
                kind="attachment",
                actor=str(attachment.uploaded_by),
                title=_("Attached %(name)s") % {"name": attachment.original_name},
                comment=f"{attachment.mime_type} · {filesizeformat(attachment.size)}",
                url="" if attachment.is_removed else attachment.get_absolute_url(),
            )
        )
        if attachment.removed_at is not None:
            events.append(
                Event(
                    at=attachment.removed_at,
                    kind="attachment",
                    actor=str(attachment.removed_by),
                    reason=reason_label("remove"),
                    title=_("Removed %(name)s") % {"name": attachment.original_name},
                )
            )
    return events

"""Writes of audits and improvement: one keyword-only service per write, with actor and reason."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm.history import create_audited, update_audited
from itsm.models import User
from itsm.notifications import notify
from itsm.records import record_create, run_transition

from . import selectors
from .choices import DocumentState
from .models import Document, Objective


@transaction.atomic
def objective_create(*, actor: User, data: dict[str, Any]) -> Objective:
    return create_audited(Objective, actor=actor, data=data)


@transaction.atomic
def objective_update(
    *, objective: Objective, actor: User, data: dict[str, Any], reason: str = "update"
) -> Objective:
    return update_audited(objective, actor=actor, data=data, reason=reason)


@transaction.atomic
def document_create(*, actor: User, data: dict[str, Any]) -> Document:
    return record_create(Document, actor=actor, data=data)


@transaction.atomic
def document_update(*, document: Document, actor: User, data: dict[str, Any]) -> Document:
    """Edit a draft (the policy refuses edits in any other state)."""
    return update_audited(document, actor=actor, data=data)


def _tell(document: Document, event: str, recipients: Any, subject: Any, note: str = "") -> None:
    notify(
        event=event,
        event_key=f"transition:{document.last_transition.pk}",  # type: ignore[attr-defined]
        recipients=recipients,
        subject=subject,
        body=note,
        record=document,
    )


@transaction.atomic
def document_submit(*, document: Document, actor: User, note: str = "") -> Document:
    run_transition(document, "submit", actor=actor, comment=note)
    subject = format_lazy(
        gettext_lazy("{reference} is waiting for your review: {title}"),
        reference=document.reference,
        title=document.title,
    )
    _tell(
        document,
        "document.submitted",
        selectors.document_approvers().exclude(pk=document.owner_id),
        subject,
        note,
    )
    return document


@transaction.atomic
def document_reject(*, document: Document, actor: User, note: str) -> Document:
    if not note.strip():
        raise ValidationError({"note": _("Say what must change before the document can be approved.")})
    run_transition(document, "reject", actor=actor, comment=note)
    subject = format_lazy(
        gettext_lazy("{reference} was sent back to you: {title}"),
        reference=document.reference,
        title=document.title,
    )
    _tell(document, "document.rejected", [document.owner], subject, note)
    return document


@transaction.atomic
def document_approve(*, document: Document, actor: User, note: str = "") -> Document:
    run_transition(document, "approve", actor=actor, comment=note, by=actor, at=timezone.now())
    subject = format_lazy(
        gettext_lazy("{reference} was approved: {title}"), reference=document.reference, title=document.title
    )
    _tell(document, "document.approved", [document.owner], subject, note)
    return document


@transaction.atomic
def document_publish(*, document: Document, actor: User, note: str = "") -> Document:
    """Make the document effective; the effective document with the same code becomes obsolete."""
    if document.code:
        superseded = (
            Document.objects.select_for_update()
            .filter(code=document.code, state=DocumentState.EFFECTIVE)
            .exclude(pk=document.pk)
        )
        for old in superseded:
            run_transition(old, "withdraw", actor=actor, reason="superseded", comment=document.reference)
    return run_transition(document, "publish", actor=actor, comment=note, on=timezone.localdate())


def document_withdraw(*, document: Document, actor: User, note: str) -> Document:
    if not note.strip():
        raise ValidationError({"note": _("Say why the document is withdrawn.")})
    return run_transition(document, "withdraw", actor=actor, comment=note)


# Transition name → service; pages and the API look services up here. Each takes
# ``document``, ``actor`` and ``note`` (the person's words, kept in the transition log).
DOCUMENT_TRANSITIONS = {
    "submit": document_submit,
    "reject": document_reject,
    "approve": document_approve,
    "publish": document_publish,
    "withdraw": document_withdraw,
}

"""Writes of audits and improvement: one keyword-only service per write, with actor and reason."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.history import create_audited, update_audited
from itsm.models import User
from itsm.records import record_create, run_transition

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


def document_submit(*, document: Document, actor: User, note: str = "") -> Document:
    return run_transition(document, "submit", actor=actor, comment=note)


def document_reject(*, document: Document, actor: User, note: str) -> Document:
    if not note.strip():
        raise ValidationError({"note": _("Say what must change before the document can be approved.")})
    return run_transition(document, "reject", actor=actor, comment=note)


def document_approve(*, document: Document, actor: User, note: str = "") -> Document:
    return run_transition(document, "approve", actor=actor, comment=note, by=actor, at=timezone.now())


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

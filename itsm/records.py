"""The record core: reference numbers, the record base with its lifecycle, and the transition log.

Every process record (incident, problem, RFC, document, …) subclasses ``Record`` and writes through
``record_create`` and ``run_transition``, so that numbering, history, the transition log and the
audit trail work the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, TransitionNotAllowed, can_proceed

from .audit import append_entry
from .history import save_with_history, validate
from .policy import policy

R = TypeVar("R", bound="Record")


class ReferenceSequence(models.Model):
    """The last number handed out per reference prefix (bookkeeping: no history)."""

    prefix = models.CharField(max_length=10, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_value}"

    def get_absolute_url(self) -> str:
        return reverse("dashboard")


def next_reference(prefix: str, *, width: int = 6) -> str:
    """The next ``PREFIX-000123`` of a record type, gap-free and unique under concurrent creation.

    It must run in the transaction that inserts the record: the increment holds the sequence row's
    lock (PostgreSQL) or the write lock (SQLite, IMMEDIATE) until commit, and a rollback gives the
    number back, so numbers are never skipped or shared.
    """
    with transaction.atomic():
        if not ReferenceSequence.objects.filter(prefix=prefix).exists():
            try:
                with transaction.atomic():
                    ReferenceSequence.objects.create(prefix=prefix)
            except IntegrityError:
                pass  # another transaction created it first; the increment below waits for it
        # Bookkeeping counter, not an audited field.
        ReferenceSequence.objects.filter(prefix=prefix).update(last_value=F("last_value") + 1)
        value = ReferenceSequence.objects.filter(prefix=prefix).values_list("last_value", flat=True).get()
    return f"{prefix}-{value:0{width}d}"


class Record(ConcurrentTransitionMixin, models.Model):
    """Base of every process record: reference, who and when, and a protected FSM ``state``.

    Subclasses set ``reference_prefix`` and declare ``state = FSMField(..., protected=True)`` with
    their transitions (guards and in-memory changes only). ``ConcurrentTransitionMixin`` makes a save
    fail with ``ConcurrentTransition`` when someone else moved the record since it was loaded.
    """

    reference_prefix: ClassVar[str] = ""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        title = getattr(self, "title", "")
        return f"{self.reference} {title}".strip()


class TransitionLog(models.Model):
    """Who moved which record from which state to which, when and why (append-only).

    "Who approved / escalated / closed this and why" is a query on this table, not a guess.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    reference = models.CharField(_("reference"), max_length=20, db_index=True)
    transition = models.CharField(_("transition"), max_length=60)
    source = models.CharField(_("from"), max_length=40)
    target = models.CharField(_("to"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.reference}: {self.source} → {self.target} ({self.transition})"

    def get_absolute_url(self) -> str:
        return self.record.get_absolute_url() if self.record else reverse("dashboard")


def record_create(model: type[R], *, actor: Any, data: dict[str, Any], reason: str = "create") -> R:
    """Create a record: permission, reference number, validation, history with actor and reason.

    Call inside the app's ``transaction.atomic`` service (the reference belongs to its transaction).
    """
    policy.require(actor, "add", model)
    record = model(**data, created_by=actor, updated_by=actor)
    record.reference = next_reference(record.reference_prefix)
    validate(record)
    save_with_history(record, actor=actor, reason=reason)
    return record


@transaction.atomic
def run_transition(
    record: R,
    name: str,
    *,
    actor: Any,
    reason: str = "",
    comment: str = "",
    after_commit: Callable[[], None] | None = None,
    **arguments: Any,
) -> R:
    """Permission check → transition → save → history actor and reason → transition log → side effects.

    Raises ``PermissionDenied`` (403) before anything changes, ``TransitionNotAllowed`` (400 / form
    error) when the state or a guard forbids it, and ``ConcurrentTransition`` (409) when another
    person moved the record first. Side effects run only after the transaction commits.
    """
    policy.require(actor, name, record)
    method = getattr(record, name)
    if not can_proceed(method):
        raise TransitionNotAllowed(f"{name} is not allowed from {record.state}.")  # type: ignore[attr-defined]
    source = record.state  # type: ignore[attr-defined]
    method(**arguments)
    record.updated_by = actor
    record.updated_at = timezone.now()
    save_with_history(record, actor=actor, reason=reason or name)
    content_type = ContentType.objects.get_for_model(record)
    entry = TransitionLog.objects.create(
        content_type=content_type,
        object_id=str(record.pk),
        reference=record.reference,
        transition=name,
        source=source,
        target=record.state,  # type: ignore[attr-defined]
        actor=actor,
        reason=reason,
        comment=comment,
    )
    append_entry(
        content_type=content_type,
        object_id=record.pk,
        object_repr=str(record),
        action=f"transition:{name}",
        actor_id=actor.pk,
        reason=reason or name,
        at=entry.at,
        fields={"transition": name, "from": entry.source, "to": entry.target, "comment": comment},
    )
    record.last_transition = entry  # type: ignore[attr-defined]
    if after_commit is not None:
        transaction.on_commit(after_commit)
    return record


def allowed_transitions(record: Record, user: Any) -> list[str]:
    """Names of the transitions this user may run on this record now (for buttons and the API)."""
    transitions = record.get_available_state_transitions()  # type: ignore[attr-defined]
    return [t.name for t in transitions if policy.allows(user, t.name, record)]

"""The tamper-evident audit trail: an append-only, hash-chained log of every change of every record.

Every history row written by django-simple-history (and, later, every transition-log entry) gets one
``AuditEntry`` in the same transaction. Entries are numbered 1, 2, 3 … without gaps (``seq``) and each
one carries the hash of the one before it, so editing, deleting or reordering any entry breaks the
chain from that entry on. The database refuses UPDATE and DELETE on the table (triggers created by
migration ``0004_audit_trail``); ``verify_chain`` and ``manage.py verify_audit_trail`` find the first
broken entry. See ``docs/audit-trail.md``.

The hash of entry *n* is::

    sha256( prev_hash + "\\n" + str(seq) + "\\n" + payload ).hexdigest()     (UTF-8, lower-case hex)

where ``prev_hash`` is the hash of entry *n - 1* (64 zeros for entry 1) and ``payload`` is the stored
canonical JSON of the change (``canonical_json``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
# Key of the PostgreSQL transaction-level advisory lock that serialises appends ("ITSMAUDT").
ADVISORY_LOCK_KEY = 0x49_54_53_4D_41_55_44_54
HISTORY_ACTIONS = {"+": "+", "~": "~", "-": "-"}
ACTION_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


class AuditEntry(models.Model):
    """One link of the audit trail: a change (history row) or a transition of a record, hash-chained.

    Append-only: rows are written only by ``append_entry`` and the database refuses UPDATE and DELETE.
    """

    seq = models.BigIntegerField(_("sequence number"), unique=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    object_id = models.CharField(_("record id"), max_length=64, editable=False)
    object_repr = models.CharField(_("record"), max_length=200, editable=False)
    action = models.CharField(_("action"), max_length=64, editable=False)
    reason = models.TextField(_("reason"), blank=True, editable=False)
    payload = models.TextField(_("payload"), editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["seq"]
        default_permissions = ("view",)
        verbose_name = _("audit-trail entry")
        verbose_name_plural = _("audit-trail entries")
        constraints = [
            models.CheckConstraint(condition=Q(seq__gte=1), name="itsm_auditentry_seq_positive"),
            models.CheckConstraint(
                condition=Q(Exact(Length("hash"), 64), Exact(Length("prev_hash"), 64)),
                name="itsm_auditentry_hash_length",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="itsm_audit_record_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def get_absolute_url(self) -> str:
        return f"{reverse('itsm:audit_trail')}#seq-{self.seq}"

    @property
    def short_hash(self) -> str:
        return self.hash[:12]

    @property
    def action_label(self) -> str:
        """The action in the reader's language: created, changed, deleted, or the transition taken."""
        if self.action in ACTION_LABELS:
            return str(ACTION_LABELS[self.action])
        if self.action.startswith("transition:"):
            return gettext("transition %(name)s") % {"name": self.action.removeprefix("transition:")}
        return self.action

    def expected_hash(self) -> str:
        return chain_hash(self.prev_hash, self.seq, self.payload)


class AuditCheckpoint(models.Model):
    """The chain head as it stood on a day, recorded daily so that evidence packs can print it.

    A later rewrite of the chain (even one that recomputes every hash) no longer matches the
    checkpoints taken before it.
    """

    date = models.DateField(_("date"), unique=True, editable=False)
    seq = models.BigIntegerField(_("sequence number"), editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date"]
        default_permissions = ("view",)
        verbose_name = _("audit-trail checkpoint")
        verbose_name_plural = _("audit-trail checkpoints")
        constraints = [
            models.CheckConstraint(condition=Q(seq__gte=0), name="itsm_auditcheckpoint_seq_not_negative"),
            models.CheckConstraint(
                condition=Q(Exact(Length("hash"), 64)), name="itsm_auditcheckpoint_hash_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}: #{self.seq} {self.hash[:12]}"

    def get_absolute_url(self) -> str:
        return f"{reverse('itsm:audit_trail')}#checkpoints"


# Hashing -------------------------------------------------------------------------------------------


def canonical_json(data: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 text, ``str`` for the rest."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, seq: int, payload: str) -> str:
    """SHA-256 (hex) of ``prev_hash + "\\n" + str(seq) + "\\n" + payload`` in UTF-8."""
    return hashlib.sha256(f"{prev_hash}\n{seq}\n{payload}".encode()).hexdigest()


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


# Appending -----------------------------------------------------------------------------------------


def _lock_chain() -> None:
    """Serialise appenders until the end of the current transaction.

    PostgreSQL: a transaction-level advisory lock. SQLite: the project opens every transaction with
    BEGIN IMMEDIATE, which already holds the database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def entry_payload(
    content_type: ContentType,
    object_id: str,
    object_repr: str,
    action: str,
    actor_id: int | None,
    at: datetime.datetime,
    reason: str,
    fields: dict[str, Any],
) -> str:
    """The canonical JSON that an entry stores and hashes."""
    return canonical_json(
        {
            "model": content_type.app_label + "." + content_type.model,
            "pk": object_id,
            "repr": object_repr,
            "action": action,
            "actor": actor_id,
            "at": _iso(at),
            "reason": reason,
            "fields": fields,
        }
    )


def append_entry(
    *,
    content_type: ContentType,
    object_id: Any,
    object_repr: str,
    action: str,
    actor_id: int | None,
    reason: str,
    at: datetime.datetime,
    fields: dict[str, Any],
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction (or a new one).

    The entry's sequence number and previous hash come from the current head, read under a lock
    that is held until the transaction ends, so concurrent writers queue and never fork the chain.
    No savepoint: if the entry cannot be written, the change it records must not commit either.
    """
    object_id = str(object_id)
    object_repr = str(object_repr)[:200]
    reason = reason or ""
    payload = entry_payload(content_type, object_id, object_repr, action, actor_id, at, reason, fields)
    with transaction.atomic(savepoint=False):
        _lock_chain()
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        return AuditEntry.objects.create(
            seq=seq,
            recorded_at=at,
            actor_id=actor_id,
            content_type=content_type,
            object_id=object_id,
            object_repr=object_repr,
            action=action,
            reason=reason,
            payload=payload,
            prev_hash=prev_hash,
            hash=chain_hash(prev_hash, seq, payload),
        )


def m2m_history_model(history_model: type[models.Model], field: Any) -> Any:
    """simple-history's model holding the links of a history-tracked many-to-many field."""
    name = f"{history_model.__name__}_{field.name}".lower()
    return next(f.related_model for f in history_model._meta.get_fields() if f.one_to_many and f.name == name)


def m2m_values(history_model: type[models.Model], history_ids: list[Any]) -> dict[str, dict[Any, list[Any]]]:
    """For each tracked many-to-many field, the sorted target ids per history row: one query a field."""
    result: dict[str, dict[Any, list[Any]]] = {}
    for field in getattr(history_model, "_history_m2m_fields", ()):
        target = f"{field.m2m_reverse_field_name()}_id"
        links: dict[Any, list[Any]] = {history_id: [] for history_id in history_ids}
        rows = m2m_history_model(history_model, field).objects.filter(history_id__in=history_ids)
        for history_id, target_id in rows.values_list("history_id", target):
            links[history_id].append(target_id)
        result[field.name] = {key: sorted(values) for key, values in links.items()}
    return result


def historical_fields(
    history_instance: Any, m2m: dict[str, dict[Any, list[Any]]] | None = None
) -> dict[str, Any]:
    """The tracked values of a simple-history row: the model's fields (foreign keys as ids) and the
    ids of its history-tracked many-to-many fields; history bookkeeping (``history_*``) left out."""
    values: dict[str, Any] = {}
    for field in history_instance._meta.concrete_fields:
        if field.name.startswith("history_") or field.attname.startswith("history_"):
            continue
        values[field.attname] = getattr(history_instance, field.attname)
    if m2m is None:
        m2m = m2m_values(type(history_instance), [history_instance.history_id])
    for name, per_row in m2m.items():
        values[name] = per_row.get(history_instance.history_id, [])
    return values


def append_history_row(history_instance: Any) -> AuditEntry:
    """Append the entry for one simple-history row (called for every row by the signal)."""
    model = history_instance.instance_type
    return append_entry(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=getattr(history_instance, model._meta.pk.attname),
        object_repr=str(history_instance.instance),
        action=HISTORY_ACTIONS.get(history_instance.history_type, history_instance.history_type),
        actor_id=history_instance.history_user_id,
        reason=history_instance.history_change_reason or "",
        at=history_instance.history_date,
        fields=historical_fields(history_instance),
    )


def append_history_rows(history_instances: list[Any], *, batch_size: int = 1000) -> None:
    """Entries for rows written by ``bulk_history_create`` (which sends no per-row signal), in order.

    One lock, one head read and one INSERT per batch; the chain is computed here exactly as
    ``append_entry`` computes it one entry at a time.
    """
    if not history_instances:
        return
    history_model = type(history_instances[0])
    model = history_instances[0].instance_type
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    m2m = m2m_values(history_model, [row.history_id for row in history_instances])
    with transaction.atomic(savepoint=False):
        _lock_chain()
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = head if head else (0, GENESIS_HASH)
        entries = []
        for row in history_instances:
            seq += 1
            object_id = str(getattr(row, model._meta.pk.attname))
            object_repr = str(row.instance)[:200]
            action = HISTORY_ACTIONS.get(row.history_type, row.history_type)
            reason = row.history_change_reason or ""
            payload = entry_payload(
                content_type,
                object_id,
                object_repr,
                action,
                row.history_user_id,
                row.history_date,
                reason,
                historical_fields(row, m2m),
            )
            digest = chain_hash(prev_hash, seq, payload)
            entries.append(
                AuditEntry(
                    seq=seq,
                    recorded_at=row.history_date,
                    actor_id=row.history_user_id,
                    content_type=content_type,
                    object_id=object_id,
                    object_repr=object_repr,
                    action=action,
                    reason=reason,
                    payload=payload,
                    prev_hash=prev_hash,
                    hash=digest,
                )
            )
            prev_hash = digest
        AuditEntry.objects.bulk_create(entries, batch_size=batch_size)


def on_historical_record_created(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """simple-history's ``post_create_historical_record`` receiver: runs in the saving transaction."""
    append_history_row(history_instance)


# Verifying -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationResult:
    """What ``verify_chain`` found: ``ok`` with the head it reached, or the first broken entry."""

    ok: bool
    checked: int
    head_seq: int | None
    head_hash: str | None
    first_broken_seq: int | None = None
    problem: str = ""


_VERIFIED_COLUMNS = (
    "seq",
    "prev_hash",
    "hash",
    "payload",
    "recorded_at",
    "actor_id",
    "content_type_id",
    "object_id",
    "object_repr",
    "action",
    "reason",
)


def _columns_match_payload(row: tuple[Any, ...], model_label: str) -> bool:
    """Whether the entry's columns say what its hashed payload says (the columns are not hashed)."""
    _seq, _prev, _hash, payload, recorded_at, actor_id, _ct, object_id, object_repr, action, reason = row
    try:
        data = json.loads(payload)
        return bool(
            data["model"] == model_label
            and data["pk"] == object_id
            and data["repr"] == object_repr
            and data["action"] == action
            and data["actor"] == actor_id
            and data["reason"] == reason
            and data["at"] == _iso(recorded_at)
        )
    except (ValueError, KeyError, TypeError):
        return False


def verify_chain(
    start_seq: int | None = None, end_seq: int | None = None, *, chunk_size: int = 2000
) -> VerificationResult:
    """Recompute every hash from ``start_seq`` to ``end_seq`` (default: the whole chain) in order.

    Entry by entry: the sequence continues without a gap (a gap is a deleted entry); the entry links to
    the previous entry's hash (a deletion or reordering); its stored hash is the hash of its payload
    (an edit); its columns agree with the hashed payload (an edit of a column). The daily checkpoints
    in the range must match the entries they saw (a rewrite that recomputed hashes, or lost entries
    at the end). Rows are streamed in chunks, so memory stays constant however long the chain is.
    """
    first = max(start_seq or 1, 1)
    queryset = AuditEntry.objects.filter(seq__gte=first).order_by("seq")
    if end_seq is not None:
        queryset = queryset.filter(seq__lte=end_seq)
    checkpoints: dict[int, list[AuditCheckpoint]] = {}
    checkpoint_qs = AuditCheckpoint.objects.filter(seq__gte=first).order_by("seq", "date")
    if end_seq is not None:
        checkpoint_qs = checkpoint_qs.filter(seq__lte=end_seq)
    for checkpoint in checkpoint_qs:
        checkpoints.setdefault(checkpoint.seq, []).append(checkpoint)

    checked = 0
    head_seq: int | None = None
    head_hash: str | None = None

    def broken(seq: int, problem: str) -> VerificationResult:
        return VerificationResult(False, checked, head_seq, head_hash, seq, problem)

    expected_seq = first
    if first == 1:
        expected_prev = GENESIS_HASH
    else:
        before = AuditEntry.objects.filter(seq=first - 1).values_list("hash", flat=True).first()
        if before is None:
            return broken(first - 1, gettext("Entry %(seq)s is missing (deleted).") % {"seq": first - 1})
        expected_prev = before

    labels: dict[int, str] = {}
    for row in queryset.values_list(*_VERIFIED_COLUMNS).iterator(chunk_size=chunk_size):
        seq, prev_hash, stored_hash, payload, *_rest = row
        content_type_id = row[6]
        if seq > expected_seq:
            if seq == expected_seq + 1:
                return broken(
                    expected_seq, gettext("Entry %(seq)s is missing (deleted).") % {"seq": expected_seq}
                )
            message = gettext("Entries %(first)s to %(last)s are missing (deleted).")
            return broken(expected_seq, message % {"first": expected_seq, "last": seq - 1})
        if seq < expected_seq:  # cannot happen with a unique seq read in order; kept as a guard
            return broken(seq, gettext("Entry %(seq)s is out of order.") % {"seq": seq})
        if prev_hash != expected_prev:
            message = gettext(
                "Entry %(seq)s does not carry the hash of entry %(previous)s: entries were reordered, "
                "replaced or deleted."
            )
            return broken(seq, message % {"seq": seq, "previous": seq - 1})
        if chain_hash(prev_hash, seq, payload) != stored_hash:
            message = gettext("Entry %(seq)s was altered: its hash does not match its content.")
            return broken(seq, message % {"seq": seq})
        if content_type_id not in labels:
            content_type = ContentType.objects.get_for_id(content_type_id)
            labels[content_type_id] = f"{content_type.app_label}.{content_type.model}"
        if not _columns_match_payload(row, labels[content_type_id]):
            message = gettext("Entry %(seq)s was altered: its columns differ from its hashed payload.")
            return broken(seq, message % {"seq": seq})
        for checkpoint in checkpoints.pop(seq, ()):
            if checkpoint.hash != stored_hash:
                message = gettext(
                    "Entry %(seq)s differs from the checkpoint of %(date)s: the chain was rewritten."
                )
                return broken(seq, message % {"seq": seq, "date": checkpoint.date.isoformat()})
        checked += 1
        head_seq, head_hash = seq, stored_hash
        expected_seq, expected_prev = seq + 1, stored_hash

    for seq, missed in sorted(checkpoints.items()):
        if seq > 0:
            message = gettext(
                "Entry %(seq)s is missing (deleted): the checkpoint of %(date)s saw the chain up to entry "
                "%(last)s."
            )
            return broken(
                expected_seq, message % {"seq": expected_seq, "date": missed[0].date.isoformat(), "last": seq}
            )
    return VerificationResult(True, checked, head_seq, head_hash)


def chain_head() -> tuple[int, str]:
    """The last entry's sequence number and hash (0 and the genesis hash for an empty chain)."""
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return (head[0], head[1]) if head else (0, GENESIS_HASH)


def latest_entries(limit: int = 50) -> list[AuditEntry]:
    """The newest entries, newest first, with what their rows show."""
    return list(AuditEntry.objects.select_related("actor", "content_type").order_by("-seq")[:limit])


def latest_checkpoints(limit: int = 10) -> list[AuditCheckpoint]:
    return list(AuditCheckpoint.objects.order_by("-date")[:limit])


def record_checkpoint(*, date: datetime.date | None = None) -> tuple[AuditCheckpoint, bool]:
    """Store the chain head for ``date`` (default: today in the project's time zone) once.

    Idempotent: a second call for the same date returns the stored checkpoint unchanged.
    """
    date = date or timezone.localdate()
    with transaction.atomic():
        _lock_chain()
        seq, head_hash = chain_head()
        return AuditCheckpoint.objects.get_or_create(date=date, defaults={"seq": seq, "hash": head_hash})


# Who hears at once when the daily check finds the chain broken: those who answer for the audit trail.
CHAIN_WATCHERS = ("internal_auditor", "management_representative", "administrator")


def notify_broken_chain(result: VerificationResult, *, date: datetime.date | None = None) -> int:
    """Tell the internal auditors, the management representative and the administrators that the
    chain is broken and where (once per day and broken entry, however often the check runs)."""
    from .models import User
    from .notifications import notify

    date = date or timezone.localdate()
    recipients = User.objects.filter(
        groups__name__in=CHAIN_WATCHERS, is_active=True, is_system=False
    ).distinct()
    return notify(
        event="audit.chain_broken",
        event_key=f"audit-chain-broken:{date.isoformat()}:{result.first_broken_seq}",
        recipients=recipients,
        subject=format_lazy(_("The audit trail is broken at entry {seq}"), seq=result.first_broken_seq),
        body=format_lazy(
            _(
                "The daily verification found the hash chain broken at entry {seq}: {problem}. No"
                " checkpoint was recorded. Entries may have been changed or removed outside the"
                " application; open the audit trail and check the whole chain."
            ),
            seq=result.first_broken_seq,
            problem=result.problem,
        ),
        url=reverse("itsm:audit_trail") + "?verify=full",
    )

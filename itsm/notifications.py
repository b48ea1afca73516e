"""Notifications: an outbox written in the transaction of the change, delivered once per recipient.

``notify()`` adds one row per (event, recipient) inside the caller's transaction; a unique
constraint makes a repeated call a no-op. After commit, ``notification_deliver_task`` claims the rows
with a conditional UPDATE (so two workers, a retry or a re-run never send the same row twice), sends
the e-mail through Django's mail backend and marks the row. The same rows are the in-app list with
its unread count.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus

STALE_CLAIM = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 5


class Notification(models.Model):
    """One message to one person about one event (bookkeeping: the record's own history is the trail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event_key = models.CharField(
        max_length=200, help_text="Identifies the event occurrence (e.g. a transition)."
    )
    event = models.CharField(_("event"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="itsm_notification_once_per_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="itsm_notif_unread"),
            models.Index(fields=["email_status", "created_at"], name="itsm_notif_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    def get_absolute_url(self) -> str:
        return self.url or reverse("itsm:notification_list")


class NotificationPreference(models.Model):
    """A person's choices: e-mail on or off, and events they do not want at all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("send me e-mail"), default=True)
    muted_events = models.JSONField(_("muted events"), default=list, blank=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("profile")


@dataclass(frozen=True)
class Message:
    """One event to queue with :func:`notify_many` (the arguments of :func:`notify`)."""

    event: str
    event_key: str
    recipients: tuple[Any, ...]
    subject: Any
    body: Any = ""
    record: models.Model | None = None
    url: str = ""
    # Without ``record``: the record it is about, by type and id (a sweep need not load records).
    content_type_id: int | None = None
    object_id: str = ""


def notify(
    *,
    event: str,
    event_key: str,
    recipients: Iterable[Any],
    subject: Any,
    body: Any = "",
    record: models.Model | None = None,
    url: str = "",
) -> int:
    """Queue ``event`` for each active recipient (muted events skipped), in the caller's transaction.

    ``subject`` and ``body`` may be lazy translations: each recipient gets them in their language.
    Returns the number of recipients offered; a repeated ``event_key`` adds no rows (unique constraint).
    """
    return notify_many(
        [Message(event, event_key, tuple(recipients), subject, body=body, record=record, url=url)]
    )


def notify_many(messages: Iterable[Message], *, deliver: bool = True) -> int:
    """:func:`notify` for many events at once (sweeps): one query for the recipients' preferences and
    one insert, however many messages. ``deliver=False`` leaves starting the e-mail delivery to the
    caller (a periodic task that starts it once after its work, or the every-minute delivery run)."""
    # Who may receive anything (active, not the system account), worked out once per person.
    eligible: dict[int, Any] = {}
    queued: list[tuple[Message, dict[Any, Any]]] = []
    for message in messages:
        people = {}
        for person in message.recipients:
            if person is None:
                continue
            key = id(person)
            if key not in eligible:
                eligible[key] = person if person.is_active and not person.is_system else None
            if eligible[key] is not None:
                people[person.pk] = person
        queued.append((message, people))
    everyone = {pk for _message, people in queued for pk in people}
    if not everyone:
        return 0
    preferences = {
        p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=everyone).order_by()
    }
    # Per person once: their language and whether they get e-mail.
    status: dict[int, str] = {}
    language_of: dict[int, str] = {}
    for people in (p for _message, p in queued):
        for pk, person in people.items():
            if pk not in status:
                preference = preferences.get(pk)
                wants_mail = bool(person.email) and (preference is None or preference.email)
                status[pk] = str(DeliveryStatus.PENDING if wants_mail else DeliveryStatus.SKIPPED)
                language_of[pk] = person.language or settings.LANGUAGE_CODE
    # Rendered per language, each language switched on once (not once per recipient).
    by_language: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for index, (message, people) in enumerate(queued):
        for pk in people:
            preference = preferences.get(pk)
            if preference is not None and message.event in preference.muted_events:
                continue
            by_language[language_of[pk]].append((index, pk))
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows: list[tuple[Any, ...]] = []
    for language, entries in by_language.items():
        texts: dict[int, tuple[str, str]] = {}
        with translation.override(language):
            for index, _pk in entries:
                if index not in texts:
                    message = queued[index][0]
                    texts[index] = (str(message.subject)[:200], str(message.body))
        for index, pk in entries:
            message = queued[index][0]
            record = message.record
            if record is not None:
                content_type_id: int | None = ContentType.objects.get_for_model(record).pk
                object_id = str(record.pk)
            else:
                content_type_id, object_id = message.content_type_id, message.object_id
            link = message.url or (record.get_absolute_url() if record is not None else "")  # type: ignore[attr-defined]
            subject, body = texts[index]
            rows.append(
                (
                    pk,
                    message.event_key[:200],
                    message.event[:60],
                    content_type_id,
                    object_id[:64],
                    subject,
                    body,
                    link[:300],
                    created_at,
                    status[pk],
                    0,
                    "",
                )
            )
    _insert(rows)
    if deliver:
        transaction.on_commit(_deliver_after_commit)
    return len(rows)


_COLUMNS = (
    "recipient_id",
    "event_key",
    "event",
    "content_type_id",
    "object_id",
    "subject",
    "body",
    "url",
    "created_at",
    "email_status",
    "email_attempts",
    "email_error",
)
_INSERT_BATCH = 1000


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Many outbox rows in multi-row INSERTs; a repeated (event key, recipient) is skipped by the unique
    constraint (``ON CONFLICT DO NOTHING``, SQLite and PostgreSQL alike). Plain tuples: building model
    instances for a sweep's hundreds of rows cost more than the database did."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _INSERT_BATCH):
            batch = rows[start : start + _INSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES {', '.join([one] * len(batch))} "  # noqa: S608
                "ON CONFLICT DO NOTHING",
                [value for row in batch for value in row],
            )


def deliver_after_commit() -> None:
    """Start the e-mail delivery once the current transaction commits (at once outside one)."""
    transaction.on_commit(_deliver_after_commit)


def _deliver_after_commit() -> None:
    from .tasks import notification_deliver_task

    notification_deliver_task.delay()


def deliver_pending(*, limit: int = 200) -> int:
    """Send the pending e-mails; each row is claimed by one conditional UPDATE, so it is sent once."""
    sent = 0
    # A worker that died while sending leaves its claim; after a quarter of an hour the row is retried.
    Notification.objects.filter(
        email_status=DeliveryStatus.SENDING, email_claimed_at__lt=timezone.now() - STALE_CLAIM
    ).update(email_status=DeliveryStatus.PENDING)
    candidates = list(
        Notification.objects.filter(email_status=DeliveryStatus.PENDING)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in candidates:
        # Bookkeeping claim (not an audited model): only the worker whose UPDATE matched sends.
        claimed = Notification.objects.filter(pk=pk, email_status=DeliveryStatus.PENDING).update(
            email_status=DeliveryStatus.SENDING,
            email_claimed_at=timezone.now(),
            email_attempts=models.F("email_attempts") + 1,
        )
        if not claimed:
            continue
        notification = Notification.objects.select_related("recipient").get(pk=pk)
        try:
            send_mail(
                subject=notification.subject,
                message=f"{notification.body}\n\n{settings.ITSM_BASE_URL}{notification.url}".strip(),
                from_email=None,
                recipient_list=[notification.recipient.email],
            )
        except Exception as exc:  # the mail server's failure is recorded and retried by the next run
            Notification.objects.filter(pk=pk).update(
                email_status=(
                    DeliveryStatus.PENDING
                    if notification.email_attempts < MAX_ATTEMPTS
                    else DeliveryStatus.FAILED
                ),
                email_error=str(exc)[:300],
            )
            continue
        Notification.objects.filter(pk=pk).update(
            email_status=DeliveryStatus.SENT, email_sent_at=timezone.now()
        )
        sent += 1
    return sent


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all, or the given ones); others' rows are never touched."""
    rows = Notification.objects.filter(Q(recipient=user) & Q(read_at__isnull=True))
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def preferences_update(*, user: Any, email: bool, muted_events: list[str]) -> NotificationPreference:
    """A person's own notification choices."""
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email, "muted_events": sorted(set(muted_events))}
    )
    return preference

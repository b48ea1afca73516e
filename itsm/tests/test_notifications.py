"""Notifications: outbox in the change's transaction, exactly once per (event, recipient), in-app list."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from audits import services
from audits.models import Document
from itsm.choices import DeliveryStatus, Role
from itsm.notifications import Notification, NotificationPreference, deliver_pending, notify


@pytest.fixture(autouse=True)
def _start_from_an_empty_outbox(demo: dict[str, Any]) -> None:
    """The demo data's own document reviews queued notifications; these tests count their own."""
    Notification.objects.all().delete()
    mail.outbox.clear()


@pytest.fixture
def submitted(demo: dict[str, Any], django_capture_on_commit_callbacks: Any) -> Document:
    document = services.document_create(
        actor=demo["mr"], data={"title": "Release policy", "owner": demo["mr"]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_submit(document=document, actor=demo["mr"], note="Please review")
    return document


def test_submitting_tells_the_approvers_once_by_mail_and_in_app(
    demo: dict[str, Any], submitted: Document
) -> None:
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"gm", "admin"}  # approvers other than the owner
    assert len(mail.outbox) == 2
    assert submitted.reference in mail.outbox[0].subject
    assert "Please review" in mail.outbox[0].body
    assert deliver_pending() == 0  # a second run sends nothing again
    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("email_status", flat=True)) == {DeliveryStatus.SENT}


def test_the_same_event_is_never_queued_twice(demo: dict[str, Any]) -> None:
    for _ in range(3):
        notify(event="x", event_key="same-occurrence", recipients=[demo["gm"]], subject="Hello")
    assert Notification.objects.filter(recipient=demo["gm"]).count() == 1


def test_preferences_mute_events_and_stop_mail(
    demo: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    NotificationPreference.objects.create(user=demo["gm"], muted_events=["document.submitted"])
    NotificationPreference.objects.create(user=demo["admin"], email=False)
    document = services.document_create(
        actor=demo["mr"], data={"title": "Capacity plan", "owner": demo["mr"]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_submit(document=document, actor=demo["mr"])
    assert list(Notification.objects.values_list("recipient__username", "email_status")) == [
        ("admin", DeliveryStatus.SKIPPED)
    ]
    assert mail.outbox == []


def test_the_subject_is_in_the_recipients_language(demo: dict[str, Any]) -> None:
    demo["gm"].language = "zh-hans"
    demo["gm"].save()
    document = services.document_create(actor=demo["mr"], data={"title": "Plan", "owner": demo["mr"]})
    services.document_submit(document=document, actor=demo["mr"])
    subjects = dict(Notification.objects.values_list("recipient__username", "subject"))
    assert "waiting for your review" in subjects["admin"]
    assert "waiting for your review" not in subjects["gm"]


def test_a_failing_mail_server_is_retried_then_given_up(demo: dict[str, Any], settings: Any) -> None:
    settings.EMAIL_BACKEND = "itsm.tests.test_notifications.BrokenBackend"
    notify(event="x", event_key="k", recipients=[demo["gm"]], subject="Hello")
    for _ in range(6):
        deliver_pending()
    row = Notification.objects.get()
    assert row.email_status == DeliveryStatus.FAILED
    assert "refused" in row.email_error


class BrokenBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise OSError("connection refused")


def test_in_app_list_badge_open_and_read_all(
    client: Client, demo: dict[str, Any], submitted: Document
) -> None:
    client.force_login(demo["gm"])
    page = client.get("/dashboard/").content.decode()
    assert 'data-unread="1"' in page
    listing = client.get("/notifications/").content.decode()
    assert submitted.reference in listing
    notification = Notification.objects.get(recipient=demo["gm"])
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == submitted.get_absolute_url()
    assert "data-unread=" not in client.get("/dashboard/").content.decode()
    client.force_login(demo["admin"])
    other = Notification.objects.get(recipient=demo["gm"])
    assert client.post(f"/notifications/{other.pk}/open/").status_code == 404
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=demo["admin"], read_at__isnull=True).exists()


def test_api_lists_only_my_notifications_and_marks_them_read(
    api_client: Any, demo: dict[str, Any], submitted: Document, make_user: Any
) -> None:
    api_client.force_authenticate(demo["gm"])
    data = api_client.get("/api/v1/notifications/").json()
    assert [n["subject"] for n in data["results"]] == [Notification.objects.get(recipient=demo["gm"]).subject]
    other = Notification.objects.get(recipient=demo["admin"])
    assert api_client.get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert (
        api_client.post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, format="json").status_code == 400
    )
    assert api_client.post("/api/v1/notifications/mark-read/", {}, format="json").json() == {"marked": 1}
    api_client.force_authenticate(make_user(Role.REQUESTER))
    assert api_client.get("/api/v1/notifications/").json()["results"] == []


def test_settings_form_saves_choices_and_open_is_post_only(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["gm"])
    response = client.post("/notifications/", {"muted_events": ["document.submitted", "not-an-event"]})
    assert response.status_code == 400
    assert "not-an-event" in response.content.decode()  # the choice error names the bad value
    assert not NotificationPreference.objects.filter(user=demo["gm"]).exists()
    response = client.post("/notifications/", {"email": "", "muted_events": ["document.submitted"]})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=demo["gm"])
    assert (preference.email, preference.muted_events) == (False, ["document.submitted"])
    assert client.get("/notifications/read/").status_code == 405

"""Comments notify the other side exactly once, whichever path added them: the incident's own note
endpoint, the portal, the core's generic notes page and the API (through ``itsm.notes`` hooks)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Incident, ServiceRequest
from itsm.notes import Note, note_add, note_hooks
from itsm.notifications import Notification

from .factories import log

pytestmark = pytest.mark.django_db


def assigned(world: Any) -> Incident:
    incident = log(world["agent"], reported_by=world["requester"])
    services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=3,
        urgency=3,
    )
    return services.incident_assign(
        incident=incident, actor=world["agent"], team=world.team, assignee=world["resolver"]
    )


def commented(person: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, event__endswith=".commented"))


def generic_add_url(record: Any) -> str:
    content_type = ContentType.objects.get_for_model(record)
    return reverse("itsm:note_add", args=[content_type.pk, record.pk])


def test_a_public_comment_on_the_generic_notes_page_notifies_the_requester_once(
    client: Client, world: Any
) -> None:
    incident = assigned(world)
    client.force_login(world["resolver"])
    response = client.post(generic_add_url(incident), {"kind": "comment", "body": "We restarted the relay."})
    assert response.status_code in (200, 302)
    note = Note.objects.get(body="We restarted the relay.")
    [notification] = commented(world["requester"])
    assert notification.event == "incident.commented"
    assert notification.event_key == f"note:{note.pk}"
    assert incident.reference in notification.subject
    assert notification.body == "We restarted the relay."
    assert commented(world["resolver"]) == []  # the writer is not told of their own comment


def test_a_comment_through_the_incident_endpoint_notifies_exactly_once(client: Client, world: Any) -> None:
    incident = assigned(world)
    client.force_login(world["agent"])
    response = client.post(
        reverse("incidents:incident_note_add", args=[incident.pk]), {"kind": "comment", "body": "On it"}
    )
    assert response.status_code == 302
    assert len(commented(world["requester"])) == 1
    assert Notification.objects.filter(event="incident.commented").count() == 1


def test_a_comment_through_the_generic_api_notifies_exactly_once(world: Any) -> None:
    incident = assigned(world)
    api = APIClient()
    api.force_authenticate(world["resolver"])
    response = api.post(
        f"/api/v1/incidents/{incident.pk}/notes/", {"kind": "comment", "body": "Fixed?"}, format="json"
    )
    assert response.status_code == 201
    assert len(commented(world["requester"])) == 1


def test_work_notes_notify_no_requester_whatever_the_path(client: Client, world: Any) -> None:
    incident = assigned(world)
    client.force_login(world["resolver"])
    client.post(generic_add_url(incident), {"kind": "work_note", "body": "Internal: relay log is full."})
    client.post(
        reverse("incidents:incident_note_add", args=[incident.pk]),
        {"kind": "work_note", "body": "Still full."},
    )
    services.incident_note_add(incident=incident, actor=world["agent"], kind="work_note", body="Cleared.")
    assert Note.objects.filter(kind="work_note").count() == 3
    assert Notification.objects.filter(event="incident.commented").count() == 0


def test_the_requesters_comment_in_the_portal_notifies_the_assignee(client: Client, world: Any) -> None:
    incident = assigned(world)
    client.force_login(world["requester"])
    response = client.post(reverse("portal:incident_comment", args=[incident.pk]), {"body": "Still broken"})
    assert response.status_code == 302
    [notification] = commented(world["resolver"])
    assert "requester commented" in notification.subject
    assert commented(world["requester"]) == []
    assert commented(world["agent"]) == []  # the assignee, not the whole team


def test_the_requesters_comment_without_an_assignee_notifies_the_team(world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=3,
        urgency=3,
    )
    services.incident_assign(incident=incident, actor=world["agent"], team=world.team)
    note_add(record=incident, actor=world["requester"], kind="comment", body="Any news?")
    assert len(commented(world["resolver"])) == 1
    assert len(commented(world["agent"])) == 1


def test_a_comment_that_fails_validation_notifies_nobody(client: Client, world: Any) -> None:
    incident = assigned(world)
    client.force_login(world["resolver"])
    client.post(generic_add_url(incident), {"kind": "comment", "body": "   "})
    assert not Note.objects.exists()
    assert not Notification.objects.filter(event="incident.commented").exists()


def test_the_hooks_are_registered_once() -> None:
    assert note_hooks(Incident) == [services.incident_note_added]
    assert note_hooks(ServiceRequest) == [services.service_request_note_added]


def test_service_request_comments_reach_the_other_side(client: Client, world: Any) -> None:
    laptop = services.catalogue_item_create(
        actor=world["manager"],
        data={
            "service": world.service,
            "fulfilment_target_minutes": 480,
            "name": "Laptop",
            "fulfilment_team": world.team,
        },
    )
    request = services.service_request_create(actor=world["requester"], data={"catalogue_item": laptop})
    client.force_login(world["resolver"])
    response = client.post(generic_add_url(request), {"kind": "comment", "body": "Which keyboard layout?"})
    assert response.status_code in (200, 302)
    [notification] = commented(world["requester"])
    assert notification.event == "request.commented"
    note_add(record=request, actor=world["requester"], kind="comment", body="Swiss German")
    assert len(commented(world["resolver"])) == 1  # the fulfilment team (no assignee yet)
    assert len(commented(world["requester"])) == 1  # not told of their own comment
    note_add(record=request, actor=world["resolver"], kind="work_note", body="Ordered.")
    assert len(commented(world["requester"])) == 1

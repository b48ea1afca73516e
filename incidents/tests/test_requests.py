"""Service requests: the catalogue, approval when the item needs it (never by the requester), fulfilment,
the portal and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django_fsm import TransitionNotAllowed
from rest_framework.test import APIClient

from incidents import services
from incidents.models import RequestCatalogueItem, ServiceRequest
from itsm.notifications import Notification
from itsm.records import allowed_transitions
from service_levels.models import Clock

pytestmark = pytest.mark.django_db


def item(world: Any, **kwargs: Any) -> RequestCatalogueItem:
    kwargs.setdefault("name", "New laptop")
    kwargs.setdefault("fulfilment_team", world.team)
    return services.catalogue_item_create(
        actor=world["manager"], data={"service": world.service, "fulfilment_target_minutes": 480, **kwargs}
    )


def test_without_approval_straight_to_fulfilment(world: Any) -> None:
    laptop = item(world)
    request = services.service_request_create(actor=world["requester"], data={"catalogue_item": laptop})
    assert request.reference.startswith("REQ-")
    assert (request.state, request.requested_for, request.customer) == (
        "new",
        world["requester"],
        world.customer,
    )
    assert request.due_at is not None
    assert Notification.objects.filter(recipient=world["resolver"], event="request.new").exists()
    assert sorted(allowed_transitions(request, world["manager"])) == ["cancel", "start_fulfilment"]
    with pytest.raises((PermissionDenied, TransitionNotAllowed)):
        services.service_request_approve(service_request=request, actor=world["manager"])
    services.service_request_start(service_request=request, actor=world["resolver"])
    assert (request.state, request.assignee) == ("in_fulfilment", world["resolver"])
    with pytest.raises(ValidationError):
        services.service_request_fulfil(service_request=request, actor=world["resolver"], note="")
    services.service_request_fulfil(
        service_request=request, actor=world["resolver"], note="Laptop handed over"
    )
    services.service_request_close(service_request=request, actor=world["requester"])
    assert request.state == "closed"
    assert Notification.objects.filter(recipient=world["requester"], event="request.status").count() == 2


def test_approval_by_the_named_approver_never_the_requester(world: Any) -> None:
    access = item(world, name="Finance share access", needs_approval=True, approver=world["manager"])
    request = services.service_request_create(actor=world["requester"], data={"catalogue_item": access})
    assert request.state == "awaiting_approval"
    assert Notification.objects.filter(recipient=world["manager"], event="request.approval_needed").exists()
    with pytest.raises(PermissionDenied):
        services.service_request_approve(service_request=request, actor=world["agent"])
    with pytest.raises(ValidationError):
        services.service_request_reject(service_request=request, actor=world["manager"], note="")
    services.service_request_approve(service_request=request, actor=world["manager"], note="OK for month-end")
    assert (request.state, request.approver) == ("approved", world["manager"])
    services.service_request_start(service_request=request, actor=world["agent"])
    assert request.state == "in_fulfilment"
    # The approver asking for the same item cannot approve their own request.
    own = services.service_request_create(actor=world["manager"], data={"catalogue_item": access})
    with pytest.raises(PermissionDenied):
        services.service_request_approve(service_request=own, actor=world["manager"])


def test_an_approver_role_and_rejection(world: Any) -> None:
    access = item(world, name="Admin rights", needs_approval=True, approver_role="incident_manager")
    request = services.service_request_create(actor=world["requester"], data={"catalogue_item": access})
    services.service_request_reject(service_request=request, actor=world["manager"], note="Not for this role")
    assert (request.state, request.decision_note) == ("rejected", "Not for this role")
    services.service_request_close(service_request=request, actor=world["agent"])
    assert request.state == "closed"


def test_requests_start_sla_clocks(world: Any) -> None:
    from service_levels.tests.clock_fixtures import make_agreement, make_calendar

    calendar = make_calendar(world["manager"], code="always", always_open=True)
    make_agreement(
        kind="sla",
        owner=world["manager"],
        calendar=calendar,
        targets={"P4": (60, 480)},
        customer=world.customer,
        services=[world.service],
    )
    request = services.service_request_create(actor=world["requester"], data={"catalogue_item": item(world)})
    assert Clock.objects.filter(object_id=str(request.pk), record_reference=request.reference).count() == 2
    services.service_request_cancel(service_request=request, actor=world["requester"], note="Not needed")
    assert set(Clock.objects.filter(record_reference=request.reference).values_list("state", flat=True)) == {
        "cancelled"
    }


def test_only_the_desk_asks_for_someone_else(world: Any) -> None:
    laptop = item(world)
    with pytest.raises(PermissionDenied):
        services.service_request_create(
            actor=world["requester"],
            data={"catalogue_item": laptop, "requested_for": world["other_requester"]},
        )
    request = services.service_request_create(
        actor=world["agent"], data={"catalogue_item": laptop, "requested_for": world["other_requester"]}
    )
    assert request.requested_for == world["other_requester"]


def test_portal_requests_are_ones_own(client: Client, world: Any) -> None:
    laptop = item(world)
    client.force_login(world["requester"])
    response = client.post(
        "/portal/requests/new/", {"catalogue_item": laptop.pk, "description": "For the new hire"}
    )
    assert response.status_code == 302
    request = ServiceRequest.objects.get()
    assert client.get(f"/portal/requests/{request.pk}/").status_code == 200
    assert request.reference.encode() in client.get("/portal/").content
    client.force_login(world["other_requester"])
    assert client.get(f"/portal/requests/{request.pk}/").status_code == 404
    assert request.reference.encode() not in client.get("/portal/").content


def test_desk_pages_and_transitions(client: Client, world: Any) -> None:
    laptop = item(world)
    client.force_login(world["agent"])
    response = client.post(
        "/incidents/requests/new/",
        {"catalogue_item": laptop.pk, "requested_for": world["requester"].pk, "priority": "P3"},
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert client.get("/incidents/requests/").status_code == 200
    assert client.get(request.get_absolute_url()).status_code == 200
    client.post(f"/incidents/requests/{request.pk}/start_fulfilment/")
    refused = client.post(f"/incidents/requests/{request.pk}/fulfil/", {"note": ""}, follow=True)
    assert "Say what was done" in refused.content.decode()
    client.post(f"/incidents/requests/{request.pk}/fulfil/", {"note": "Delivered"})
    request.refresh_from_db()
    assert request.state == "fulfilled"


def test_api(world: Any) -> None:
    access = item(world, name="VPN access", needs_approval=True, approver=world["manager"])
    requester = APIClient()
    requester.force_authenticate(world["requester"])
    created = requester.post("/api/v1/service-requests/", {"catalogue_item": access.pk}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["state"] == "awaiting_approval"
    assert requester.post(f"/api/v1/service-requests/{pk}/approve/", {}, format="json").status_code == 403
    manager = APIClient()
    manager.force_authenticate(world["manager"])
    approved = manager.post(f"/api/v1/service-requests/{pk}/approve/", {"note": "fine"}, format="json")
    assert approved.json()["state"] == "approved"
    assert manager.get("/api/v1/service-requests/", {"state": "approved"}).json()["results"][0]["id"] == pk
    assert requester.get("/api/v1/service-requests/").status_code == 403
    assert requester.get(f"/api/v1/service-requests/{pk}/").status_code == 200

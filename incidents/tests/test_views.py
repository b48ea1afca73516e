"""Incident pages: queue, log form, detail with transitions, bulk actions, the portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from incidents import services
from incidents.choices import IncidentState
from incidents.models import Incident
from itsm.notifications import Notification
from itsm.records import TransitionLog

from .factories import log

pytestmark = pytest.mark.django_db


def test_queue_lists_filters_and_searches(client: Client, world: Any) -> None:
    mine = log(world["agent"], reported_by=world["requester"], title="Printer on fire")
    services.incident_classify(
        incident=mine,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=1,
        urgency=1,
    )
    services.incident_assign(incident=mine, actor=world["agent"], team=world.team, assignee=world["resolver"])
    log(world["agent"], reported_by=world["requester"], title="Password reset")
    client.force_login(world["resolver"])
    page = client.get(reverse("incidents:incident_list"))
    assert page.status_code == 200
    assert b"Printer on fire" in page.content
    assert b"Password reset" in page.content
    mine_only = client.get(reverse("incidents:incident_list"), {"queue": "mine"})
    assert b"Printer on fire" in mine_only.content
    assert b"Password reset" not in mine_only.content
    found = client.get(reverse("incidents:incident_list"), {"q": "printer"})
    assert b"Printer on fire" in found.content
    assert b"Password reset" not in found.content
    by_ref = client.get(reverse("incidents:incident_list"), {"q": mine.reference})
    assert b"Printer on fire" in by_ref.content
    assert b"Password reset" not in by_ref.content
    p1 = client.get(reverse("incidents:incident_list"), {"priority": "P1"})
    assert b"Printer on fire" in p1.content
    assert b"Password reset" not in p1.content
    partial = client.get(reverse("incidents:incident_list"), {"q": "printer"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert b"Printer on fire" in partial.content
    assert "HX-Request" in partial["Vary"]
    csv = client.get(reverse("incidents:incident_list"), {"format": "csv", "q": "printer"})
    body = b"".join(csv.streaming_content).decode()
    assert "P1" in body
    assert "<span" not in body


def test_log_form_suggests_the_service_and_logs(client: Client, world: Any) -> None:
    client.force_login(world["agent"])
    suggest = client.get(
        reverse("incidents:incident_suggest"), {"customer": world.customer.pk}, HTTP_HX_REQUEST="true"
    )
    assert suggest.status_code == 200
    assert f'value="{world.service.pk}" selected'.encode() in suggest.content
    response = client.post(
        reverse("incidents:incident_create"),
        {
            "reported_by": world["requester"].pk,
            "customer": world.customer.pk,
            "service": world.service.pk,
            "title": "VPN drops",
            "channel": "phone",
            "impact": 2,
            "urgency": 1,
        },
    )
    incident = Incident.objects.get(title="VPN drops")
    assert response.status_code == 302
    assert response["Location"] == incident.get_absolute_url()
    assert incident.priority == "P1"
    bad = client.post(reverse("incidents:incident_create"), {"title": ""})
    assert bad.status_code == 400
    assert b"is-invalid" in bad.content


def test_detail_shows_only_allowed_transitions_and_runs_them(client: Client, world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    client.force_login(world["agent"])
    page = client.get(incident.get_absolute_url())
    assert b'data-transition="classify"' in page.content
    assert b'data-transition="resolve"' not in page.content
    url = reverse("incidents:incident_transition", args=[incident.pk, "classify"])
    missing = client.post(url, {"classify-impact": 1, "classify-urgency": 1})
    assert missing.status_code == 400
    assert b"is-invalid" in missing.content
    incident.refresh_from_db()
    assert incident.state == IncidentState.NEW
    done = client.post(
        url,
        {
            "classify-service": world.service.pk,
            "classify-category": world.category.pk,
            "classify-impact": 1,
            "classify-urgency": 2,
        },
    )
    assert done.status_code == 302
    incident.refresh_from_db()
    assert (incident.state, incident.priority) == (IncidentState.CLASSIFIED, "P1")


def test_an_illegal_move_is_refused_with_a_message(client: Client, world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    client.force_login(world["manager"])
    response = client.post(
        reverse("incidents:incident_transition", args=[incident.pk, "resolve"]),
        {"resolve-code": "fixed", "resolve-notes": "done"},
        follow=True,
    )
    assert "not allowed in the record&#x27;s current state" in response.content.decode()
    incident.refresh_from_db()
    assert incident.state == IncidentState.NEW
    assert (
        client.get(reverse("incidents:incident_transition", args=[incident.pk, "resolve"])).status_code == 405
    )
    assert (
        client.post(reverse("incidents:incident_transition", args=[incident.pk, "nonsense"])).status_code
        == 404
    )


def test_a_resolver_may_not_cancel(client: Client, world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    client.force_login(world["resolver"])
    response = client.post(
        reverse("incidents:incident_transition", args=[incident.pk, "cancel"]),
        {"cancel-reason": "logged_in_error", "cancel-note": "oops"},
    )
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.state == IncidentState.NEW


def test_priority_override_from_the_detail_page(client: Client, world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    client.force_login(world["agent"])
    url = reverse("incidents:incident_prioritise", args=[incident.pk])
    assert client.post(url, {"priority": "P1", "reason": ""}).status_code == 400
    assert client.post(url, {"priority": "P1", "reason": "CEO laptop"}).status_code == 302
    incident.refresh_from_db()
    assert (incident.priority, incident.priority_override_reason) == ("P1", "CEO laptop")


def test_bulk_assign_reports_each_row(client: Client, world: Any) -> None:
    ready = log(world["agent"], reported_by=world["requester"], title="Ready")
    services.incident_classify(
        incident=ready,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=3,
        urgency=3,
    )
    fresh = log(world["agent"], reported_by=world["requester"], title="Fresh")  # new: cannot be assigned
    client.force_login(world["agent"])
    response = client.post(
        reverse("incidents:incident_bulk"),
        {"action": "assign", "team": world.team.pk, "ids": [ready.pk, fresh.pk]},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('data-ok="1"') == 1
    assert content.count('data-ok="0"') == 1
    ready.refresh_from_db()
    fresh.refresh_from_db()
    assert ready.state == IncidentState.ASSIGNED
    assert fresh.state == IncidentState.NEW


def test_comment_from_the_detail_page_notifies_the_requester(client: Client, world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    client.force_login(world["agent"])
    response = client.post(
        reverse("incidents:incident_note_add", args=[incident.pk]), {"kind": "comment", "body": "On it"}
    )
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=world["requester"], event="incident.commented").exists()
    page = client.get(incident.get_absolute_url(), {"tab": "notes"})
    assert reverse("incidents:incident_note_add", args=[incident.pk]).encode() in page.content


def test_portal_shows_only_ones_own_incidents(client: Client, world: Any) -> None:
    own = log(world["agent"], reported_by=world["requester"], title="My screen flickers")
    other = log(world["agent"], reported_by=world["other_requester"], title="Someone else's")
    client.force_login(world["requester"])
    home = client.get(reverse("portal:home"))
    assert b"My screen flickers" in home.content
    assert b"Someone else" not in home.content
    assert client.get(reverse("portal:incident_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("portal:incident_detail", args=[other.pk])).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 403  # the agent pages are not theirs
    assert client.get(reverse("incidents:incident_list")).status_code == 403
    response = client.post(reverse("portal:incident_comment", args=[other.pk]), {"body": "hi"})
    assert response.status_code == 404
    # Notes and attachments of another's incident: not found, through the generic pages too.
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Incident).pk
    assert client.get(f"/notes/{content_type}/{other.pk}/").status_code == 404
    assert client.get(f"/notes/{content_type}/{own.pk}/").status_code == 200


def test_requester_reports_comments_and_confirms(client: Client, world: Any) -> None:
    client.force_login(world["requester"])
    response = client.post(
        reverse("portal:report"), {"title": "Cannot print", "description": "Since 9am", "urgency": 3}
    )
    incident = Incident.objects.get(title="Cannot print")
    assert response.status_code == 302
    assert (incident.reported_by, incident.channel, incident.customer) == (
        world["requester"],
        "portal",
        world.customer,
    )
    services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=3,
        urgency=3,
    )
    services.incident_resolve(
        incident=incident, actor=world["resolver"], code="fixed", notes="Driver reinstalled"
    )
    page = client.get(reverse("portal:incident_detail", args=[incident.pk]))
    assert b"Driver reinstalled" in page.content
    assert b'data-transition="confirm"' in page.content
    client.post(reverse("portal:incident_comment", args=[incident.pk]), {"body": "Thanks!"})
    client.post(reverse("portal:incident_transition", args=[incident.pk, "confirm"]))
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert TransitionLog.objects.filter(reference=incident.reference, transition="confirm").exists()


def test_priority_matrix_page_changes_cells(client: Client, world: Any) -> None:
    client.force_login(world["agent"])
    page = client.get(reverse("incidents:priority_matrix"))
    assert page.status_code == 200
    assert b'name="cell_1_1"' not in page.content
    assert client.post(reverse("incidents:priority_matrix"), {}).status_code == 403
    client.force_login(world["manager"])
    data = {f"cell_{i}_{u}": "P4" for i in range(1, 5) for u in range(1, 5)}
    data["cell_1_1"] = "P1"
    assert client.post(reverse("incidents:priority_matrix"), data).status_code == 302
    incident = log(world["agent"], reported_by=world["requester"], impact=2, urgency=2)
    assert incident.priority == "P4"


@pytest.mark.parametrize("selective_matches", [1000, 1])
def test_search_finds_the_same_rows_for_rare_and_frequent_terms(
    client: Client, world: Any, monkeypatch: pytest.MonkeyPatch, selective_matches: int
) -> None:
    """A term matching few incidents narrows the page by their ids; one matching more than the cut is
    tested row by row. The agent sees the same rows either way."""
    from incidents import selectors

    monkeypatch.setattr(selectors, "SELECTIVE_MATCHES", selective_matches)
    for title in ("Printer jammed", "Printer offline", "Password reset"):
        log(world["agent"], reported_by=world["requester"], title=title)
    client.force_login(world["agent"])
    page = client.get(reverse("incidents:incident_list"), {"q": "printer"}).content
    assert b"Printer jammed" in page
    assert b"Printer offline" in page
    assert b"Password reset" not in page
    nothing = client.get(reverse("incidents:incident_list"), {"q": "quokka"}).content
    assert b"Printer jammed" not in nothing

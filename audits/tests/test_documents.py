"""Controlled documents in the browser and over the API: buttons, transitions, 403/404/409, timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from audits import services
from audits.models import Document


@pytest.fixture
def document(demo: dict[str, Any]) -> Document:
    return services.document_create(
        actor=demo["mr"],
        data={"title": "Incident management procedure", "code": "ZBX-ITSM-B-07", "owner": demo["mr"]},
    )


def test_only_allowed_transitions_show_as_buttons(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    services.document_submit(document=document, actor=demo["mr"])
    client.force_login(demo["mr"])
    page = client.get(document.get_absolute_url()).content.decode()
    assert 'data-transition="approve"' not in page  # the owner does not approve
    client.force_login(demo["gm"])
    page = client.get(document.get_absolute_url()).content.decode()
    assert 'data-transition="approve"' in page
    assert 'data-transition="reject"' in page
    assert 'data-transition="publish"' not in page
    client.force_login(demo["agent"])
    assert "data-transition=" not in client.get(document.get_absolute_url()).content.decode()


def test_approving_in_the_browser_then_a_stale_action_is_explained(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    services.document_submit(document=document, actor=demo["mr"])
    client.force_login(demo["gm"])
    response = client.post(f"/audits/documents/{document.pk}/approve/", follow=True)
    assert "Done:" in response.content.decode()
    document.refresh_from_db()
    assert document.state == "approved"
    response = client.post(f"/audits/documents/{document.pk}/reject/", {"note": "late"}, follow=True)
    assert "not allowed in the record" in response.content.decode()


def test_a_transition_needing_a_reason_says_so(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    services.document_submit(document=document, actor=demo["mr"])
    client.force_login(demo["gm"])
    response = client.post(f"/audits/documents/{document.pk}/reject/", {"note": ""}, follow=True)
    assert "Say what must change" in response.content.decode()
    document.refresh_from_db()
    assert document.state == "in_review"


def test_transitions_are_post_only_and_denied_without_permission(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    services.document_submit(document=document, actor=demo["mr"])
    client.force_login(demo["gm"])
    assert client.get(f"/audits/documents/{document.pk}/approve/").status_code == 405
    client.force_login(demo["agent"])
    assert client.post(f"/audits/documents/{document.pk}/approve/").status_code == 403
    client.force_login(demo["requester"])
    assert client.post(f"/audits/documents/{document.pk}/approve/").status_code == 403
    document.refresh_from_db()
    assert document.state == "in_review"


def test_edit_only_while_draft(client: Client, demo: dict[str, Any], document: Document) -> None:
    client.force_login(demo["mr"])
    assert client.get(f"/audits/documents/{document.pk}/edit/").status_code == 200
    services.document_submit(document=document, actor=demo["mr"])
    assert client.get(f"/audits/documents/{document.pk}/edit/").status_code == 403


def test_timeline_shows_changes_and_transitions(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    services.document_update(document=document, actor=demo["mr"], data={"version": "1.1"})
    services.document_submit(document=document, actor=demo["mr"], note="Ready")
    client.force_login(demo["agent"])
    response = client.get(f"{document.get_absolute_url()}?tab=timeline", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "<html" not in text
    assert "Version: <del>1.0</del> → <ins>1.1</ins>" in text
    assert "Draft → In review" in text
    assert "Ready" in text


def test_api_create_transition_conflict_and_timeline(api_client: Any, demo: dict[str, Any]) -> None:
    api_client.force_authenticate(demo["mr"])
    response = api_client.post(
        "/api/v1/documents/", {"title": "Change procedure", "owner": demo["mr"].pk}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"].startswith("DOC-")
    assert data["allowed_transitions"] == ["submit"]
    pk = data["id"]
    assert (
        api_client.post(f"/api/v1/documents/{pk}/submit/", {}, format="json").json()["state"] == "in_review"
    )
    assert api_client.post(f"/api/v1/documents/{pk}/approve/", {}, format="json").status_code == 403
    response = api_client.post(f"/api/v1/documents/{pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    api_client.force_authenticate(demo["gm"])
    response = api_client.post(f"/api/v1/documents/{pk}/reject/", {"note": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "note": ["Say what must change before the document can be approved."]
    }
    events = api_client.get(f"/api/v1/documents/{pk}/timeline/").json()
    assert [e["kind"] for e in events] == ["created", "transition"]
    api_client.force_authenticate(demo["requester"])
    assert api_client.get(f"/api/v1/documents/{pk}/").status_code in (403, 404)


def test_api_answers_409_when_the_record_moved_meanwhile(
    api_client: Any, demo: dict[str, Any], document: Document
) -> None:
    from unittest import mock

    from django_fsm import ConcurrentTransition

    services.document_submit(document=document, actor=demo["mr"])
    api_client.force_authenticate(demo["gm"])
    with mock.patch("audits.services.run_transition", side_effect=ConcurrentTransition("moved")):
        response = api_client.post(f"/api/v1/documents/{document.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"

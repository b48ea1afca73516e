"""Every page and endpoint of the shell for anonymous, unpermitted and permitted users."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audits.models import Document, Objective
from audits.services import document_create
from itsm.models import Department, Team
from itsm.notes import attachment_add, note_add
from itsm.testing import check_endpoint, check_page

# (url template, user without permission or None when every signed-in user may, user with permission)
PAGES = [
    ("/dashboard/", None, "requester"),
    ("/profile/", None, "requester"),
    ("/password/", None, "requester"),
    ("/people/", "agent", "incident.manager"),
    ("/people/{agent}/", "requester", "admin"),
    ("/people/{agent}/roles/", "mr", "admin"),
    ("/teams/", "requester", "agent"),
    ("/teams/{team}/", "requester", "agent"),
    ("/teams/new/", "agent", "admin"),
    ("/teams/{team}/edit/", "agent", "admin"),
    ("/departments/", "requester", "agent"),
    ("/departments/{department}/", "requester", "agent"),
    ("/departments/new/", "agent", "admin"),
    ("/departments/{department}/edit/", "mr", "admin"),
    ("/audits/objectives/", "requester", "agent"),
    ("/audits/objectives/{objective}/", "requester", "auditor"),
    ("/audits/objectives/new/", "agent", "mr"),
    ("/audits/objectives/{objective}/edit/", "auditor", "gm"),
    ("/audit-trail/", "agent", "auditor"),
    ("/api/v1/docs/", None, "requester"),
    ("/notifications/", None, "requester"),
    ("/saved-filters/", None, "requester"),
    ("/audits/documents/", "requester", "agent"),
    ("/audits/documents/{document}/", "requester", "agent"),
    ("/audits/documents/new/", "agent", "mr"),
    ("/audits/documents/{document}/edit/", "gm", "mr"),
    ("/audits/documents/{document}/?tab=notes", "requester", "agent"),
    ("/audits/documents/{document}/?tab=attachments", "requester", "agent"),
    ("/notes/{document_type}/{document}/", "requester", "agent"),
    ("/notes/{note}/edit/", "agent", "mr"),
    ("/attachments/{document_type}/{document}/", "requester", "auditor"),
    ("/attachments/{attachment}/download/", "requester", "auditor"),
]

ENDPOINTS = [
    ("/api/v1/me/", None, "requester"),
    ("/api/v1/users/", "agent", "admin"),
    ("/api/v1/users/{agent}/", "resolver", "admin"),
    ("/api/v1/teams/", "requester", "agent"),
    ("/api/v1/teams/{team}/", "requester", "agent"),
    ("/api/v1/departments/", "requester", "agent"),
    ("/api/v1/departments/{department}/", "requester", "agent"),
    ("/api/v1/objectives/", "requester", "agent"),
    ("/api/v1/objectives/{objective}/", "requester", "mr"),
    ("/api/v1/schema/", None, "requester"),
    ("/api/v1/saved-filters/", None, "requester"),
    ("/api/v1/notifications/", None, "requester"),
    ("/api/v1/documents/", "requester", "agent"),
    ("/api/v1/documents/{document}/", "requester", "agent"),
    ("/api/v1/documents/{document}/timeline/", "requester", "auditor"),
    ("/api/v1/documents/{document}/notes/", "requester", "agent"),
    ("/api/v1/documents/{document}/attachments/", "requester", "agent"),
]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def fill(url: str, demo: dict[str, Any]) -> str:
    values = {
        "agent": lambda: demo["agent"].pk,
        "team": lambda: Team.objects.get(code="service-desk").pk,
        "department": lambda: Department.objects.get(code="marketing").pk,
        "objective": lambda: Objective.objects.get(code="timely-response").pk,
        "document": lambda: _document(demo).pk,
        "document_type": lambda: ContentType.objects.get_for_model(Document).pk,
        # A note written by the management representative; an attachment uploaded by the agent.
        "note": lambda: (
            note_add(record=_document(demo), actor=demo["mr"], kind="work_note", body="Checked").pk
        ),
        "attachment": lambda: (
            attachment_add(
                record=_document(demo),
                actor=demo["agent"],
                uploaded_file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n"),
            ).pk
        ),
    }
    return url.format(**{name: value() for name, value in values.items() if f"{{{name}}}" in url})


def _document(demo: dict[str, Any]) -> Document:
    existing = Document.objects.first()
    if existing is not None:
        return existing
    return document_create(actor=demo["mr"], data={"title": "Service continuity plan", "owner": demo["mr"]})


@pytest.mark.parametrize(("url", "denied", "allowed"), PAGES)
def test_page_permissions(
    client: Client, demo: dict[str, Any], url: str, denied: str | None, allowed: str
) -> None:
    check_page(client, demo, fill(url, demo), denied, allowed)


@pytest.mark.parametrize(("url", "denied", "allowed"), ENDPOINTS)
def test_endpoint_permissions(
    api_client: Any, demo: dict[str, Any], url: str, denied: str | None, allowed: str
) -> None:
    check_endpoint(api_client, demo, fill(url, demo), denied, allowed)


@pytest.mark.parametrize("url", ["/login/", "/healthz"])
def test_public_pages_answer_anonymous_users(client: Client, db: Any, url: str) -> None:
    assert client.get(url).status_code == 200

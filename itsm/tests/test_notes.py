"""Work notes, comments and attachments on a record (proven on controlled documents): services with
history, who reads what (page, timeline, API), attachments checked by content, downloads by policy."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from audits import services
from audits.models import Document
from itsm.audit import AuditEntry
from itsm.choices import NoteKind
from itsm.notes import (
    Attachment,
    Note,
    attachment_add,
    attachment_remove,
    detect_type,
    note_add,
    note_edit,
)
from itsm.policy import is_active_user, policy
from itsm.timeline import timeline_for

# A real 1x1 PNG and a minimal PDF.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\x0bIDATx\x9cc`\x00\x02\x00\x00\x05\x00\x01z^\xab?\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def document(demo: dict[str, Any]) -> Document:
    return services.document_create(actor=demo["mr"], data={"title": "Backup procedure", "owner": demo["mr"]})


@pytest.fixture
def requester_may_view_documents() -> Iterator[None]:
    """A record type whose requester may see it (as incidents will): here, every signed-in person may
    view documents. Work notes must still stay hidden from anyone without a staff role."""
    key = ("audits.document", "view")
    original = policy._rules[key]
    policy._rules[key] = type(original)(check=lambda user, obj: is_active_user(user))
    yield
    policy._rules[key] = original


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def ct_id(record: Any) -> int:
    return ContentType.objects.get_for_model(record).pk


# Notes: services and history --------------------------------------------------------------------


def test_adding_and_editing_a_note_writes_history_with_actor_and_reason(
    demo: dict[str, Any], document: Document
) -> None:
    note = note_add(
        record=document, actor=demo["agent"], kind=NoteKind.WORK_NOTE, body="  Checked the tapes.  "
    )
    assert note.body == "Checked the tapes."
    assert note.edited_at is None

    note_edit(note=note, actor=demo["agent"], body="Checked the tapes: all readable.")
    note.refresh_from_db()
    assert note.body == "Checked the tapes: all readable."
    assert note.edited_at is not None

    rows = list(note.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in rows] == [
        ("+", demo["agent"], "create"),
        ("~", demo["agent"], "edit"),
    ]
    assert rows[0].body == "Checked the tapes."  # the earlier text is kept
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Note), object_id=str(note.pk)
    )
    assert [(e.action, e.reason, e.actor_id) for e in entries] == [
        ("+", "create", demo["agent"].pk),
        ("~", "edit", demo["agent"].pk),
    ]


def test_saving_the_same_text_writes_no_history(demo: dict[str, Any], document: Document) -> None:
    note = note_add(record=document, actor=demo["agent"], kind=NoteKind.COMMENT, body="Same")
    note_edit(note=note, actor=demo["agent"], body="Same ")
    assert note.history.count() == 1


def test_only_the_author_or_someone_who_may_change_the_record_edits_a_note(
    demo: dict[str, Any], document: Document
) -> None:
    note = note_add(record=document, actor=demo["agent"], kind=NoteKind.WORK_NOTE, body="Tape 3 is missing.")
    with pytest.raises(PermissionDenied):
        note_edit(note=note, actor=demo["resolver"], body="Rewritten by someone else")
    note.refresh_from_db()
    assert note.body == "Tape 3 is missing."
    assert note.history.count() == 1

    # The document's owner may change the draft, so may correct notes on it; history names them.
    note_edit(note=note, actor=demo["mr"], body="Tape 3 was found.")
    assert note.history.latest("history_date").history_user == demo["mr"]


def test_empty_or_too_long_notes_are_refused(demo: dict[str, Any], document: Document) -> None:
    with pytest.raises(ValidationError) as empty:
        note_add(record=document, actor=demo["agent"], kind=NoteKind.COMMENT, body="   \n ")
    assert "empty" in str(empty.value)
    with pytest.raises(ValidationError):
        note_add(record=document, actor=demo["agent"], kind=NoteKind.COMMENT, body="x" * 10_001)
    with pytest.raises(ValidationError):
        note_add(record=document, actor=demo["agent"], kind="secret", body="x")
    assert not Note.objects.exists()


def test_a_person_who_may_not_see_the_record_adds_nothing(demo: dict[str, Any], document: Document) -> None:
    with pytest.raises(PermissionDenied):
        note_add(record=document, actor=demo["requester"], kind=NoteKind.COMMENT, body="Hello")
    with pytest.raises(PermissionDenied):
        attachment_add(record=document, actor=demo["requester"], uploaded_file=upload("a.png", PNG))
    assert not Note.objects.exists()
    assert not Attachment.objects.exists()


# Who reads what ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("requester_may_view_documents")
def test_requesters_never_see_work_notes_on_the_page_the_timeline_or_the_api(
    client: Client, api_client: Any, demo: dict[str, Any], document: Document
) -> None:
    note_add(record=document, actor=demo["agent"], kind=NoteKind.WORK_NOTE, body="Internal: vendor is late")
    note_add(record=document, actor=demo["agent"], kind=NoteKind.COMMENT, body="We are on it")

    client.force_login(demo["requester"])
    page = client.get(f"{document.get_absolute_url()}?tab=notes").content.decode()
    assert "We are on it" in page
    assert "vendor is late" not in page
    assert 'value="work_note"' not in page  # the form offers comments only
    panel = client.get(f"/notes/{ct_id(document)}/{document.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "We are on it" in panel
    assert "vendor is late" not in panel
    timeline = client.get(f"{document.get_absolute_url()}?tab=timeline").content.decode()
    assert "We are on it" in timeline
    assert "vendor is late" not in timeline
    assert [
        e.kind for e in timeline_for(document, viewer=demo["requester"]) if e.kind in ("work_note", "comment")
    ] == ["comment"]
    assert "work_note" not in [e.kind for e in timeline_for(document)]  # no viewer: what everyone may read

    api_client.force_authenticate(demo["requester"])
    notes = api_client.get(f"/api/v1/documents/{document.pk}/notes/").json()
    assert [n["body"] for n in notes] == ["We are on it"]
    events = api_client.get(f"/api/v1/documents/{document.pk}/timeline/").json()
    assert "vendor is late" not in json.dumps(events)

    # They may comment, but never write a work note or attach (attachments need staff here).
    response = api_client.post(
        f"/api/v1/documents/{document.pk}/notes/", {"kind": "work_note", "body": "sneaky"}, format="json"
    )
    assert response.status_code == 403
    response = api_client.post(
        f"/api/v1/documents/{document.pk}/notes/", {"kind": "comment", "body": "Thanks"}, format="json"
    )
    assert response.status_code == 201
    assert Note.objects.filter(kind=NoteKind.WORK_NOTE).count() == 1


def test_staff_see_both_kinds_with_their_labels(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    note_add(record=document, actor=demo["agent"], kind=NoteKind.WORK_NOTE, body="Internal: vendor is late")
    note_add(record=document, actor=demo["agent"], kind=NoteKind.COMMENT, body="We are on it")
    client.force_login(demo["auditor"])
    page = client.get(f"{document.get_absolute_url()}?tab=notes").content.decode()
    assert "vendor is late" in page
    assert "We are on it" in page
    assert "Internal" in page
    kinds = [e.kind for e in timeline_for(document, viewer=demo["auditor"])]
    assert kinds.count("work_note") == 1
    assert kinds.count("comment") == 1


def test_a_note_names_the_author_and_body_is_escaped(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    note_add(record=document, actor=demo["agent"], kind=NoteKind.COMMENT, body="<script>alert(1)</script>")
    client.force_login(demo["agent"])
    page = client.get(f"{document.get_absolute_url()}?tab=notes").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert str(demo["agent"]) in page


# Notes in the browser ----------------------------------------------------------------------------


def test_adding_a_note_in_the_browser_with_and_without_htmx(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    client.force_login(demo["agent"])
    url = f"/notes/{ct_id(document)}/{document.pk}/add/"
    response = client.post(url, {"kind": "work_note", "body": "Restored from tape 2"})
    assert response.status_code == 302
    note = Note.objects.get()
    assert response["Location"] == f"{document.get_absolute_url()}?tab=notes#note-{note.pk}"

    response = client.post(url, {"kind": "comment", "body": "Done"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "record-changed"
    body = response.content.decode()
    assert 'id="notes-panel"' in body
    assert "<html" not in body  # the panel only
    assert "Restored from tape 2" in body
    assert "Done" in body


def test_bad_note_input_is_explained_inline_and_keeps_the_text(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    client.force_login(demo["agent"])
    url = f"/notes/{ct_id(document)}/{document.pk}/add/"
    response = client.post(url, {"kind": "work_note", "body": "   "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps it in
    assert "This field is required." in response.content.decode()

    typed = "Long analysis " + "x" * 10_000
    response = client.post(url, {"kind": "work_note", "body": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 10000 characters" in page
    assert typed in page  # nothing typed is lost
    assert not Note.objects.exists()


def test_editing_a_note_in_the_browser(client: Client, demo: dict[str, Any], document: Document) -> None:
    note = note_add(record=document, actor=demo["agent"], kind=NoteKind.WORK_NOTE, body="First")
    client.force_login(demo["resolver"])
    assert client.get(f"/notes/{note.pk}/edit/").status_code == 403
    assert client.post(f"/notes/{note.pk}/edit/", {"body": "Hijacked"}).status_code == 403
    client.force_login(demo["agent"])
    assert (
        client.get(f"{document.get_absolute_url()}?tab=notes")
        .content.decode()
        .count(f"/notes/{note.pk}/edit/")
    )
    response = client.post(f"/notes/{note.pk}/edit/", {"body": ""})
    assert response.status_code == 400
    response = client.post(f"/notes/{note.pk}/edit/", {"body": "Second"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.body == "Second"
    assert note.history.latest("history_date").history_change_reason == "edit"


def test_notes_of_a_record_someone_may_not_see_are_not_found(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    note = note_add(record=document, actor=demo["agent"], kind=NoteKind.COMMENT, body="Hi")
    client.force_login(demo["requester"])
    assert client.get(f"/notes/{ct_id(document)}/{document.pk}/").status_code == 404
    assert (
        client.post(
            f"/notes/{ct_id(document)}/{document.pk}/add/", {"kind": "comment", "body": "x"}
        ).status_code
        == 404
    )
    assert client.get(f"/notes/{note.pk}/edit/").status_code == 404
    # A model that takes no notes (no rules) is not found either, even for staff.
    client.force_login(demo["admin"])
    user_ct = ContentType.objects.get(app_label="itsm", model="user")
    assert client.get(f"/notes/{user_ct.pk}/{demo['agent'].pk}/").status_code == 404
    assert Note.objects.count() == 1


def test_anonymous_visitors_go_to_the_login_page(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    for url in (f"/notes/{ct_id(document)}/{document.pk}/", f"/attachments/{ct_id(document)}/{document.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


# Attachments -------------------------------------------------------------------------------------


def test_a_real_png_and_pdf_are_accepted_by_their_content(demo: dict[str, Any], document: Document) -> None:
    png = attachment_add(record=document, actor=demo["agent"], uploaded_file=upload("screen shot.png", PNG))
    pdf = attachment_add(record=document, actor=demo["agent"], uploaded_file=upload("报告.bin", PDF))
    assert (png.mime_type, png.size, png.original_name) == ("image/png", len(PNG), "screen shot.png")
    assert pdf.mime_type == "application/pdf"  # by content, whatever the name
    assert len(png.sha256) == 64
    history = png.history.get()
    assert (history.history_user, history.history_change_reason) == (demo["agent"], "attach")


def test_the_stored_file_has_a_generated_name_under_media_attachments(
    settings: Any, demo: dict[str, Any], document: Document
) -> None:
    attachment = attachment_add(
        record=document, actor=demo["agent"], uploaded_file=upload("Budget 2026.pdf", PDF)
    )
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT) / "attachments")
    assert "Budget" not in attachment.file.name
    assert not attachment.file.name.endswith(".pdf")
    assert stored.read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", PE),  # a Windows executable renamed
        ("setup.exe", PE),
        ("invoice.pdf", HTML),  # HTML disguised as a PDF
        ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("tool.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 40),
        ("data.txt", b"\x00\x01\x02\x03binary"),
    ],
)
def test_dangerous_or_unknown_content_is_refused_whatever_its_name(
    demo: dict[str, Any], document: Document, name: str, content: bytes
) -> None:
    with pytest.raises(ValidationError) as refused:
        attachment_add(record=document, actor=demo["agent"], uploaded_file=upload(name, content, "image/png"))
    assert "not accepted" in str(refused.value)
    assert not Attachment.objects.exists()


def test_files_over_the_limit_and_empty_files_are_refused(
    settings: Any, demo: dict[str, Any], document: Document
) -> None:
    settings.ITSM_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as too_large:
        attachment_add(
            record=document, actor=demo["agent"], uploaded_file=upload("big.pdf", PDF + b" " * 100)
        )
    assert "too large" in str(too_large.value)
    with pytest.raises(ValidationError) as empty:
        attachment_add(record=document, actor=demo["agent"], uploaded_file=upload("empty.txt", b""))
    assert "empty" in str(empty.value)
    assert not Attachment.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT)).rglob("*.*"))


def test_the_allow_list_comes_from_the_settings(
    settings: Any, demo: dict[str, Any], document: Document
) -> None:
    settings.ITSM_ATTACHMENT_TYPES = ["application/pdf"]
    with pytest.raises(ValidationError):
        attachment_add(record=document, actor=demo["agent"], uploaded_file=upload("a.png", PNG))
    settings.ITSM_ATTACHMENT_TYPES = ["text/html", "application/pdf"]  # HTML is never accepted
    with pytest.raises(ValidationError):
        attachment_add(record=document, actor=demo["agent"], uploaded_file=upload("a.html", HTML))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.gif", b"GIF89a\x01\x00\x01\x00", "image/gif"),
        ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("a.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (
            "a.docx",
            _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "a.zip",
            _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "a.odt",
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<o/>"}),
            "application/vnd.oasis.opendocument.text",
        ),
        ("a.zip", _zip({"readme.txt": b"hello"}), "application/zip"),
        ("a.zip", b"PK\x03\x04 broken", "application/octet-stream"),
        ("notes.log", "第一行\nsecond line\n".encode(), "text/plain"),
        ("export.csv", b"id,name\n1,Li Na\n", "text/csv"),
        ("export.txt", b"id,name\n1,Li Na\n", "text/plain"),
        ("data.json", b'{"a": [1, 2]}', "application/json"),
        (
            "mail.eml",
            b"From: a@example.com\r\nTo: b@example.com\r\nSubject: Hi\r\n\r\nBody\r\n",
            "message/rfc822",
        ),
        ("page.txt", b"  <html><body>hi</body></html>", "text/html"),
    ],
)
def test_types_are_detected_by_content(name: str, content: bytes, expected: str) -> None:
    assert detect_type(io.BytesIO(content), name) == expected


# Attachments in the browser and downloads --------------------------------------------------------


def test_uploading_in_the_browser_and_inline_errors(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    client.force_login(demo["agent"])
    url = f"/attachments/{ct_id(document)}/{document.pk}/add/"
    response = client.post(url, {"file": upload("evil.pdf", HTML)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    response = client.post(url, {}, HTTP_HX_REQUEST="true")
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"file": upload("evil.pdf", HTML)})
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert not Attachment.objects.exists()

    response = client.post(url, {"file": upload("diagram.png", PNG)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "diagram.png" in response.content.decode()
    response = client.post(url, {"file": upload("plan.pdf", PDF)})
    assert response.status_code == 302
    assert response["Location"] == f"{document.get_absolute_url()}?tab=attachments"
    page = client.get(response["Location"]).content.decode()
    assert "plan.pdf" in page
    assert "diagram.png" in page


def test_download_with_permission_has_safe_headers(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    attachment = attachment_add(
        record=document, actor=demo["agent"], uploaded_file=upload("Plan 计划.pdf", PDF)
    )
    client.force_login(demo["auditor"])
    response = client.get(f"/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Plan%20%E8%AE%A1%E5%88%92.pdf" in disposition


def test_download_without_permission_is_not_found_and_anonymous_must_sign_in(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    attachment = attachment_add(record=document, actor=demo["agent"], uploaded_file=upload("plan.pdf", PDF))
    url = f"/attachments/{attachment.pk}/download/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    client.force_login(demo["requester"])
    assert client.get(url).status_code == 404
    assert client.get("/attachments/999999/download/").status_code == 404


def test_removing_an_attachment_keeps_its_history_and_file(
    client: Client, demo: dict[str, Any], document: Document
) -> None:
    attachment = attachment_add(record=document, actor=demo["agent"], uploaded_file=upload("plan.pdf", PDF))
    client.force_login(demo["resolver"])  # neither the uploader nor allowed to change the document
    assert client.post(f"/attachments/{attachment.pk}/remove/").status_code == 403
    client.force_login(demo["agent"])
    response = client.post(f"/attachments/{attachment.pk}/remove/")
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_by == demo["agent"]
    assert attachment.history.latest("history_date").history_change_reason == "remove"
    assert Path(attachment.file.path).exists()
    assert client.get(f"/attachments/{attachment.pk}/download/").status_code == 404
    with pytest.raises(PermissionDenied):
        attachment_remove(attachment=attachment, actor=demo["agent"])  # already removed
    kinds = [
        (e.kind, e.title) for e in timeline_for(document, viewer=demo["agent"]) if e.kind == "attachment"
    ]
    assert kinds == [("attachment", "Attached plan.pdf"), ("attachment", "Removed plan.pdf")]


# API ---------------------------------------------------------------------------------------------


def test_notes_and_attachments_over_the_api(
    api_client: Any, demo: dict[str, Any], document: Document
) -> None:
    token = Token.objects.create(user=demo["agent"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    base = f"/api/v1/documents/{document.pk}"

    response = api_client.post(f"{base}/notes/", {"kind": "work_note", "body": "Checked"}, format="json")
    assert response.status_code == 201
    assert response.json()["kind"] == "work_note"
    response = api_client.post(f"{base}/notes/", {"kind": "comment", "body": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "body" in response.json()["fields"]

    response = api_client.post(f"{base}/attachments/", {"file": upload("shot.png", PNG)}, format="multipart")
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["mime_type"], created["size"]) == ("shot.png", "image/png", len(PNG))
    assert created["download_url"].endswith(f"/attachments/{created['id']}/download/")

    response = api_client.post(f"{base}/attachments/", {"file": upload("x.pdf", PE)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "not accepted" in response.json()["fields"]["file"][0]
    response = api_client.post(f"{base}/attachments/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["fields"]

    assert [n["body"] for n in api_client.get(f"{base}/notes/").json()] == ["Checked"]
    assert [a["name"] for a in api_client.get(f"{base}/attachments/").json()] == ["shot.png"]
    kinds = {e["kind"] for e in api_client.get(f"{base}/timeline/").json()}
    assert {"work_note", "attachment"} <= kinds


def test_the_api_hides_records_and_refuses_writes_without_permission(
    api_client: Any, demo: dict[str, Any], document: Document
) -> None:
    api_client.force_authenticate(demo["requester"])
    base = f"/api/v1/documents/{document.pk}"
    assert api_client.get(f"{base}/notes/").status_code == 404
    response = api_client.post(f"{base}/notes/", {"kind": "comment", "body": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = api_client.post(f"{base}/attachments/", {"file": upload("a.png", PNG)}, format="multipart")
    assert response.status_code == 404
    assert not Note.objects.exists()
    assert not Attachment.objects.exists()

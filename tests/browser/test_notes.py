"""Notes and attachments on a record's page, through the htmx tabs."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.browser
def test_notes_and_attachments_in_the_tabs(
    login: Callable[..., Page], settings: Any, tmp_path: Path, browser: object
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page = login("agent")
    page.goto("/audits/documents/")
    page.locator("table a[href*='/audits/documents/']").first.click()
    page.wait_for_url(re.compile(r"/audits/documents/\d+/$"))

    page.get_by_role("link", name="Notes", exact=True).click()
    panel = page.get_by_test_id("notes-panel")
    expect(panel).to_contain_text("No notes or comments yet.")
    expect(panel.get_by_label("Text")).to_have_attribute("maxlength", "10000")
    panel = page.get_by_test_id("notes-panel")
    panel.get_by_label("Text").fill("Section 4 needs the new escalation matrix.")
    panel.get_by_label("Work note").check()
    panel.get_by_role("button", name="Add").click()
    expect(page.get_by_test_id("notes")).to_contain_text("Section 4 needs the new escalation matrix.")
    expect(page.get_by_test_id("notes")).to_contain_text("Internal")

    page.get_by_role("link", name="Attachments", exact=True).click()
    upload = tmp_path / "Escalation matrix.pdf"
    upload.write_bytes(PDF)
    fake = tmp_path / "matrix.pdf"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    panel = page.get_by_test_id("attachments-panel")
    panel.get_by_label("File").set_input_files(str(fake))
    panel.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("attachments-panel")).to_contain_text("not accepted")
    page.get_by_test_id("attachments-panel").get_by_label("File").set_input_files(str(upload))
    page.get_by_test_id("attachments-panel").get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("attachments")).to_contain_text("Escalation matrix.pdf")
    expect(page.get_by_test_id("attachments")).to_contain_text("application/pdf")
    if os.environ.get("ITSM_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["ITSM_SCREENSHOTS"], "attachments.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Escalation matrix.pdf").click()
    assert download.value.suggested_filename == "Escalation matrix.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    page.get_by_role("link", name="Timeline", exact=True).click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Attached Escalation matrix.pdf")
    expect(page.get_by_test_id("timeline")).to_contain_text("Section 4 needs the new escalation matrix.")
    page.get_by_role("link", name="Notes", exact=True).click()
    expect(page.get_by_test_id("notes")).to_contain_text("Section 4")
    if os.environ.get("ITSM_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["ITSM_SCREENSHOTS"], "notes.png"), full_page=True)

"""A controlled document through its lifecycle in the browser: draft, review, send back, approve."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.browser
def test_document_review_by_two_people(login: Callable[..., Page], browser: object) -> None:
    page = login("mr")
    page.goto("/audits/documents/")
    page.keyboard.press("c")  # the create shortcut
    page.wait_for_url(re.compile(r"/audits/documents/new/$"))
    page.get_by_label("Title").fill("Problem management procedure")
    page.get_by_label("Document code").fill("ZBX-ITSM-B-08")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/audits/documents/\d+/$"))
    url = page.url
    expect(page.locator(".status-badge")).to_contain_text("Draft")
    expect(page.locator("[data-transition=approve]")).to_have_count(0)
    page.locator("[data-transition=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Done")
    expect(page.locator(".status-badge")).to_contain_text("In review")
    # The owner may not approve their own document.
    expect(page.locator("[data-transition=approve]")).to_have_count(0)

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill("gm")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_test_id("notifications-link")).to_contain_text("unread")

    page.goto(url)
    page.locator("[data-transition=reject]").click()  # the note is required: the browser stops it
    expect(page.locator(".status-badge")).to_contain_text("In review")
    page.locator("#note-reject").fill("Add the escalation matrix")
    page.locator("[data-transition=reject]").click()
    expect(page.locator(".status-badge")).to_contain_text("Draft")

    page.get_by_role("link", name="Timeline").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("In review → Draft")
    expect(timeline).to_contain_text("Add the escalation matrix")

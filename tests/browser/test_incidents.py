"""An incident from the phone call to the requester's confirmation, in the browser; and a major incident
that top management hears about."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect


def sign_out(page: Page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/"))


def sign_in(page: Page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))


def run(page: Page, transition: str, **fields: str) -> None:
    """Open a transition's panel, fill its fields (by label; selects by option label) and submit."""
    page.locator(f"[data-transition={transition}]").click()
    panel = page.locator(f"#panel-{transition}")
    expect(panel).to_be_visible()
    for label, value in fields.items():
        field = panel.get_by_label(label.replace("_", " "))
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    # Wait for this submission's answer: the "Done" of the previous transition may still be shown.
    with page.expect_response(lambda response: response.request.method == "POST"):
        panel.locator(f"[data-submit={transition}]").click()
    expect(page.locator(".alert-success")).to_contain_text("Done")


def state(page: Page) -> object:
    return expect(page.locator(".detail-header .status-badge"))


@pytest.mark.browser
def test_agent_logs_resolver_works_requester_confirms(login: Callable[..., Page]) -> None:
    page = login("agent")
    page.goto("/incidents/")
    page.keyboard.press("c")  # the create shortcut: the quick log form
    page.wait_for_url(re.compile(r"/incidents/new/$"))
    page.get_by_label("Reported by").select_option(label="Wang Fang")
    page.get_by_label("Customer").select_option(label="Finance department 财务部")
    # The customer's services are offered first (htmx); the agent picks the ERP.
    expect(page.locator("[data-testid=service-select] optgroup").first).to_have_attribute(
        "label", re.compile("Services of Finance department")
    )
    page.get_by_label("Affected service").select_option(label="ERP")
    page.get_by_label("Title").fill("Cannot post invoices in the ERP")
    page.get_by_role("button", name="Log incident").click()
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    url = page.url
    state(page).to_contain_text("New")

    # Impact 2 x urgency 1 is P1 in the matrix.
    run(
        page,
        "classify",
        Category="Software / ERP application",
        Impact="2 Significant / large",
        Urgency="1 Critical",
    )
    state(page).to_contain_text("Classified")
    expect(page.get_by_test_id("priority")).to_contain_text("P1")
    run(page, "assign", Team="Application support", Assignee="Zhang Wei")
    state(page).to_contain_text("Assigned")
    sign_out(page)

    sign_in(page, "resolver")
    page.goto("/incidents/?queue=mine")
    page.get_by_role("link", name="Cannot post invoices in the ERP").first.click()
    page.wait_for_url(url)
    run(page, "start")
    state(page).to_contain_text("In progress")
    run(page, "hold", Waiting_for="Awaiting the customer", Note="Asked for the invoice number.")
    state(page).to_contain_text("On hold")
    page.get_by_role("link", name="SLA clocks").click()
    expect(page.locator("[data-testid=sla-clocks] [data-state=paused]").first).to_be_visible()
    run(page, "resume")
    state(page).to_contain_text("In progress")
    run(page, "resolve", Resolution_code="Fixed (permanent)", Resolution_notes="Reopened the posting period.")
    state(page).to_contain_text("Resolved")
    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("On hold")
    sign_out(page)

    sign_in(page, "requester")
    expect(page.get_by_test_id("notifications-link")).to_contain_text("unread")
    page.goto("/portal/")
    page.get_by_role("link", name=re.compile("Cannot post invoices in the ERP")).first.click()
    expect(page.get_by_test_id("resolution")).to_contain_text("Reopened the posting period.")
    expect(page.get_by_test_id("portal-progress")).to_contain_text("On hold")
    page.locator("[data-transition=confirm]").click()
    expect(page.locator(".alert-success")).to_contain_text("Thank you")
    expect(page.locator(".detail-header .status-badge")).to_contain_text("Closed")


@pytest.mark.browser
def test_major_incident_reaches_top_management(login: Callable[..., Page]) -> None:
    page = login("incident.manager")
    page.goto("/incidents/new/")
    page.get_by_label("Customer").select_option(label="Huaxin Retail Co. 华信零售")
    page.get_by_label("Affected service").select_option(label="Internet sales platform")
    page.get_by_label("Title").fill("Web shop checkout down for everyone")
    page.get_by_label("Impact").select_option(label="1 Extensive / widespread")
    page.get_by_label("Urgency").select_option(label="1 Critical")
    page.get_by_role("button", name="Log incident").click()
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    run(page, "declare_major", Major_incident_manager="Chen Jing", Note="Checkout returns errors.")
    expect(page.get_by_test_id("major-badge")).to_be_visible()
    expect(page.get_by_test_id("major-panel")).to_contain_text("Chen Jing")
    sign_out(page)

    sign_in(page, "gm")
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("Major incident declared")
    expect(page.locator("main")).to_contain_text("Web shop checkout down for everyone")

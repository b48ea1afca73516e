"""Journeys through the shell in a real browser: sign-in, role-aware navigation, lists, keyboard, language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

TEAMS_ASCENDING = [
    "Application support",
    "Change advisory board",
    "Infrastructure",
    "Internal audit group 内审组",
    "Service desk 服务台",
]


def nav_area(page: Page, area: str) -> Locator:
    return page.get_by_test_id("process-nav").locator(f"li[data-area='{area}']")


def team_names(page: Page) -> Locator:
    """The Name cell of every row of the results table."""
    return page.locator("#results table tbody tr td:first-child")


@pytest.mark.browser
def test_agent_sees_own_work_but_not_the_people_directory(login: Callable[..., Page]) -> None:
    page = login("agent")

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Li Na")
    expect(page.get_by_test_id("roles")).to_have_text("Service desk agent")
    my_work = page.locator("section[data-widget='my-work']")
    expect(my_work).to_contain_text("Your work")
    expect(my_work.get_by_role("link", name="Service desk 服务台")).to_be_visible()
    expect(page.locator("section[data-widget='operations']")).to_have_count(0)
    expect(page.locator("section[data-widget='people']")).to_have_count(0)

    # The agent has no access to people: no "People" entry in the navigation. Every staff member may
    # see teams and departments (itsm/permissions.py), so the area itself offers only those two.
    nav = page.get_by_test_id("process-nav")
    expect(nav.locator("a[href='/people/']")).to_have_count(0)
    people_area = nav_area(page, "people")
    expect(people_area.locator("a.dropdown-item")).to_have_text(["Teams", "Departments"])

    response = page.goto("/people/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()


@pytest.mark.browser
def test_requester_sees_no_process_area(login: Callable[..., Page]) -> None:
    page = login("requester")

    expect(page.get_by_test_id("roles")).to_have_text("Requester")
    expect(page.get_by_test_id("process-nav").locator("li[data-area]")).to_have_count(0)
    expect(page.locator("section[data-widget]")).to_have_count(1)
    expect(page.locator("section[data-widget='my-work']")).to_be_visible()


@pytest.mark.browser
def test_admin_browses_teams_from_the_navigation(login: Callable[..., Page]) -> None:
    page = login("admin")

    expect(page.get_by_test_id("roles")).to_have_text("Administrator")
    expect(page.locator("section[data-widget='operations']")).to_contain_text("Operations")
    expect(page.locator("section[data-widget='people']")).to_be_visible()

    people_area = nav_area(page, "people")
    expect(people_area.locator("a.dropdown-item")).to_have_text(["People", "Teams", "Departments"])
    people_area.locator(".dropdown-toggle").click()
    teams_link = people_area.get_by_role("link", name="Teams", exact=True)
    expect(teams_link).to_be_visible()
    teams_link.click()
    page.wait_for_url(re.compile(r"/teams/$"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    expect(team_names(page)).to_have_text(TEAMS_ASCENDING)

    # The default order, by name ascending, shows on its header; one click reverses it.
    expect(page.locator("#results thead a[aria-sort='ascending']")).to_contain_text("Name")
    page.locator("#results thead").get_by_role("link", name="Name").click()
    expect(page.locator("#results thead a[aria-sort='descending']")).to_contain_text("Name")
    expect(page).to_have_url(re.compile(r"[?&]sort=-name\b"))
    expect(team_names(page)).to_have_text(list(reversed(TEAMS_ASCENDING)))

    page.locator("#results").get_by_role("link", name="Service desk 服务台").click()
    page.wait_for_url(re.compile(r"/teams/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Service desk 服务台")
    members = page.locator("#tab-panel ul li")
    expect(members).to_have_count(2)
    expect(members.filter(has_text="Chen Jing")).to_contain_text("lead")
    expect(members.filter(has_text="Li Na")).to_be_visible()


@pytest.mark.browser
def test_wrong_password_keeps_the_login_form(page: Page, live_demo: dict[str, int]) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_label("Username")).to_have_value("agent")
    expect(page.get_by_test_id("process-nav")).to_have_count(0)


def open_teams_and_focus_search(page: Page) -> Locator:
    page.goto("/teams/")
    expect(team_names(page)).to_have_text(TEAMS_ASCENDING)
    # A marker on the window survives htmx swaps but not a full page load.
    page.evaluate("window.__sameDocument = true")
    search = page.locator("input[data-shortcut='search']")
    expect(search).not_to_be_focused()
    page.locator("body").press("/")
    expect(search).to_be_focused()
    expect(search).to_have_value("")
    return search


@pytest.mark.browser
def test_slash_focuses_search_and_enter_filters_in_place(login: Callable[..., Page]) -> None:
    page = login("admin")
    search = open_teams_and_focus_search(page)

    search.type("infra")
    search.press("Enter")

    expect(team_names(page)).to_have_text(["Infrastructure"])
    expect(page.locator("#results")).not_to_contain_text("Application support")
    expect(page).to_have_url(re.compile(r"[?&]q=infra\b"))
    assert page.evaluate("window.__sameDocument") is True


@pytest.mark.browser
def test_typing_in_search_filters_as_you_type(login: Callable[..., Page]) -> None:
    page = login("admin")
    search = open_teams_and_focus_search(page)

    page.keyboard.type("infra")

    # The form waits 400 ms after the last key before it asks the server.
    expect(team_names(page)).to_have_text(["Infrastructure"], timeout=3_000)
    expect(page.locator("#results")).not_to_contain_text("Application support")
    assert page.evaluate("window.__sameDocument") is True
    expect(search).to_be_focused()


@pytest.mark.browser
def test_filtering_keeps_the_sort_chosen_in_place(login: Callable[..., Page]) -> None:
    page = login("admin")
    page.goto("/teams/?sort=-name")
    expect(team_names(page)).to_have_text(list(reversed(TEAMS_ASCENDING)))
    page.locator("#results thead").get_by_role("link", name="Name").click()
    expect(team_names(page)).to_have_text(TEAMS_ASCENDING)

    search = page.locator("input[data-shortcut='search']")
    search.fill("in")
    search.press("Enter")

    expect(team_names(page)).to_have_text(["Infrastructure", "Internal audit group 内审组"], timeout=3_000)


@pytest.mark.browser
def test_sign_out_from_the_user_menu(login: Callable[..., Page]) -> None:
    page = login("agent")

    page.get_by_test_id("user-menu").click()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    sign_out.click()

    page.wait_for_url(re.compile(r"/login/$"))
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/dashboard/$"))


@pytest.mark.browser
def test_language_switch_sets_the_page_language(login: Callable[..., Page]) -> None:
    page = login("agent")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Choosing a language submits the form; Django's set_language redirects back to this page.
    page.locator("select#language-select").select_option("zh-hans")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("select#language-select")).to_have_value("zh-hans")

"""List pages: keyset pagination, sorting, filters, CSV export and constant query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from itsm.choices import Role
from itsm.tests.factories import TeamFactory
from itsm.ui.lists import csv_safe, encode_cursor


@pytest.fixture
def agent_client(client: Client, make_user: Any) -> Client:
    client.force_login(make_user(Role.SERVICE_DESK_AGENT))
    return client


def names(response: Any) -> list[str]:
    return re.findall(r'<a href="/teams/\d+/">(Team \d+)</a>', response.content.decode())


def next_link(response: Any) -> str | None:
    match = re.search(r'rel="next" href="\?([^"]+)"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


def test_keyset_pages_walk_every_row_once_in_order(agent_client: Client) -> None:
    TeamFactory.create_batch(120)
    seen: list[str] = []
    query: str | None = "sort=name"
    while query:
        response = agent_client.get(f"/teams/?{query}")
        assert response.status_code == 200
        seen += names(response)
        query = next_link(response)
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 120


def test_previous_link_returns_the_page_before(agent_client: Client) -> None:
    TeamFactory.create_batch(60)
    first = agent_client.get("/teams/?sort=name")
    second = agent_client.get(f"/teams/?{next_link(first)}")
    previous = re.search(r'rel="prev" href="\?([^"]+)"', second.content.decode())
    assert previous is not None
    back = agent_client.get("/teams/?" + previous.group(1).replace("&amp;", "&"))
    assert names(back) == names(first)


def test_descending_sort_and_search_filter(agent_client: Client) -> None:
    TeamFactory(name="Alpha desk", code="alpha")
    TeamFactory(name="Beta network", code="beta")
    TeamFactory(name="Gamma desk", code="gamma")
    response = agent_client.get("/teams/?sort=-name&q=desk")
    text = response.content.decode()
    assert text.index("Gamma desk") < text.index("Alpha desk")
    assert "Beta network" not in text


def test_unknown_sort_and_tampered_cursor_fall_back_instead_of_failing(agent_client: Client) -> None:
    TeamFactory.create_batch(3)
    assert agent_client.get("/teams/?sort=password").status_code == 200
    assert agent_client.get("/teams/?cursor=%%%garbage").status_code == 200
    assert (
        agent_client.get(f"/teams/?sort=name&cursor={encode_cursor('after', ['x', 'not-a-pk'])}").status_code
        == 200
    )


def test_invalid_filter_value_shows_a_message(agent_client: Client) -> None:
    response = agent_client.get("/teams/?department=not-a-number")
    assert response.status_code == 200
    assert "Some filters are not valid" in response.content.decode()


def test_htmx_request_gets_the_results_partial_and_vary_header(agent_client: Client) -> None:
    TeamFactory(name="Only team")
    response = agent_client.get("/teams/", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "Only team" in text
    assert "<html" not in text
    assert "HX-Request" in response["Vary"]


def test_csv_export_has_what_the_filters_show_and_defuses_formulas(agent_client: Client) -> None:
    TeamFactory(name="=HYPERLINK(evil)", code="evil")
    TeamFactory(name="Plain", code="plain")
    response = agent_client.get("/teams/?format=csv&q=HYPERLINK")
    content = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(evil)" in content
    assert "Plain" not in content
    assert csv_safe(None) == ""


def test_list_query_count_does_not_grow_with_rows(agent_client: Client) -> None:
    TeamFactory.create_batch(5)
    agent_client.get("/teams/")
    with CaptureQueriesContext(connection) as few:
        agent_client.get("/teams/")
    TeamFactory.create_batch(45)
    with CaptureQueriesContext(connection) as many:
        agent_client.get("/teams/")
    assert len(many) == len(few)

"""Saved filters of list pages: saving, applying, renaming and deleting; who sees them (private, team,
everyone); validation and the sanitized query; the pages and the API across permissions; and no extra
query per list page view once the cache is warm."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from itsm.choices import SavedFilterSharing
from itsm.models import Team
from itsm.saved_filters import (
    SavedFilter,
    list_filters,
    saved_filter_create,
    saved_filter_delete,
    saved_filter_update,
    visible_filters,
)
from itsm.services import team_update
from itsm.testing import check_endpoint, check_page

INCIDENTS = "incidents:incident_list"
TEAMS = "itsm:team_list"


@pytest.fixture
def desk(demo: dict[str, Any]) -> Team:
    return Team.objects.get(code="service-desk")  # agent and incident.manager


def save(actor: Any, name: str = "P1 open", query: str = "priority=P1", **kwargs: Any) -> SavedFilter:
    kwargs.setdefault("list_key", INCIDENTS)
    return saved_filter_create(actor=actor, name=name, query=query, **kwargs)


def names(user: Any, list_key: str = INCIDENTS) -> list[str]:
    return [f.name for f in list_filters(user, list_key).filters]


# Services ------------------------------------------------------------------------------------------


def test_the_query_keeps_only_the_lists_filters_and_sort(demo: dict[str, Any]) -> None:
    saved = save(
        demo["agent"],
        query="?state=new&state=assigned&cursor=abc&format=csv&page=3&bogus=1&priority=&sort=-priority&q=mail",
    )
    assert saved.query == "state=new&state=assigned&sort=-priority&q=mail"
    assert saved.url == "/incidents/?state=new&state=assigned&sort=-priority&q=mail"
    # A sort by something that is not a sortable column is dropped too.
    assert save(demo["agent"], name="odd", query="sort=password&queue=mine").query == "queue=mine"


def test_history_keeps_who_created_renamed_and_deleted(demo: dict[str, Any]) -> None:
    saved = save(demo["agent"])
    saved_filter_update(saved_filter=saved, actor=demo["agent"], name="Critical")
    pk = saved.pk
    saved_filter_delete(saved_filter=saved, actor=demo["agent"])
    rows = SavedFilter.history.filter(id=pk).order_by("history_id")
    assert [(r.history_type, r.name, r.history_user, r.history_change_reason) for r in rows] == [
        ("+", "P1 open", demo["agent"], "create"),
        ("~", "Critical", demo["agent"], "update"),
        ("-", "Critical", demo["agent"], "delete"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"list_key": "incidents:incident_detail"}, "list_key"),
        ({"list_key": "no-such:list"}, "list_key"),
        ({"sharing": "world"}, "sharing"),
        ({"sharing": SavedFilterSharing.EVERYONE}, "sharing"),  # an agent is no manager
        ({"sharing": SavedFilterSharing.TEAM}, "team"),  # which team?
    ],
)
def test_bad_input_is_a_validation_error(demo: dict[str, Any], kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        save(demo["agent"], **kwargs)
    assert field in error.value.message_dict
    assert not SavedFilter.objects.exists()


def test_names_are_unique_per_owner_and_list(demo: dict[str, Any]) -> None:
    save(demo["agent"])
    with pytest.raises(ValidationError) as error:
        save(demo["agent"], query="priority=P2")
    assert "name" in error.value.message_dict
    save(demo["agent"], list_key=TEAMS, query="")  # another list
    save(demo["incident.manager"])  # another person


def test_a_filter_is_shared_only_with_a_team_of_ones_own(demo: dict[str, Any], desk: Team) -> None:
    with pytest.raises(ValidationError) as error:
        save(demo["resolver"], sharing=SavedFilterSharing.TEAM, team=desk)
    assert "team" in error.value.message_dict


def test_a_list_one_may_not_see_takes_no_filter(demo: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        save(demo["requester"])
    assert "list_key" in error.value.message_dict


def test_only_the_owner_changes_or_deletes(demo: dict[str, Any]) -> None:
    saved = save(demo["incident.manager"], sharing=SavedFilterSharing.EVERYONE)
    with pytest.raises(PermissionDenied):
        saved_filter_update(saved_filter=saved, actor=demo["agent"], name="Mine now")
    with pytest.raises(PermissionDenied):
        saved_filter_delete(saved_filter=saved, actor=demo["agent"])
    saved.refresh_from_db()
    assert saved.name == "P1 open"


# Who sees what --------------------------------------------------------------------------------------


def test_private_team_and_everyone(demo: dict[str, Any], desk: Team) -> None:
    save(demo["agent"], name="Private")
    save(demo["agent"], name="Desk", sharing=SavedFilterSharing.TEAM, team=desk)
    save(demo["incident.manager"], name="All of us", sharing=SavedFilterSharing.EVERYONE)
    assert names(demo["agent"]) == ["All of us", "Desk", "Private"]
    assert names(demo["incident.manager"]) == ["All of us", "Desk"]  # same team, not the private one
    assert names(demo["resolver"]) == ["All of us"]  # another team
    assert names(demo["agent"], TEAMS) == []  # filters belong to their list


def test_leaving_the_team_hides_its_filters_at_once(demo: dict[str, Any], desk: Team) -> None:
    save(demo["agent"], name="Desk", sharing=SavedFilterSharing.TEAM, team=desk)
    assert names(demo["incident.manager"]) == ["Desk"]  # now cached
    team_update(team=desk, actor=demo["admin"], data={"lead": None}, members=[demo["agent"]])
    assert names(demo["incident.manager"]) == []


def test_a_changed_filter_shows_at_once_despite_the_cache(demo: dict[str, Any]) -> None:
    saved = save(demo["incident.manager"], sharing=SavedFilterSharing.EVERYONE)
    assert names(demo["agent"]) == ["P1 open"]
    saved_filter_update(saved_filter=saved, actor=demo["incident.manager"], name="Critical")
    assert names(demo["agent"]) == ["Critical"]
    saved_filter_update(
        saved_filter=saved, actor=demo["incident.manager"], sharing=SavedFilterSharing.PRIVATE
    )
    assert names(demo["agent"]) == []
    saved_filter_delete(saved_filter=saved, actor=demo["incident.manager"])
    assert names(demo["incident.manager"]) == []


# Pages ----------------------------------------------------------------------------------------------


def test_save_the_current_filter_and_apply_it(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["agent"])
    page = client.get("/incidents/?priority=P1&cursor=zzz")
    assert b'data-testid="saved-filters"' in page.content
    # Cold cache: a placeholder that loads the control (htmx) or links to it (no JavaScript).
    control = "/saved-filters/control/?list_key=incidents%3Aincident_list&amp;query=priority%3DP1"
    assert f'hx-get="{control}"'.encode() in page.content
    fragment = client.get(control.replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"No saved filters yet." in fragment.content
    assert b"<html" not in fragment.content
    assert b'name="query" value="priority=P1"' in fragment.content
    assert b"No saved filters yet." in client.get("/incidents/").content  # warm now
    response = client.post(
        "/saved-filters/new/",
        {"list_key": INCIDENTS, "query": "priority=P1&cursor=zzz", "name": "Critical", "shared": "private"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/incidents/?priority=P1"
    saved = SavedFilter.objects.get()
    assert (saved.owner, saved.list_key, saved.name) == (demo["agent"], INCIDENTS, "Critical")
    page = client.get("/incidents/")
    assert b'href="/incidents/?priority=P1"' in page.content  # applying it is a plain link
    assert b"Critical" in page.content


def test_every_list_page_has_the_control(client: Client, demo: dict[str, Any], desk: Team) -> None:
    client.force_login(demo["agent"])
    response = client.post(
        "/saved-filters/new/",
        {"list_key": TEAMS, "query": "q=desk", "name": "Desk teams", "shared": f"team:{desk.pk}"},
    )
    assert response["Location"] == "/teams/?q=desk"
    client.force_login(demo["incident.manager"])
    assert (
        b"Desk teams" in client.get("/saved-filters/control/", {"list_key": TEAMS}).content
    )  # a page without JS
    page = client.get("/teams/")
    assert b"Desk teams" in page.content
    assert b'value="everyone"' in page.content  # a manager may share with everyone
    client.force_login(demo["agent"])
    assert b'value="everyone"' not in client.get("/teams/").content


@pytest.mark.parametrize(
    "data",
    [
        {"list_key": INCIDENTS, "query": "", "name": "", "shared": "private"},
        {"list_key": INCIDENTS, "query": "", "name": "x", "shared": "everyone"},
        {"list_key": INCIDENTS, "query": "", "name": "x", "shared": "team:999999"},
        {"list_key": "nonsense", "query": "", "name": "x", "shared": "private"},
        {"name": "x"},
    ],
)
def test_bad_input_shows_the_form_with_errors(
    client: Client, demo: dict[str, Any], data: dict[str, str]
) -> None:
    client.force_login(demo["agent"])
    response = client.post("/saved-filters/new/", data)
    assert response.status_code == 400
    assert b'data-testid="saved-filter-edit-form"' in response.content
    assert b"invalid-feedback" in response.content or b"alert-danger" in response.content
    assert not SavedFilter.objects.exists()


def test_a_duplicate_name_is_a_form_error(client: Client, demo: dict[str, Any]) -> None:
    save(demo["agent"], name="Critical")
    client.force_login(demo["agent"])
    response = client.post(
        "/saved-filters/new/", {"list_key": INCIDENTS, "query": "", "name": "Critical", "shared": "private"}
    )
    assert response.status_code == 400
    assert "You already have a filter of this name" in response.content.decode()


def test_manage_rename_and_delete(client: Client, demo: dict[str, Any], desk: Team) -> None:
    own = save(demo["agent"])
    shared = save(demo["incident.manager"], name="Desk view", sharing=SavedFilterSharing.TEAM, team=desk)
    client.force_login(demo["agent"])
    page = client.get("/saved-filters/").content.decode()
    assert "P1 open" in page
    assert "Desk view" in page
    assert "Incidents" in page
    assert f"/saved-filters/{own.pk}/edit/" in page
    assert f"/saved-filters/{shared.pk}/edit/" not in page  # others' filters are read-only
    response = client.post(
        f"/saved-filters/{own.pk}/edit/", {"name": "Critical", "shared": f"team:{desk.pk}"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.sharing, own.team) == ("Critical", SavedFilterSharing.TEAM, desk)
    response = client.post(f"/saved-filters/{own.pk}/edit/", {"name": "", "shared": "private"})
    assert response.status_code == 400
    assert client.get(f"/saved-filters/{own.pk}/delete/").status_code == 405
    assert client.post(f"/saved-filters/{own.pk}/delete/").status_code == 302
    assert not SavedFilter.objects.filter(pk=own.pk).exists()


def test_others_filters_are_forbidden_or_not_found(client: Client, demo: dict[str, Any], desk: Team) -> None:
    shared = save(demo["incident.manager"], name="Desk view", sharing=SavedFilterSharing.TEAM, team=desk)
    client.force_login(demo["agent"])  # sees it (same team) but does not own it
    assert client.get(f"/saved-filters/{shared.pk}/edit/").status_code == 403
    assert client.post(f"/saved-filters/{shared.pk}/delete/").status_code == 403
    client.force_login(demo["resolver"])  # does not see it
    assert (
        client.post(f"/saved-filters/{shared.pk}/edit/", {"name": "x", "shared": "private"}).status_code
        == 404
    )
    assert client.post(f"/saved-filters/{shared.pk}/delete/").status_code == 404
    shared.refresh_from_db()
    assert shared.name == "Desk view"


def test_permission_matrix_of_the_pages(client: Client, demo: dict[str, Any]) -> None:
    saved = save(demo["agent"])
    check_page(client, demo, "/saved-filters/", None, "requester")
    client.logout()
    check_page(client, demo, f"/saved-filters/{saved.pk}/edit/", "resolver", "agent")
    client.logout()
    check_page(client, demo, f"/saved-filters/control/?list_key={INCIDENTS}", "requester", "agent")
    client.logout()
    for url in ("/saved-filters/new/", f"/saved-filters/{saved.pk}/delete/"):
        response = client.post(url, {"name": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    assert SavedFilter.objects.get().name == "P1 open"


# API ------------------------------------------------------------------------------------------------


def test_permission_matrix_of_the_endpoint(api_client: APIClient, demo: dict[str, Any]) -> None:
    saved = save(demo["agent"])
    check_endpoint(api_client, demo, "/api/v1/saved-filters/", None, "requester")
    api_client.credentials()
    check_endpoint(api_client, demo, f"/api/v1/saved-filters/{saved.pk}/", "resolver", "agent")


def test_api_lists_own_and_shared_and_changes_only_own(
    api_client: APIClient, demo: dict[str, Any], desk: Team
) -> None:
    save(demo["agent"], name="Private")
    shared = save(demo["incident.manager"], name="Desk view", sharing=SavedFilterSharing.TEAM, team=desk)
    save(demo["resolver"], name="Not mine")
    api_client.force_authenticate(demo["agent"])
    rows = api_client.get("/api/v1/saved-filters/").json()["results"]
    assert sorted((r["name"], r["mine"]) for r in rows) == [("Desk view", False), ("Private", True)]
    created = api_client.post(
        "/api/v1/saved-filters/",
        {"list_key": INCIDENTS, "name": "Open", "query": "state=new&cursor=x&nope=1"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["query"], body["sharing"], body["url"]) == ("state=new", "private", "/incidents/?state=new")
    updated = api_client.patch(f"/api/v1/saved-filters/{body['id']}/", {"name": "Open ones"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["name"] == "Open ones"
    assert (
        api_client.patch(f"/api/v1/saved-filters/{shared.pk}/", {"name": "x"}, format="json").status_code
        == 403
    )
    assert api_client.delete(f"/api/v1/saved-filters/{shared.pk}/").status_code == 403
    assert api_client.delete(f"/api/v1/saved-filters/{body['id']}/").status_code == 204
    assert visible_filters(demo["agent"]).count() == 2


def test_api_errors_have_the_json_shape(api_client: APIClient, demo: dict[str, Any]) -> None:
    api_client.force_authenticate(demo["agent"])
    response = api_client.post(
        "/api/v1/saved-filters/", {"list_key": INCIDENTS, "name": "", "sharing": "everyone"}, format="json"
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["code"] == "validation_error"
    assert "name" in body["fields"]
    response = api_client.post(
        "/api/v1/saved-filters/", {"list_key": INCIDENTS, "name": "All", "sharing": "everyone"}, format="json"
    )
    assert response.status_code == 400
    assert "sharing" in response.json()["fields"]
    assert not SavedFilter.objects.exists()


# Query budget ---------------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _warm_queries(client: Client, url: str, list_key: str) -> tuple[int, int]:
    """The page's queries with a cold cache, then once the control was loaded (as htmx does)."""
    cold = _queries(client, url)
    assert b"/saved-filters/control/" in client.get(url).content
    assert (
        client.get(
            "/saved-filters/control/", {"list_key": list_key}, headers={"HX-Request": "true"}
        ).status_code
        == 200
    )
    return cold, _queries(client, url)


@pytest.mark.parametrize("url", ["/incidents/", "/teams/"])
def test_saved_filters_cost_no_query_once_the_cache_is_warm(
    client: Client, demo: dict[str, Any], desk: Team, url: str
) -> None:
    client.force_login(demo["agent"])
    list_key = INCIDENTS if url == "/incidents/" else TEAMS
    cold, without = _warm_queries(client, url, list_key)
    assert cold == without  # the list page never reads saved filters from the database
    save(demo["agent"], name="Mine", list_key=list_key, query="q=a")
    save(demo["agent"], name="Mine too", list_key=list_key, query="q=b")
    save(demo["agent"], name="Desk", list_key=list_key, sharing=SavedFilterSharing.TEAM, team=desk)
    save(
        demo["incident.manager"], name="Desk 2", list_key=list_key, sharing=SavedFilterSharing.TEAM, team=desk
    )
    save(demo["incident.manager"], name="All", list_key=list_key, sharing=SavedFilterSharing.EVERYONE)
    cold_five, with_five = _warm_queries(client, url, list_key)
    assert cold_five == with_five == without
    page = client.get(url).content.decode()
    for name in ("Mine", "Mine too", "Desk", "Desk 2", "All"):
        assert f">{name}</a>" in page

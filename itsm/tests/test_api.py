"""API of the core: ordering, cursor pages, filters, writes through services."""

from __future__ import annotations

from typing import Any

from itsm.choices import Role
from itsm.models import Team
from itsm.tests.factories import TeamFactory


def test_teams_come_in_name_order_across_cursor_pages(api_client: Any, make_user: Any) -> None:
    api_client.force_authenticate(make_user(Role.SERVICE_DESK_AGENT))
    TeamFactory.create_batch(7)
    names: list[str] = []
    url = "/api/v1/teams/?page_size=3"
    while url:
        data = api_client.get(url).json()
        names += [team["name"] for team in data["results"]]
        url = data["next"]
    assert names == sorted(names)
    assert len(names) == 7


def test_filters_apply_to_the_api(api_client: Any, make_user: Any) -> None:
    api_client.force_authenticate(make_user(Role.SERVICE_DESK_AGENT))
    TeamFactory(name="Network operations", code="netops")
    TeamFactory(name="Desk", code="desk", is_active=False)
    data = api_client.get("/api/v1/teams/?q=network").json()
    assert [t["code"] for t in data["results"]] == ["netops"]
    data = api_client.get("/api/v1/teams/?is_active=false").json()
    assert [t["code"] for t in data["results"]] == ["desk"]


def test_options_describes_the_endpoint_to_permitted_users(api_client: Any, make_user: Any) -> None:
    api_client.force_authenticate(make_user(Role.SERVICE_DESK_AGENT))
    response = api_client.options("/api/v1/teams/")
    assert response.status_code == 200
    assert response.json()["name"] == "Team List"


def test_admin_creates_and_updates_a_team_with_history(api_client: Any, make_user: Any) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    member = make_user(Role.RESOLVER)
    api_client.force_authenticate(admin)
    response = api_client.post(
        "/api/v1/teams/",
        {"name": "Night", "code": "night", "lead": member.pk, "members": [member.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    team = Team.objects.get(code="night")
    response = api_client.patch(f"/api/v1/teams/{team.pk}/", {"lead": admin.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"lead": ["The lead must be a member of the team."]}
    response = api_client.patch(f"/api/v1/teams/{team.pk}/", {"description": "Out of hours"}, format="json")
    assert response.status_code == 200
    rows = [(r.history_user, r.history_change_reason) for r in team.history.order_by("history_id")]
    # The member list is recorded in its own row (simple-history m2m tracking), under the same reason.
    assert rows == [(admin, "create"), (admin, "create"), (admin, "update")]
    assert list(team.history.earliest().members.values_list("user", flat=True)) == []
    assert list(team.history.order_by("history_id")[1].members.values_list("user", flat=True)) == [member.pk]


def test_me_shows_the_roles(api_client: Any, make_user: Any) -> None:
    api_client.force_authenticate(make_user(Role.CAB_MEMBER, Role.RESOLVER))
    assert api_client.get("/api/v1/me/").json()["roles"] == ["cab_member", "resolver"]


def test_admin_site_is_for_staff_only(client: Any, make_user: Any) -> None:
    assert client.get("/admin/").status_code == 302
    client.force_login(make_user(Role.SERVICE_DESK_AGENT))
    assert client.get("/admin/").status_code == 302
    client.force_login(make_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    assert client.get("/admin/itsm/user/").status_code == 200

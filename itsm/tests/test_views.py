"""Pages of the core: dashboards per role, preferences, team and department forms."""

from __future__ import annotations

from typing import Any

from django.test import Client

from itsm.models import Team


def test_each_role_sees_its_own_dashboard_and_navigation(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["agent"])
    agent_page = client.get("/dashboard/").content.decode()
    assert "Service desk agent" in agent_page
    assert 'data-widget="my-work"' in agent_page
    assert 'data-widget="objectives"' in agent_page
    assert 'href="/teams/"' in agent_page
    assert 'href="/people/"' not in agent_page
    assert 'data-widget="operations"' not in agent_page

    client.force_login(demo["admin"])
    admin_page = client.get("/dashboard/").content.decode()
    assert 'href="/people/"' in admin_page
    assert 'data-widget="operations"' in admin_page
    assert 'data-count="people"><strong>15</strong>' in admin_page

    client.force_login(demo["requester"])
    requester_page = client.get("/dashboard/").content.decode()
    assert 'data-widget="objectives"' not in requester_page
    assert "data-area=" not in requester_page


def test_login_with_a_wrong_password_explains_and_the_system_account_cannot_sign_in(
    client: Client, demo: dict[str, Any]
) -> None:
    response = client.post("/login/", {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    response = client.post("/login/", {"username": "agent", "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_admin_creates_a_team_and_history_names_them(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["admin"])
    response = client.post(
        "/teams/new/",
        {
            "name": "Network",
            "code": "network",
            "lead": demo["cab"].pk,
            "members": [demo["cab"].pk],
            "is_active": "on",
        },
    )
    team = Team.objects.get(code="network")
    assert response.status_code == 302
    assert response["Location"] == f"/teams/{team.pk}/"
    row = team.history.latest()
    assert row.history_user == demo["admin"]
    assert row.history_change_reason == "create"
    assert list(team.members.all()) == [demo["cab"]]


def test_invalid_team_form_keeps_input_and_shows_inline_errors(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["admin"])
    form = {"name": "Night shift", "code": "service-desk", "lead": demo["cab"].pk, "members": []}
    response = client.post("/teams/new/", form)
    text = response.content.decode()
    assert response.status_code == 400
    assert 'value="Night shift"' in text
    assert "Team with this Code already exists." in text
    response = client.post("/teams/new/", {**form, "code": "night"})
    assert response.status_code == 400
    assert "The lead must be a member of the team." in response.content.decode()
    assert not Team.objects.filter(name="Night shift").exists()


def test_agent_cannot_edit_a_team_and_nothing_changes(client: Client, demo: dict[str, Any]) -> None:
    team = Team.objects.get(code="service-desk")
    client.force_login(demo["agent"])
    response = client.post(f"/teams/{team.pk}/edit/", {"name": "Hacked", "code": "service-desk"})
    assert response.status_code == 403
    team.refresh_from_db()
    assert team.name == "Service desk 服务台"


def test_team_history_tab_is_an_htmx_partial(client: Client, demo: dict[str, Any]) -> None:
    team = Team.objects.get(code="service-desk")
    client.force_login(demo["agent"])
    response = client.get(f"/teams/{team.pk}/?tab=history", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "<html" not in text
    assert "demo data loaded" in text
    assert "HX-Request" in response["Vary"]


def test_edit_button_only_for_those_who_may_edit(client: Client, demo: dict[str, Any]) -> None:
    team = Team.objects.get(code="service-desk")
    client.force_login(demo["agent"])
    assert f"/teams/{team.pk}/edit/" not in client.get(f"/teams/{team.pk}/").content.decode()
    client.force_login(demo["admin"])
    assert f"/teams/{team.pk}/edit/" in client.get(f"/teams/{team.pk}/").content.decode()


def test_preferences_change_language_and_time_zone(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["agent"])
    response = client.post(
        "/profile/",
        {"display_name": "Li Na", "language": "zh-hans", "time_zone": "Asia/Shanghai", "theme": "dark"},
    )
    assert response.status_code == 302
    demo["agent"].refresh_from_db()
    assert demo["agent"].time_zone == "Asia/Shanghai"
    page = client.get("/dashboard/").content.decode()
    assert 'lang="zh-hans"' in page
    assert 'data-bs-theme="dark"' in page
    response = client.post("/profile/", {"time_zone": "Mars/Olympus", "theme": "dark"})
    assert response.status_code == 400


def test_error_pages(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["agent"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_editing_a_team_saves_changes_and_an_unchanged_save_writes_no_history(
    client: Client, demo: dict[str, Any]
) -> None:
    team = Team.objects.get(code="infrastructure")
    client.force_login(demo["admin"])
    form = {
        "name": "Infrastructure",
        "code": "infrastructure",
        "lead": team.lead_id,
        "members": list(team.members.values_list("pk", flat=True)),
        "department": team.department_id,
        "is_active": "on",
    }
    before = team.history.count()
    assert client.post(f"/teams/{team.pk}/edit/", form).status_code == 302
    assert team.history.count() == before
    assert client.post(f"/teams/{team.pk}/edit/", {**form, "email": "infra@example.com"}).status_code == 302
    team.refresh_from_db()
    assert team.email == "infra@example.com"
    assert team.history.count() == before + 1
    assert team.history.latest().history_user == demo["admin"]

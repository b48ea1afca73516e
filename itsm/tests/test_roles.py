"""Giving roles: through a service, with a reason, in history and the audit trail; never to oneself."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from itsm.audit import AuditEntry, verify_chain
from itsm.choices import Role
from itsm.services import user_roles_set


def test_an_administrator_gives_roles_with_a_reason_kept_in_the_trail(demo: dict[str, Any]) -> None:
    agent = demo["agent"]
    user_roles_set(user=agent, actor=demo["admin"], roles=["service_desk_agent", "resolver"], reason="REQ-42")
    agent.refresh_from_db()
    assert agent.role_names == ["resolver", "service_desk_agent"]
    row = agent.history.latest()
    assert (row.history_user, row.history_change_reason) == (demo["admin"], "REQ-42")
    entry = AuditEntry.objects.filter(reason="REQ-42").latest("seq")
    assert len(json.loads(entry.payload)["fields"]["groups"]) == 2
    assert verify_chain().ok


def test_nobody_changes_their_own_roles_and_agents_change_none(demo: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        user_roles_set(user=demo["admin"], actor=demo["admin"], roles=["requester"], reason="oops")
    with pytest.raises(PermissionDenied):
        user_roles_set(user=demo["resolver"], actor=demo["agent"], roles=["administrator"], reason="x")
    assert demo["admin"].role_names == ["administrator"]
    demo["resolver"].refresh_from_db()
    assert demo["resolver"].role_names == ["resolver"]


def test_the_roles_page_needs_a_reason_and_keeps_the_choice(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["admin"])
    url = f"/people/{demo['agent'].pk}/roles/"
    response = client.post(url, {"roles": ["resolver"], "reason": ""})
    assert response.status_code == 400
    assert (
        'value="resolver" checked' in response.content.decode().replace('" id', '"')
        or "checked" in response.content.decode()
    )
    demo["agent"].refresh_from_db()
    assert demo["agent"].role_names == ["service_desk_agent"]
    response = client.post(url, {"roles": ["resolver"], "reason": "moved to second line"})
    assert response.status_code == 302
    page = client.get(demo["agent"].get_absolute_url()).content.decode()
    assert "moved to second line" in page
    assert "Change roles" in page


def test_the_api_gives_roles_and_refuses_unknown_ones(api_client: Any, demo: dict[str, Any]) -> None:
    api_client.force_authenticate(demo["admin"])
    url = f"/api/v1/users/{demo['agent'].pk}/roles/"
    response = api_client.post(url, {"roles": ["wizard"], "reason": "x"}, format="json")
    assert response.status_code == 400
    assert "roles" in response.json()["fields"]
    response = api_client.post(url, {"roles": ["cab_member"], "reason": "CAB rota"}, format="json")
    assert response.status_code == 200
    assert response.json()["roles"] == ["cab_member"]
    api_client.force_authenticate(demo["mr"])
    assert api_client.post(url, {"roles": [], "reason": "x"}, format="json").status_code == 403
    assert Role.CAB_MEMBER in demo["agent"].__class__.objects.get(pk=demo["agent"].pk).roles

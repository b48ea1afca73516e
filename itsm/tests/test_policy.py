"""The permission policy: deny by default, roles from groups, querysets scoped by the same rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from itsm.choices import Area, Role
from itsm.history import system_user
from itsm.models import Team, User
from itsm.policy import policy
from itsm.services import team_create


def test_unknown_action_or_target_is_denied(make_user: Any) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    assert not policy.allows(admin, "launch", Team)
    assert not policy.allows(admin, "view", "no-such-area")


def test_inactive_and_system_users_are_denied(make_user: Any) -> None:
    inactive = make_user(Role.ADMINISTRATOR, is_active=False)
    assert not policy.allows(inactive, "view", Team)
    assert not policy.allows(system_user(), "view", "dashboard")


def test_people_are_scoped_requesters_see_only_themselves(make_user: Any) -> None:
    requester = make_user(Role.REQUESTER)
    other = make_user(Role.REQUESTER)
    manager = make_user(Role.INCIDENT_MANAGER)
    assert list(policy.scope(requester, "view", User.objects.all())) == [requester]
    assert other in policy.scope(manager, "view", User.objects.all())
    assert not policy.scope(manager, "view", User.objects.all()).filter(is_system=True).exists()


@pytest.mark.parametrize(
    ("role", "areas"),
    [
        (Role.REQUESTER, set()),
        (Role.SERVICE_DESK_AGENT, {"incidents", "problems", "configuration", "service_levels"}),
        (Role.SUPPLIER_MANAGER, {"suppliers", "service_levels"}),
        (Role.INTERNAL_AUDITOR, {area.value for area in Area}),
    ],
)
def test_roles_open_their_process_areas(make_user: Any, role: Role, areas: set[str]) -> None:
    user = make_user(role)
    from itsm.choices import Area

    assert {a.value for a in Area if policy.allows(user, "access", a.value)} == areas


def test_service_refuses_an_unpermitted_actor_before_writing(make_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        team_create(actor=make_user(Role.RESOLVER), data={"name": "X", "code": "x"})
    assert not Team.objects.exists()


def test_rules_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="already registered"):
        policy.register(Team, "view", lambda u, o: True)


def test_language_and_time_zone_follow_the_user(client: Any, make_user: Any) -> None:
    user = make_user(Role.SERVICE_DESK_AGENT, language="zh-hans", time_zone="Asia/Shanghai")
    client.force_login(user)
    assert 'lang="zh-hans"' in client.get("/dashboard/").content.decode()

"""Demo data: the organisation of the provider manual, idempotent and deterministic."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.core.management import call_command

from audits.models import Objective
from itsm.choices import Role
from itsm.demo import seed_demo
from itsm.models import Department, Team, User


def test_one_demo_user_per_role_and_the_manuals_objectives(db: Any) -> None:
    created = seed_demo(today=datetime.date(2026, 11, 21), compact=True)
    organisation = {"departments": 5, "users": 15, "teams": 5, "objectives": 4, "documents": 5}
    assert {kind: created[kind] for kind in organisation} == organisation
    assert created["catalogue services"] > 0
    assert created["CI types"] > 0
    assert created["incidents"] > 0
    for role in Role:
        assert User.objects.filter(groups__name=role.value, is_system=False).count() == 1, role
    targets = {o.code: o.target_display for o in Objective.objects.all()}
    assert targets["customer-satisfaction"] == "≥ 85 points"
    assert targets["timely-response"] == "≥ 97 %"
    assert targets["incident-resolution"] == "≥ 96 %"
    assert Team.objects.get(code="service-desk").lead.username == "incident.manager"


def test_running_it_again_changes_nothing(db: Any) -> None:
    seed_demo(today=datetime.date(2026, 11, 21), compact=True)
    history_rows = Team.history.count() + Department.history.count() + Objective.history.count()
    second = seed_demo(today=datetime.date(2026, 11, 21), compact=True)
    assert {kind: n for kind, n in second.items() if n} == {}
    assert Team.history.count() + Department.history.count() + Objective.history.count() == history_rows


def test_command_prints_the_logins(db: Any) -> None:
    out = StringIO()
    call_command("seed_demo", "--logins", stdout=out)
    text = out.getvalue()
    assert "password for all: demo" in text
    assert "agent" in text
    assert "Management representative" in text


def test_demo_history_is_written_by_the_system_user(db: Any) -> None:
    seed_demo(today=datetime.date(2026, 11, 21), compact=True)
    row = Objective.history.filter(code="timely-response").latest()
    assert row.history_user.username == "system"
    assert row.history_change_reason == "seed_demo"
    assert not row.history_user.has_usable_password()

"""Writes of audits and improvement: one keyword-only service per write, with actor and reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from itsm.history import save_with_history
from itsm.models import User
from itsm.policy import policy

from .models import Objective


@transaction.atomic
def objective_create(*, actor: User, data: dict[str, Any]) -> Objective:
    policy.require(actor, "add", Objective)
    objective = Objective(**data)
    objective.full_clean()
    save_with_history(objective, actor=actor, reason="create")
    return objective


@transaction.atomic
def objective_update(
    *, objective: Objective, actor: User, data: dict[str, Any], reason: str = "update"
) -> Objective:
    policy.require(actor, "change", objective)
    for name, value in data.items():
        setattr(objective, name, value)
    objective.full_clean()
    save_with_history(objective, actor=actor, reason=reason)
    return objective

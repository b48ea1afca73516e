"""Writes of audits and improvement: one keyword-only service per write, with actor and reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from itsm.history import create_audited, update_audited
from itsm.models import User

from .models import Objective


@transaction.atomic
def objective_create(*, actor: User, data: dict[str, Any]) -> Objective:
    return create_audited(Objective, actor=actor, data=data)


@transaction.atomic
def objective_update(
    *, objective: Objective, actor: User, data: dict[str, Any], reason: str = "update"
) -> Objective:
    return update_audited(objective, actor=actor, data=data, reason=reason)

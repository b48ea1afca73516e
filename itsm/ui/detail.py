"""Detail pages: the header's action buttons show only what the policy allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from itsm.policy import policy


@dataclass(frozen=True)
class Action:
    label: Any
    url: str
    method: str = "get"
    style: str = "outline-primary"


def edit_actions(user: Any, obj: Model, url_name: str) -> list[Action]:
    if not policy.allows(user, "change", obj):
        return []
    return [Action(_("Edit"), reverse(url_name, args=[obj.pk]))]

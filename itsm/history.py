"""History helpers: every audited save names its actor and reason.

Web requests, API calls, Celery tasks and management commands all go through ``save_with_history``;
outside a request the actor is the system user (``system_user()``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy


def system_user() -> Any:
    """The dedicated account that acts for tasks and commands; created on first use, cannot log in."""
    user_model = get_user_model()
    user, created = user_model._default_manager.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={"is_system": True, "is_active": True, "display_name": "System"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


REASON_LABELS = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("updated"),
    "preferences": gettext_lazy("preferences changed"),
    "seed_demo": gettext_lazy("demo data loaded"),
}


def reason_label(reason: str | None) -> str:
    """What a stored reason code means, in the reader's language (free-text reasons pass through)."""
    if not reason:
        return ""
    return str(REASON_LABELS.get(reason, reason))


def save_with_history(instance: models.Model, *, actor: Any, reason: str, **save_kwargs: Any) -> None:
    """Save ``instance`` so that its history row records ``actor`` and ``reason``."""
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(**save_kwargs)

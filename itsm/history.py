"""History helpers: every audited save names its actor and reason.

Web requests, API calls, Celery tasks and management commands all go through ``save_with_history``;
outside a request the actor is the system user (``system_user()``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy

M = TypeVar("M", bound=models.Model)


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
    "edit": gettext_lazy("edited"),
    "attach": gettext_lazy("attached"),
    "remove": gettext_lazy("removed"),
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


def validate(instance: models.Model) -> None:
    """``full_clean`` that leaves protected lifecycle fields alone (only transitions may set them)."""
    protected = [f.name for f in instance._meta.concrete_fields if getattr(f, "protected", False)]
    instance.full_clean(exclude=protected)


def create_audited(model: type[M], *, actor: Any, data: dict[str, Any], reason: str = "create") -> M:
    """The common create service: permission, validation, save with actor and reason.

    Call it inside the app's own ``transaction.atomic`` service, which adds what is specific.
    """
    from .policy import policy

    policy.require(actor, "add", model)
    instance = model(**data)
    validate(instance)
    save_with_history(instance, actor=actor, reason=reason)
    return instance


def update_audited(instance: M, *, actor: Any, data: dict[str, Any], reason: str = "update") -> M:
    """The common update service: permission, validation, and a save only when a value changed, so that
    saving an unchanged form writes no history row."""
    from .policy import policy

    policy.require(actor, "change", instance)
    # Compare with the stored row: a bound ModelForm has already copied its input onto ``instance``.
    stored = type(instance)._default_manager.get(pk=instance.pk)
    changed = [name for name, value in data.items() if getattr(stored, name) != value]
    for name, value in data.items():
        setattr(instance, name, value)
    validate(instance)
    if changed:
        save_with_history(instance, actor=actor, reason=reason)
    return instance


def bulk_update_audited(
    objects: list[M], *, fields: list[str], actor: Any, reason: str, batch_size: int = 1000
) -> int:
    """Batch update that still writes history (actor and reason) and the audit trail for every row.

    The only way batch code may change history-tracked models: ``QuerySet.update()`` and plain
    ``bulk_update()`` skip both (an architecture test refuses them). The caller checks permissions.
    """
    from django.db import transaction

    from .audit import append_history_rows

    if not objects:
        return 0
    model = type(objects[0])
    with transaction.atomic():
        model._default_manager.bulk_update(objects, fields, batch_size=batch_size)  # audited just below
        rows = model.history.bulk_history_create(  # type: ignore[attr-defined]
            objects, update=True, default_user=actor, default_change_reason=reason, batch_size=batch_size
        )
        _copy_m2m_history(model, rows, batch_size=batch_size)
        append_history_rows(rows)
    return len(objects)


def _copy_m2m_history(model: type[models.Model], rows: list[Any], *, batch_size: int) -> None:
    """``bulk_history_create`` records no many-to-many links; copy the current ones onto each new row,
    as a single save would, so history and the audit trail keep e.g. a team's members."""
    from collections import defaultdict

    from .audit import m2m_history_model

    history_model = model.history.model  # type: ignore[attr-defined]
    pk_name = model._meta.pk.attname
    for field in getattr(history_model, "_history_m2m_fields", ()):
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        through = field.remote_field.through
        links: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
        pks = [getattr(row, pk_name) for row in rows]
        for link_id, owner_id, target_id in through.objects.filter(**{f"{source}_id__in": pks}).values_list(
            "id", f"{source}_id", f"{target}_id"
        ):
            links[owner_id].append((link_id, target_id))
        copies = m2m_history_model(history_model, field)
        copies.objects.bulk_create(
            [
                copies(
                    history=row,
                    id=link_id,
                    **{f"{source}_id": getattr(row, pk_name), f"{target}_id": target_id},
                )
                for row in rows
                for link_id, target_id in links[getattr(row, pk_name)]
            ],
            batch_size=batch_size,
        )

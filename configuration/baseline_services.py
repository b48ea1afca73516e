"""Writes of configuration baselines (clause 9.1): create a draft, take it, supersede the one before.

A baseline is a draft while it names its scope (explicit CIs, or a filter by service, type and state).
Taking it freezes one ``BaselineItem`` per CI in scope, with its fields, typed attributes, version,
state and relationships both ways, in one bulk insert after a constant number of reads. Taking a new
baseline with the same name and scope supersedes the one taken before (draft → taken → superseded).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm.history import REASON_LABELS, update_audited
from itsm.models import User
from itsm.records import record_create, run_transition
from service_levels.models import Service

from .baseline_selectors import OUT_OF_USE, scope_queryset, snapshots_of
from .choices import BaselineState
from .models import Baseline, BaselineItem, CIType, ConfigurationItem

REASON_LABELS.update({"superseded": gettext_lazy("superseded by a newer baseline")})

#: How many baseline items one INSERT carries (the database may lower it further).
INSERT_BATCH = 500


def clean_scope_filter(value: Any) -> dict[str, Any]:
    """The normalised scope of a baseline, or a ``ValidationError`` on ``scope_filter``.

    ``{"mode": "cis", "cis": [ids]}`` (CIs in use, at least one) or ``{"mode": "filter", "service": id
    or None, "ci_type": id or None, "live_only": bool}``.
    """
    if not isinstance(value, dict):
        raise ValidationError({"scope_filter": _("Choose the CIs or the filter the baseline covers.")})
    mode = value.get("mode", "filter")
    if mode == "cis":
        try:
            ids = sorted({int(pk) for pk in value.get("cis") or []})
        except (TypeError, ValueError):
            raise ValidationError({"scope_filter": _("CIs are named by their ids.")}) from None
        if not ids:
            raise ValidationError({"scope_filter": _("Name at least one CI.")})
        found = set(
            ConfigurationItem.objects.filter(pk__in=ids)
            .exclude(state__in=OUT_OF_USE)
            .values_list("pk", flat=True)
        )
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise ValidationError(
                {"scope_filter": _("No CI in use has the id %(ids)s.") % {"ids": ", ".join(missing[:10])}}
            )
        return {"mode": "cis", "cis": ids}
    if mode != "filter":
        raise ValidationError({"scope_filter": _("The scope is either named CIs or a filter.")})
    scope: dict[str, Any] = {"mode": "filter", "service": None, "ci_type": None, "live_only": True}
    for key, model in (("service", Service), ("ci_type", CIType)):
        raw: Any = value.get(key)
        if raw in (None, ""):
            continue
        try:
            pk = int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            raise ValidationError({"scope_filter": _("%(what)s is not an id.") % {"what": key}}) from None
        if not model._default_manager.filter(pk=pk).exists():
            raise ValidationError(
                {
                    "scope_filter": _("No %(what)s with the id %(id)s.")
                    % {"what": model._meta.verbose_name, "id": pk}
                }
            )
        scope[key] = pk
    live_only = value.get("live_only", True)
    if not isinstance(live_only, bool):
        raise ValidationError({"scope_filter": _("live_only is true or false.")})
    scope["live_only"] = live_only
    return scope


@transaction.atomic
def baseline_create(*, actor: User, data: dict[str, Any]) -> Baseline:
    """A draft baseline: its name, description and scope (``data["scope_filter"]``)."""
    data = dict(data)
    data["scope_filter"] = clean_scope_filter(data.get("scope_filter", {}))
    return record_create(Baseline, actor=actor, data=data)


@transaction.atomic
def baseline_update(
    *, baseline: Baseline, actor: User, data: dict[str, Any], reason: str = "update"
) -> Baseline:
    """Edit a draft (name, description, scope); a taken baseline is frozen (the policy says so)."""
    data = dict(data)
    if "scope_filter" in data:
        data["scope_filter"] = clean_scope_filter(data["scope_filter"])
    data.pop("state", None)
    baseline.updated_by = actor
    return update_audited(baseline, actor=actor, data=data, reason=reason)


@transaction.atomic
def baseline_take(*, baseline: Baseline, actor: User, note: str = "") -> Baseline:
    """Freeze the CIs in scope now: one snapshot per CI, written in one bulk insert.

    Refused when the scope selects no CI in use. Earlier taken baselines with the same name and the
    same scope become superseded by this one. ``ConcurrentTransition`` if someone took it first.
    """
    snapshots = snapshots_of(scope_queryset(baseline.scope_filter))
    if not snapshots:
        raise ValidationError(
            {"scope_filter": _("The scope selects no CI in use; there is nothing to freeze.")}
        )
    run_transition(baseline, "take", actor=actor, comment=note, by=actor, at=timezone.now())
    BaselineItem.objects.bulk_create(
        [
            BaselineItem(
                baseline=baseline,
                ci_id=ci_id,
                ci_reference=snapshot["reference"],
                version=snapshot["fields"].get("version") or "",
                snapshot={key: value for key, value in snapshot.items() if key != "reference"},
            )
            for ci_id, snapshot in snapshots.items()
        ],
        batch_size=INSERT_BATCH,
    )
    earlier = (
        Baseline.objects.filter(state=BaselineState.TAKEN, name__iexact=baseline.name)
        .exclude(pk=baseline.pk)
        .order_by("taken_at", "pk")
    )
    for previous in earlier:
        if previous.scope_filter == baseline.scope_filter:
            run_transition(
                previous,
                "supersede",
                actor=actor,
                reason="superseded",
                comment=baseline.reference,
                by_baseline=baseline,
            )
    return baseline


# Transition name → service, for the pages and the API (each takes ``baseline``, ``actor``, ``note``).
BASELINE_TRANSITIONS = {"take": baseline_take}

"""Reads of service level management: joins and policy scoping live here."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from .choices import AgreementKind, AgreementState
from .models import Agreement, AgreementTarget


def _as_date(at: datetime.datetime | datetime.date) -> datetime.date:
    """The calendar day of ``at`` in the project's time zone (a date passes through)."""
    if isinstance(at, datetime.datetime):
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


def _in_force(on: datetime.date) -> Q:
    return Q(state=AgreementState.AGREED, effective_from__lte=on) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def applicable_agreements(
    *,
    customer: Any | None,
    service: Any | None,
    team: Any | None,
    at: datetime.datetime | datetime.date,
) -> list[Agreement]:
    """The agreements whose targets apply to a record: agreed SLAs in force on that day for the
    customer *and* the service, then agreed OLAs in force on that day for the team.

    An SLA needs both a customer and a service (an SLA covers named services for one customer); an OLA
    needs the team. Missing arguments simply contribute nothing. Targets, calendar and services come
    prefetched, so reading ``agreement.targets.all()`` or ``target_for`` costs no further query.
    One query for the agreements and one for their targets, however many match.
    """
    on = _as_date(at)
    scopes = []
    if customer is not None and service is not None:
        scopes.append(Q(kind=AgreementKind.SLA, customer=customer, services=service))
    if team is not None:
        scopes.append(Q(kind=AgreementKind.OLA, team=team))
    if not scopes:
        return []
    scope = scopes[0] if len(scopes) == 1 else scopes[0] | scopes[1]
    queryset = (
        Agreement.objects.filter(scope & _in_force(on))
        .distinct()
        .select_related("calendar", "customer", "team")
        .prefetch_related(Prefetch("targets", queryset=AgreementTarget.objects.order_by("priority")))
        .order_by("kind", "-effective_from", "id")
    )
    # "ola" sorts before "sla"; SLAs first reads better for people and callers alike.
    agreements = list(queryset)
    return [a for a in agreements if a.kind == AgreementKind.SLA] + [
        a for a in agreements if a.kind == AgreementKind.OLA
    ]


def target_for(*, agreement: Agreement, priority: str) -> AgreementTarget | None:
    """The agreement's target for ``priority`` or None (a gap: no silent default). Uses the prefetched
    targets when present."""
    for target in agreement.targets.all():
        if target.priority == priority:
            return target
    return None

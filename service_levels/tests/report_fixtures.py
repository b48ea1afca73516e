"""Builders shared by the reporting and review tests: a small catalogue with an agreed SLA and OLA."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from itsm.history import system_user
from itsm.models import Team
from itsm.records import next_reference
from service_levels.models import (
    Agreement,
    AgreementTarget,
    BusinessCalendar,
    CalendarVersion,
    Customer,
    Service,
)


@dataclass
class Catalogue:
    calendar: BusinessCalendar
    email: Service
    erp: Service
    acme: Customer
    globex: Customer
    team: Team
    other_team: Team
    sla_acme: Agreement
    sla_globex: Agreement
    ola: Agreement


def make_agreement(
    *,
    kind: str,
    title: str,
    owner: Any,
    calendar: BusinessCalendar,
    customer: Customer | None = None,
    team: Team | None = None,
    services: list[Service] | None = None,
    effective_from: datetime.date = datetime.date(2025, 1, 1),
    state: str = "agreed",
) -> Agreement:
    """An agreement stored directly (tests only: services go through the catalogue's services)."""
    agreement = Agreement(
        kind=kind,
        title=title,
        customer=customer,
        team=team,
        calendar=calendar,
        owner=owner,
        effective_from=effective_from,
        state=state,
        agreed_by=owner if state == "agreed" else None,
        agreed_at=timezone.now() if state == "agreed" else None,
        created_by=owner,
        updated_by=owner,
    )
    agreement.reference = next_reference(agreement.reference_prefix)
    agreement.save()
    if services:
        agreement.services.set(services)
    for priority, respond, resolve in (("P1", 15, 240), ("P2", 30, 480), ("P3", 60, 1440), ("P4", 240, 2880)):
        AgreementTarget.objects.create(
            agreement=agreement, priority=priority, respond_minutes=respond, resolve_minutes=resolve
        )
    return agreement


def make_catalogue(owner: Any) -> Catalogue:
    actor = system_user()
    calendar = BusinessCalendar.objects.create(code="always", name="24x7")
    CalendarVersion.objects.create(calendar=calendar, number=1, always_open=True, created_by=actor)
    email = Service.objects.create(code="email", name="E-mail", owner=owner)
    erp = Service.objects.create(code="erp", name="ERP", owner=owner)
    acme = Customer.objects.create(code="acme", name="Acme", relationship_owner=owner)
    globex = Customer.objects.create(code="globex", name="Globex", relationship_owner=owner)
    team = Team.objects.create(code="ops", name="Operations")
    other_team = Team.objects.create(code="net", name="Network")
    sla_acme = make_agreement(
        kind="sla", title="Acme SLA", owner=owner, calendar=calendar, customer=acme, services=[email, erp]
    )
    sla_globex = make_agreement(
        kind="sla", title="Globex SLA", owner=owner, calendar=calendar, customer=globex, services=[email]
    )
    ola = make_agreement(kind="ola", title="Operations OLA", owner=owner, calendar=calendar, team=team)
    return Catalogue(calendar, email, erp, acme, globex, team, other_team, sla_acme, sla_globex, ola)


def make_incident(
    *, owner: Any, customer: Customer | None, service: Service | None, title: str = "Mail down"
) -> Any:
    """An incident stored directly (tests only), so that clocks have a record with a service."""
    from incidents.models import Incident

    incident = Incident(
        title=title, reported_by=owner, customer=customer, service=service, created_by=owner, updated_by=owner
    )
    incident.reference = next_reference(incident.reference_prefix)
    incident.save()
    return incident


def make_clock(
    *,
    record: Any,
    agreement: Agreement,
    kind: str,
    state: str,
    started_at: datetime.datetime,
    due_at: datetime.datetime | None = None,
    stopped_at: datetime.datetime | None = None,
    breached_at: datetime.datetime | None = None,
    priority: str = "P2",
    team: Team | None = None,
    target_seconds: int | None = 3600,
    warning_level: int = 0,
) -> Any:
    """A clock row as the engine leaves it (tests of reports only: the engine is the only writer)."""
    from django.contrib.contenttypes.models import ContentType

    from service_levels.models import Clock

    return Clock.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        record_reference=getattr(record, "reference", ""),
        kind=kind,
        agreement=agreement,
        team=team,
        priority=priority,
        target_seconds=target_seconds,
        calendar_version=agreement.calendar.versions.first(),
        started_at=started_at,
        segment_started_at=stopped_at or started_at,
        due_at=due_at,
        stopped_at=stopped_at,
        breached_at=breached_at,
        state=state,
        warning_level=warning_level,
    )

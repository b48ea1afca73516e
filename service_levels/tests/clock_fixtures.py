"""Builders for the clock engine tests: a Shanghai office calendar, a customer SLA and a team OLA, and
records to put clocks on (controlled documents stand in for any process record: the engine is generic).
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from audits.models import Document
from itsm.choices import Role
from itsm.models import Team
from service_levels.models import (
    Agreement,
    AgreementTarget,
    BusinessCalendar,
    CalendarVersion,
    Customer,
    Service,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = [[["09:00", "12:00"], ["13:30", "18:00"]]] * 5 + [[], []]
SLA_TARGETS = {"P1": (30, 240), "P2": (60, 480), "P3": (240, 1440)}  # P4: none (a gap)
OLA_TARGETS = {"P1": (15, 120), "P2": (30, 240), "P3": (120, 960), "P4": (240, 1920)}
_numbers = itertools.count(1)


def local(*parts: int) -> datetime.datetime:
    """A Shanghai wall time."""
    return datetime.datetime(*parts, tzinfo=SHANGHAI)


@dataclass
class Setup:
    owner: Any
    lead: Any
    other_lead: Any
    calendar: BusinessCalendar
    version: CalendarVersion
    customer: Customer
    service: Service
    team: Team
    other_team: Team
    sla: Agreement
    ola: Agreement
    other_ola: Agreement


def make_calendar(owner: Any, *, code: str = "office", **rules: Any) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(code=code, name=f"{code.title()} hours")
    values = {
        "time_zone": "Asia/Shanghai",
        "weekly_hours": OFFICE_HOURS,
        "holiday_country": "CN",
        "valid_from": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        **rules,
    }
    CalendarVersion.objects.create(calendar=calendar, number=1, created_by=owner, **values)
    return calendar


def make_agreement(
    *,
    kind: str,
    owner: Any,
    calendar: BusinessCalendar,
    targets: dict[str, tuple[int | None, int | None]],
    customer: Customer | None = None,
    team: Team | None = None,
    services: list[Service] | None = None,
    warn_percent: int = 75,
    critical_percent: int = 90,
) -> Agreement:
    agreement = Agreement.objects.create(
        reference=f"{kind.upper()}-T{next(_numbers):04d}",
        kind=kind,
        title=f"{kind.upper()} under test",
        customer=customer,
        team=team,
        calendar=calendar,
        owner=owner,
        effective_from=datetime.date(2020, 1, 1),
        warn_percent=warn_percent,
        critical_percent=critical_percent,
        state="agreed",
        agreed_by=owner,
        created_by=owner,
        updated_by=owner,
    )
    agreement.services.set(services or [])
    AgreementTarget.objects.bulk_create(
        AgreementTarget(agreement=agreement, priority=p, respond_minutes=r, resolve_minutes=s)
        for p, (r, s) in targets.items()
    )
    return agreement


def make_setup(make_user: Any) -> Setup:
    owner = make_user(Role.SERVICE_LEVEL_MANAGER, email="slm@example.com")
    lead = make_user(Role.RESOLVER, email="lead@example.com")
    other_lead = make_user(Role.RESOLVER, email="lead2@example.com")
    team = Team.objects.create(name="Desk under test", code="t-desk", lead=lead)
    other_team = Team.objects.create(name="Network under test", code="t-net", lead=other_lead)
    calendar = make_calendar(owner)
    service = Service.objects.create(code="t-mail", name="Mail", owner=owner)
    customer = Customer.objects.create(code="t-acme", name="Acme", relationship_owner=owner)
    customer.services.set([service])
    sla = make_agreement(
        kind="sla", owner=owner, calendar=calendar, targets=SLA_TARGETS, customer=customer, services=[service]
    )
    ola = make_agreement(kind="ola", owner=owner, calendar=calendar, targets=OLA_TARGETS, team=team)
    other_ola = make_agreement(
        kind="ola", owner=owner, calendar=calendar, targets=OLA_TARGETS, team=other_team
    )
    return Setup(
        owner=owner,
        lead=lead,
        other_lead=other_lead,
        calendar=calendar,
        version=calendar.versions.get(),
        customer=customer,
        service=service,
        team=team,
        other_team=other_team,
        sla=sla,
        ola=ola,
        other_ola=other_ola,
    )


def make_record(owner: Any, title: str = "A record under SLA") -> Document:
    number = next(_numbers)
    return Document.objects.create(
        reference=f"DOC-T{number:05d}", title=title, owner=owner, created_by=owner, updated_by=owner
    )

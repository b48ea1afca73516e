"""Demo data of service level management: business calendars, a service catalogue with components and
dependencies, three customers with contacts, SLAs with P1-P4 targets (one with a deliberate gap) and one
OLA per main team.

Deterministic and idempotent: everything is found by its code (or an agreement by its title) and only
what is missing is created, through the services, by the service level manager.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from itsm.models import Team, User

from . import services
from .models import Agreement, BusinessCalendar, Customer, Service

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_DAY = [["09:00", "12:00"], ["13:30", "18:00"]]

CALENDARS: list[dict[str, Any]] = [
    {
        "code": "china-business-hours",
        "name": "China business hours 中国工作时间",
        "description": "Monday to Friday 09:00-12:00 and 13:30-18:00 Beijing time; public holidays of China, "
        "with the official make-up working days (调休) worked as Mondays.",
        "rules": {
            "time_zone": "Asia/Shanghai",
            "weekly_hours": [OFFICE_DAY] * 5 + [[], []],
            "holiday_country": "CN",
            "makeup_weekday": 0,
        },
    },
    {
        "code": "24x7",
        "name": "24×7",  # noqa: RUF001 (the usual way to write it)
        "description": "Every hour of every day, holidays included.",
        "rules": {"time_zone": "Asia/Shanghai", "always_open": True},
    },
]

# code, name, kind, owner, team, hours, description, components
SERVICES: list[tuple[str, str, str, str, str, str, str, list[tuple[str, str]]]] = [
    (
        "network",
        "Network",
        "supporting",
        "cab",
        "infrastructure",
        "24x7",
        "Office LAN and Wi-Fi, internet uplinks and the VPN for remote staff and partners.",
        [
            ("Core switches", "infrastructure"),
            ("Internet uplinks", "infrastructure"),
            ("VPN gateway", "infrastructure"),
        ],
    ),
    (
        "hosting",
        "Hosting",
        "supporting",
        "config.manager",
        "infrastructure",
        "24x7",
        "Virtual servers, storage and backup in the company data centre.",
        [
            ("Virtualisation cluster", "infrastructure"),
            ("Storage array", "infrastructure"),
            ("Backup", "infrastructure"),
        ],
    ),
    (
        "email",
        "E-mail",
        "customer_facing",
        "cab",
        "infrastructure",
        "24x7",
        "Mailboxes, calendars and webmail for every employee.",
        [
            ("Mail transfer agents", "infrastructure"),
            ("Mailbox storage", "infrastructure"),
            ("Webmail", "app-support"),
        ],
    ),
    (
        "erp",
        "ERP",
        "customer_facing",
        "resolver",
        "app-support",
        "china-business-hours",
        "Finance, purchasing, inventory and orders.",
        [
            ("Finance ledger", "app-support"),
            ("Inventory and orders", "app-support"),
            ("Database cluster", "infrastructure"),
        ],
    ),
    (
        "sales-platform",
        "Internet sales platform",
        "customer_facing",
        "problem.manager",
        "app-support",
        "24x7",
        "The web shop of our retail customers, its order API and the payment gateway of a supplier.",
        [
            ("Web shop", "app-support"),
            ("Order API", "app-support"),
            ("Payment gateway (supplier)", "app-support"),
        ],
    ),
    (
        "service-desk",
        "Service desk",
        "customer_facing",
        "incident.manager",
        "service-desk",
        "china-business-hours",
        "The single point of contact: phone 400-820-0000, the self-service portal and e-mail.",
        [("Phone line", "service-desk"), ("Self-service portal", "service-desk")],
    ),
]

# service → (depends on service | (service, component)), kind
DEPENDENCIES: list[tuple[str, str | tuple[str, str], str]] = [
    ("hosting", "network", "requires"),
    ("email", "hosting", "requires"),
    ("email", "network", "requires"),
    ("erp", "hosting", "requires"),
    ("erp", "network", "requires"),
    ("sales-platform", "hosting", "requires"),
    ("sales-platform", "network", "requires"),
    ("sales-platform", ("erp", "Inventory and orders"), "requires"),
    ("service-desk", "email", "uses"),
]

CUSTOMERS: list[dict[str, Any]] = [
    {
        "code": "huaxin-retail",
        "name": "Huaxin Retail Co. 华信零售",
        "description": "Retail chain selling through the internet sales platform we run for them.",
        "is_internal": False,
        "owner": "slm",
        "services": ["sales-platform", "service-desk"],
        "complaint": "Any written expression of dissatisfaction from their IT or e-commerce managers.",
        "contacts": [
            {
                "name": "Zhou Min",
                "job_title": "E-commerce director",
                "email": "zhou.min@huaxin.example",
                "is_primary": True,
            },
            {
                "name": "Gao Yu",
                "job_title": "IT manager",
                "email": "gao.yu@huaxin.example",
                "phone": "+86 21 5555 0101",
            },
        ],
    },
    {
        "code": "finance-department",
        "name": "Finance department 财务部",
        "description": "Internal customer: accounting, treasury and controlling.",
        "is_internal": True,
        "owner": "incident.manager",
        "services": ["email", "erp", "service-desk"],
        "complaint": "A complaint raised by the head of finance or logged as such at the service desk.",
        "contacts": [
            {
                "name": "Wang Fang",
                "job_title": "Accountant",
                "email": "requester@example.com",
                "user": "requester",
                "is_primary": True,
            },
        ],
    },
    {
        "code": "shunfa-logistics",
        "name": "Shunfa Logistics 顺发物流",
        "description": "Logistics partner: receives orders through the order API and books deliveries in the ERP.",
        "is_internal": False,
        "owner": "slm",
        "services": ["sales-platform", "erp"],
        "complaint": "Written complaints to the account manager.",
        "contacts": [
            {
                "name": "Lin Hao",
                "job_title": "Operations manager",
                "email": "lin.hao@shunfa.example",
                "phone": "+86 755 5555 0199",
                "is_primary": True,
            },
        ],
    },
]

H = 60
# Business minutes per priority: (respond, resolve).
TARGETS_24X7 = {"P1": (15, 4 * H), "P2": (30, 8 * H), "P3": (4 * H, 24 * H), "P4": (8 * H, 72 * H)}
TARGETS_OFFICE = {"P1": (15, 4 * H), "P2": (30, 8 * H), "P3": (2 * H, 1350), "P4": (4 * H, 2250)}


def _targets(table: dict[str, tuple[int, int]], *, without: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {"priority": p, "respond_minutes": respond, "resolve_minutes": resolve}
        for p, (respond, resolve) in table.items()
        if p not in without
    ]


def seed(*, users: dict[str, User], today: datetime.date, compact: bool = False) -> dict[str, int]:
    actor = users["slm"]
    created = {"business calendars": 0, "catalogue services": 0, "customers": 0, "agreements": 0}
    start = datetime.date(today.year - 1, 1, 1)

    calendars: dict[str, BusinessCalendar] = {}
    for spec in CALENDARS:
        calendar = BusinessCalendar.objects.filter(code=spec["code"]).first()
        if calendar is None:
            calendar = services.calendar_create(
                actor=actor,
                data={"code": spec["code"], "name": spec["name"], "description": spec["description"]},
                rules=spec["rules"],
                valid_from=datetime.datetime(start.year, 1, 1, tzinfo=SHANGHAI),
            )
            created["business calendars"] += 1
        calendars[spec["code"]] = calendar
    office = calendars["china-business-hours"]
    if office.versions.count() == 1:
        # A second version, to show how a calendar changes without rewriting the past.
        services.calendar_revise(
            calendar=office,
            actor=actor,
            rules={
                **CALENDARS[0]["rules"],
                "closed_dates": [{"date": f"{today.year}-12-31", "name": "Year-end stocktaking 年终盘点"}],
            },
            note="Closed on the last day of the year for stocktaking.",
            valid_from=timezone.now(),
        )

    teams = {team.code: team for team in Team.objects.all()}
    catalogue: dict[str, Service] = {}
    for code, name, kind, owner, team, hours, description, components in SERVICES:
        service = Service.objects.filter(code=code).first()
        if service is None:
            service = services.service_create(
                actor=actor,
                data={
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "owner": users[owner],
                    "team": teams.get(team),
                    "service_hours": calendars[hours],
                    "description": description,
                    "contact_interface": "Service desk, phone 400-820-0000, servicedesk@example.com",
                },
            )
            for component_name, component_team in components:
                services.component_add(
                    service=service,
                    actor=actor,
                    data={"name": component_name, "team": teams.get(component_team)},
                )
            created["catalogue services"] += 1
        catalogue[code] = service
    for code, target, kind in DEPENDENCIES:
        service = catalogue[code]
        if isinstance(target, tuple):
            component = catalogue[target[0]].components.get(name=target[1])
            if not service.dependencies.filter(component=component).exists():
                services.dependency_add(service=service, component=component, kind=kind, actor=actor)
        elif not service.dependencies.filter(depends_on=catalogue[target]).exists():
            services.dependency_add(service=service, depends_on=catalogue[target], kind=kind, actor=actor)

    customers: dict[str, Customer] = {}
    for spec in CUSTOMERS:
        customer = Customer.objects.filter(code=spec["code"]).first()
        if customer is None:
            customer = services.customer_create(
                actor=actor,
                data={
                    "code": spec["code"],
                    "name": spec["name"],
                    "description": spec["description"],
                    "is_internal": spec["is_internal"],
                    "relationship_owner": users[spec["owner"]],
                    "complaint_definition": spec["complaint"],
                },
                services=[catalogue[s] for s in spec["services"]],
            )
            for contact in spec["contacts"]:
                data = {**contact}
                if "user" in data:
                    data["user"] = users[data["user"]]
                services.contact_add(customer=customer, actor=actor, data=data)
            created["customers"] += 1
        customers[spec["code"]] = customer

    agreements: list[dict[str, Any]] = [
        {
            "title": "Internet sales platform for Huaxin Retail",
            "customer": customers["huaxin-retail"],
            "services": [catalogue["sales-platform"], catalogue["service-desk"]],
            "calendar": calendars["24x7"],
            "targets": _targets(TARGETS_24X7),
            "availability_percent": Decimal("99.900"),
            "workload": "Up to 20,000 orders a day, peaks of 5x on 18 June and 11 November; about 40 incidents a month.",
            "exceptions": "Planned maintenance announced 5 working days ahead, Sunday 02:00-06:00; "
            "outages of the payment supplier.",
            "next_review": today + datetime.timedelta(days=45),
            "signatory": "Zhou Min, E-commerce director",
        },
        {
            "title": "IT services for the finance department",
            "customer": customers["finance-department"],
            "services": [catalogue["email"], catalogue["erp"], catalogue["service-desk"]],
            "calendar": office,
            # Deliberately no P4 target: the page shows the gap instead of a silent default.
            "targets": _targets(TARGETS_OFFICE, without=("P4",)),
            "availability_percent": Decimal("99.500"),
            "workload": "45 users; month-end closing in the last 3 working days of every month.",
            "exceptions": "ERP changes are frozen during month-end closing unless the head of finance agrees.",
            "next_review": datetime.date(today.year + 1, 3, 31),
            "signatory": "Head of finance",
        },
        {
            "title": "Order exchange with Shunfa Logistics",
            "customer": customers["shunfa-logistics"],
            "services": [catalogue["sales-platform"], catalogue["erp"]],
            "calendar": office,
            "targets": _targets(TARGETS_OFFICE),
            "availability_percent": Decimal("99.500"),
            "workload": "About 3,000 delivery bookings a day through the order API.",
            "exceptions": "Failures of the partner's own systems.",
            "next_review": today + datetime.timedelta(days=120),
            "signatory": "Lin Hao, Operations manager",
        },
    ]
    olas = [
        (
            "Service desk first response and routing",
            "service-desk",
            office,
            {"P1": (10, 60), "P2": (20, 120), "P3": (60, 480), "P4": (120, 960)},
        ),
        (
            "Application support",
            "app-support",
            office,
            {"P1": (15, 3 * H), "P2": (30, 6 * H), "P3": (2 * H, 16 * H), "P4": (4 * H, 32 * H)},
        ),
        (
            "Infrastructure operations",
            "infrastructure",
            calendars["24x7"],
            {"P1": (10, 2 * H), "P2": (30, 6 * H), "P3": (2 * H, 20 * H), "P4": (4 * H, 60 * H)},
        ),
    ]
    for title, team_code, calendar, table in olas:
        if team_code in teams:
            agreements.append(
                {
                    "kind": "ola",
                    "title": f"OLA: {title}",
                    "team": teams[team_code],
                    "services": [],
                    "calendar": calendar,
                    "targets": _targets(table),
                    "workload": "As forecast in the capacity plan.",
                    "next_review": datetime.date(today.year + 1, 1, 31),
                }
            )
    for spec in agreements:
        if Agreement.objects.filter(title=spec["title"]).exists():
            continue
        agreement = services.agreement_create(
            actor=actor,
            data={
                "kind": spec.get("kind", "sla"),
                "title": spec["title"],
                "customer": spec.get("customer"),
                "team": spec.get("team"),
                "calendar": spec["calendar"],
                "owner": actor,
                "customer_signatory": spec.get("signatory", ""),
                "effective_from": start,
                "next_review": spec["next_review"],
                "availability_percent": spec.get("availability_percent"),
                "workload": spec["workload"],
                "exceptions": spec.get("exceptions", ""),
            },
            services=spec["services"],
            targets=spec["targets"],
        )
        services.agreement_agree(agreement=agreement, actor=actor, note="Signed by both parties.")
        created["agreements"] += 1
    return created

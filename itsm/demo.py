"""Demo organisation modelled on a real provider's ITSM manual (see docs/roles-and-permissions.md).

Deterministic and idempotent: running it again adds what is missing and changes nothing else.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from .choices import Role
from .history import save_with_history, system_user
from .models import Department, Team, User

DEMO_PASSWORD = "demo"  # noqa: S105 - demo accounts only; README says so


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    department: str
    job_title: str


DEPARTMENTS = [
    ("management", "Management 总经理办公室", "General manager and management representative."),
    ("admin", "Administration 行政部", "Documents and records, suppliers, SLA costing, security controls."),
    (
        "marketing",
        "Marketing 市场部",
        "Service desk, catalogue, customers, complaints and satisfaction, SLAs.",
    ),
    ("rnd", "R&D 研发部", "Changes, design and transition, releases, configuration, capacity, problems."),
    ("finance", "Finance 财务部", "IT service budgets and cost tracking."),
]

USERS = [
    DemoUser("requester", "Wang Fang", Role.REQUESTER, "finance", "Accountant"),
    DemoUser("agent", "Li Na", Role.SERVICE_DESK_AGENT, "marketing", "Service desk agent"),
    DemoUser("resolver", "Zhang Wei", Role.RESOLVER, "rnd", "Application engineer"),
    DemoUser("incident.manager", "Chen Jing", Role.INCIDENT_MANAGER, "marketing", "Service desk lead"),
    DemoUser("problem.manager", "Liu Yang", Role.PROBLEM_MANAGER, "rnd", "Problem manager"),
    DemoUser("change.manager", "Yang Min", Role.CHANGE_MANAGER, "rnd", "Change manager"),
    DemoUser("cab", "Zhao Lei", Role.CAB_MEMBER, "rnd", "Infrastructure lead"),
    DemoUser("release.manager", "Huang Tao", Role.RELEASE_MANAGER, "rnd", "Release manager"),
    DemoUser("config.manager", "Zhou Qiang", Role.CONFIGURATION_MANAGER, "rnd", "Configuration manager"),
    DemoUser("slm", "Wu Xia", Role.SERVICE_LEVEL_MANAGER, "marketing", "Service level manager"),
    DemoUser("supplier.manager", "Xu Li", Role.SUPPLIER_MANAGER, "admin", "Supplier manager"),
    DemoUser("auditor", "Sun Hui", Role.INTERNAL_AUDITOR, "admin", "Internal auditor"),
    DemoUser("mr", "Ma Jun", Role.MANAGEMENT_REPRESENTATIVE, "management", "Management representative"),
    DemoUser("gm", "Zhu Ming", Role.TOP_MANAGEMENT, "management", "General manager"),
    DemoUser("admin", "Administrator", Role.ADMINISTRATOR, "admin", "System administrator"),
]

TEAMS = [
    ("service-desk", "Service desk 服务台", "marketing", "incident.manager", ["agent", "incident.manager"]),
    ("app-support", "Application support", "rnd", "resolver", ["resolver", "problem.manager"]),
    ("infrastructure", "Infrastructure", "rnd", "cab", ["cab", "config.manager", "release.manager"]),
    (
        "cab",
        "Change advisory board",
        "rnd",
        "change.manager",
        ["change.manager", "cab", "slm", "release.manager"],
    ),
    ("internal-audit", "Internal audit group 内审组", "admin", "auditor", ["auditor", "mr"]),
]

OBJECTIVES = [
    {
        "code": "customer-satisfaction",
        "name": "Customer satisfaction",
        "target": Decimal("85"),
        "unit": "points",
        "measure_key": "customer-satisfaction",
        "method": "Mean score of the satisfaction surveys of the period (0-100), overall and per customer.",
    },
    {
        "code": "timely-response",
        "name": "Timely service response rate",
        "target": Decimal("97"),
        "unit": "percent",
        "measure_key": "timely-response-rate",
        "method": "Tickets whose first response met the target of their priority and SLA, divided by all tickets.",
    },
    {
        "code": "incident-resolution",
        "name": "Incident resolution rate",
        "target": Decimal("96"),
        "unit": "percent",
        "measure_key": "incident-resolution-rate",
        "method": "Incidents resolved within target in the period, divided by incidents of the period.",
    },
    {
        "code": "fault-repair",
        "name": "Timely fault repair rate (after exemptions)",
        "target": Decimal("95"),
        "unit": "percent",
        "measure_key": "fault-repair-rate",
        "method": "Faults restored within target divided by all faults less exempted faults.",
    },
]


@transaction.atomic
def seed_demo(*, today: datetime.date, compact: bool = False) -> dict[str, int]:
    """Load the demo organisation. ``compact`` keeps every named object but few generated ones (tests)."""
    from audits.models import Objective

    actor = system_user()
    created = {"departments": 0, "users": 0, "teams": 0, "objectives": 0}
    departments: dict[str, Department] = {}
    for code, name, description in DEPARTMENTS:
        department = Department.objects.filter(code=code).first()
        if department is None:
            department = Department(code=code, name=name, description=description)
            save_with_history(department, actor=actor, reason="seed_demo")
            created["departments"] += 1
        departments[code] = department

    users: dict[str, User] = {}
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username,
                display_name=spec.display_name,
                email=f"{spec.username}@example.com",
                department=departments[spec.department],
                job_title=spec.job_title,
                is_staff=spec.role == Role.ADMINISTRATOR,
                is_superuser=spec.role == Role.ADMINISTRATOR,
            )
            user.set_password(DEMO_PASSWORD)
            save_with_history(user, actor=actor, reason="seed_demo")
            created["users"] += 1
        user.groups.add(Group.objects.get(name=spec.role.value))
        users[spec.username] = user

    for head_code, head in (
        ("management", "gm"),
        ("admin", "admin"),
        ("marketing", "incident.manager"),
        ("rnd", "change.manager"),
    ):
        department = departments[head_code]
        if department.head_id is None:
            department.head = users[head]
            save_with_history(department, actor=actor, reason="seed_demo")

    for code, name, department_code, lead, members in TEAMS:
        if Team.objects.filter(code=code).exists():
            continue
        team = Team(code=code, name=name, department=departments[department_code], lead=users[lead])
        save_with_history(team, actor=actor, reason="seed_demo")
        team.members.set([users[m] for m in members])
        created["teams"] += 1

    next_review = datetime.date(today.year + 1, 1, 15)
    for objective_spec in OBJECTIVES:
        if Objective.objects.filter(code=objective_spec["code"]).exists():
            continue
        objective = Objective(
            **objective_spec,
            owner=users["mr"],
            department=departments["management"],
            review_interval_months=12,
            next_review=next_review,
        )
        save_with_history(objective, actor=actor, reason="seed_demo")
        created["objectives"] += 1
    created["documents"] = _seed_documents(users)
    for app_label in DEMO_APPS:
        module = importlib.import_module(f"{app_label}.demo")
        created.update(module.seed(users=users, today=today, compact=compact))
    return created


# Process apps with a ``demo.seed(*, users, today, compact) -> dict[str, int]``, in dependency order (the catalogue
# before the CMDB that points at it, both before the incidents that use them).
DEMO_APPS: list[str] = ["service_levels", "configuration", "incidents"]


DOCUMENTS = [
    ("ZBX-ITSM-A-01", "IT service management manual", "manual", "effective"),
    ("ZBX-ITSM-B-01", "Document control procedure", "procedure", "effective"),
    ("ZBX-ITSM-B-02", "Records control procedure", "procedure", "effective"),
    ("ZBX-ITSM-B-07", "Incident management procedure", "procedure", "in_review"),
    ("ZBX-ITSM-B-03", "Service continuity management procedure", "procedure", "draft"),
]


def _seed_documents(users: dict[str, User]) -> int:
    """The manual and procedures of the provider, each taken through its lifecycle by the people whose
    job it is (drafted by the management representative, approved by the general manager)."""
    from audits import services as audit_services
    from audits.models import Document

    author, approver = users["mr"], users["gm"]
    created = 0
    for code, title, doc_type, state in DOCUMENTS:
        if Document.objects.filter(code=code).exists():
            continue
        document = audit_services.document_create(
            actor=author, data={"code": code, "title": title, "doc_type": doc_type, "owner": author}
        )
        if state != "draft":
            audit_services.document_submit(document=document, actor=author)
        if state == "effective":
            audit_services.document_approve(document=document, actor=approver)
            audit_services.document_publish(document=document, actor=approver)
        created += 1
    return created


def demo_logins() -> list[dict[str, Any]]:
    return [{"username": u.username, "role": u.role.label, "password": DEMO_PASSWORD} for u in USERS]

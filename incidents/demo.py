"""Demo data of incident management: categories, major-incident criteria, the priority matrix, a request
catalogue with a month of service requests, and a few hundred incidents of the last four months across
services, customers, priorities and states.

Every incident is logged and moved through the services with backdated instants, so SLA clocks,
attainment reports and dashboards have real data: most are closed, recent ones are open in every
state, a few breached their targets, three major incidents were reviewed and one is running.
Deterministic (fixed random seed) and idempotent (nothing is added when the plan's first incident
exists). Under pytest only a dozen incidents are made, so the shared ``demo`` fixture stays quick.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from itsm.history import system_user
from itsm.models import Team, User
from itsm.notes import note_add
from service_levels.models import Customer, Service

from . import services
from .models import (
    Category,
    Incident,
    MajorIncidentCriteria,
    MajorIncidentReview,
    PriorityMatrix,
    RequestCatalogueItem,
    ServiceRequest,
)
from .selectors import DEFAULT_MATRIX

SEED = 20000
INCIDENTS = 300
INCIDENTS_COMPACT = 12
REQUESTS = 40
DAYS = 120
SHANGHAI = ZoneInfo("Asia/Shanghai")

# code, name, parent, default team, security
CATEGORIES: list[tuple[str, str, str | None, str | None, bool]] = [
    ("hardware", "Hardware", None, "infrastructure", False),
    ("hardware-laptop", "Laptop or desktop", "hardware", "infrastructure", False),
    ("hardware-printer", "Printer or scanner", "hardware", "infrastructure", False),
    ("software", "Software", None, "app-support", False),
    ("software-email", "E-mail and calendar", "software", "app-support", False),
    ("software-erp", "ERP application", "software", "app-support", False),
    ("software-web", "Sales platform (web shop, order API)", "software", "app-support", False),
    ("network", "Network", None, "infrastructure", False),
    ("network-wifi", "Wi-Fi and LAN", "network", "infrastructure", False),
    ("network-vpn", "VPN and remote access", "network", "infrastructure", False),
    ("access", "Access", None, "service-desk", False),
    ("access-account", "Account locked or password", "access", "service-desk", False),
    ("access-rights", "Missing permissions", "access", "service-desk", False),
    ("security", "Information security", None, "infrastructure", True),
    ("security-phishing", "Phishing or suspicious e-mail", "security", "infrastructure", True),
    ("security-malware", "Malware or data leak", "security", "infrastructure", True),
]

# What goes wrong, per category: (title, description)
PROBLEMS: dict[str, list[tuple[str, str]]] = {
    "hardware-laptop": [
        ("Laptop does not start after the update", "Black screen after the logo; fan runs."),
        ("Screen flickers on the docking station", "External monitor flickers every few seconds."),
        ("Keyboard keys stuck", "Several keys do not respond since this morning."),
    ],
    "hardware-printer": [
        ("Printer on floor 3 jams on every job", "Paper jam message even after clearing the tray."),
        ("Scanner sends empty PDFs", "Scan-to-mail produces blank pages."),
        ("Cannot print invoices 无法打印发票", "Invoice printer shows offline in the print queue."),
    ],
    "software-email": [
        ("Mail does not arrive from outside", "Customers say their mails bounce since 10:00."),
        ("Outlook asks for the password again and again", "Credential prompt loops after the change."),
        ("Shared calendar not visible", "The team calendar disappeared from the navigation pane."),
        ("Mailbox full", "Cannot send: the mailbox is over its quota."),
    ],
    "software-erp": [
        ("ERP month-end report times out", "The closing report stops after 10 minutes."),
        ("Cannot post invoices in the ERP", "Error 'period closed' for the current period."),
        ("ERP very slow 系统很慢", "Every screen takes 20 seconds to open."),
        ("Delivery booking rejected by the ERP", "Shunfa bookings fail with a validation error."),
    ],
    "software-web": [
        ("Web shop checkout fails", "Customers get an error page after choosing the payment."),
        ("Order API returns 500", "The partner's order exchange gets server errors."),
        ("Product images missing on the web shop", "Thumbnails are broken on the category pages."),
        ("Order confirmation mails not sent", "Customers receive no confirmation after paying."),
    ],
    "network-wifi": [
        ("Wi-Fi drops in meeting room B", "Connection lost every few minutes."),
        ("No network on the second floor", "Wired ports on floor 2 have no link."),
    ],
    "network-vpn": [
        ("VPN disconnects every hour", "Remote staff lose the tunnel after about 60 minutes."),
        ("Cannot connect to the VPN from home", "Authentication fails with a certificate error."),
    ],
    "access-account": [
        ("Account locked", "Locked after too many attempts; needs a reset."),
        ("Password expired while travelling", "Cannot change the expired password from outside."),
    ],
    "access-rights": [
        ("No access to the finance share", "Access denied on the month-end folder."),
        ("Missing ERP role for approvals", "Cannot approve purchase orders since the role change."),
    ],
    "security-phishing": [
        (
            "Suspicious e-mail asking for bank details",
            "Several colleagues received it; one clicked the link.",
        ),
        ("Phishing mail impersonating the CEO", "Asks for an urgent transfer."),
    ],
    "security-malware": [
        ("Antivirus alert on a laptop", "Quarantined file found in the downloads folder."),
        ("Possible data leak: file shared publicly", "A customer list was shared with an external link."),
    ],
}
SERVICE_CATEGORIES = {
    "email": ["software-email", "access-account", "security-phishing"],
    "erp": ["software-erp", "access-rights", "access-account"],
    "sales-platform": ["software-web"],
    "service-desk": ["hardware-laptop", "hardware-printer", "access-account", "security-malware"],
    "network": ["network-wifi", "network-vpn"],
    "hosting": ["software-web", "software-erp"],
}
RESOLUTIONS = {
    "fixed": "Cause found and corrected; tested with the user.",
    "workaround": "Workaround applied; a problem record follows the root cause.",
    "configuration": "Configuration corrected and documented.",
    "user_guidance": "Explained the steps to the user; works now.",
    "supplier": "The supplier fixed it on their side.",
    "self_recovered": "Recovered by itself before we acted; monitored for a day.",
}
# Typical resolution time in hours per priority (low, high): some fall outside the targets.
RESOLVE_HOURS = {"P1": (0.5, 3.0), "P2": (1.0, 6.0), "P3": (2.0, 14.0), "P4": (4.0, 40.0)}


@dataclass
class Plan:
    at: datetime.datetime
    customer: str
    service: str
    category: str
    title: str
    description: str
    impact: int
    urgency: int
    channel: str
    by_requester: bool
    outcome: str
    hold: bool = False
    reopen: bool = False
    major: bool = False
    steps: dict[str, datetime.datetime] = field(default_factory=dict)


def seed(*, users: dict[str, User], today: datetime.date, compact: bool = False) -> dict[str, int]:
    created = {"incident_categories": 0, "major_incident_criteria": 0, "incidents": 0, "service_requests": 0}
    for impact, row in DEFAULT_MATRIX.items():
        for urgency, priority in enumerate(row, start=1):
            PriorityMatrix.objects.get_or_create(
                impact=impact, urgency=urgency, defaults={"priority": priority}
            )
    created["incident_categories"] = _categories(users)
    created["major_incident_criteria"] = _criteria(users)
    created["request_catalogue_items"] = _catalogue(users)
    created["service_requests"] = _requests(users, today=today, count=3 if compact else REQUESTS)
    count = INCIDENTS_COMPACT if compact else INCIDENTS
    plans = _plan(random.Random(SEED), count=count, today=today)  # noqa: S311 - demo data, not security
    if not plans or Incident.objects.filter(title=plans[0].title, created_at=plans[0].at).exists():
        return created
    customers = {c.code: c for c in Customer.objects.all()}
    catalogue = {s.code: s for s in Service.objects.all()}
    if not customers or not catalogue:
        return created  # the service level demo did not run: nothing to log incidents against
    categories = {c.code: c for c in Category.objects.all()}
    teams = {t.code: t for t in Team.objects.all()}
    for plan in plans:
        if plan.customer in customers and plan.service in catalogue:
            _run(plan, users, customers, catalogue, categories, teams)
            created["incidents"] += 1
    return created


def _categories(users: dict[str, User]) -> int:
    actor = users["incident.manager"]
    teams = {t.code: t for t in Team.objects.all()}
    made = 0
    for code, name, parent, team, security in CATEGORIES:
        if Category.objects.filter(code=code).exists():
            continue
        services.category_create(
            actor=actor,
            data={
                "code": code,
                "name": name,
                "parent": Category.objects.filter(code=parent).first() if parent else None,
                "default_team": teams.get(team) if team else None,
                "is_security": security,
                "is_active": True,
            },
        )
        made += 1
    return made


def _criteria(users: dict[str, User]) -> int:
    actor = users["incident.manager"]
    made = 0
    specs: list[dict[str, Any]] = [
        {
            "customer": None,
            "name": "Major incident definition (default)",
            "description": "The provider's definition for every customer without its own (ZBX-ITSM-B-07 §5).",
            "criteria": "A P1 incident that stops a customer-facing service for all its users, a confirmed "
            "information security incident with data leaving the company, or any incident the incident "
            "manager judges to need top management's attention.",
            "min_priority": "P1",
            "notify_top_management": True,
            "takeover_minutes": 15,
            "agreed_with": "Marketing department 市场部 (service desk)",
        },
        {
            "customer": Customer.objects.filter(code="huaxin-retail").first(),
            "name": "Huaxin Retail: web shop down",
            "description": "Agreed in the SLA review with Huaxin's e-commerce director.",
            "criteria": "Checkout or the order API unavailable for more than 10 minutes, or during the "
            "18 June / 11 November sales whatever the duration.",
            "min_priority": "P2",
            "notify_top_management": True,
            "takeover_minutes": 10,
            "agreed_with": "Zhou Min, E-commerce director",
        },
    ]
    for spec in specs:
        if MajorIncidentCriteria.objects.filter(name=spec["name"]).exists():
            continue
        if spec["customer"] is None and "huaxin" in spec["name"].lower():
            continue
        services.criteria_create(actor=actor, data={**spec, "is_active": True})
        made += 1
    return made


# service, name, description, approver (username) or role, team, target minutes
CATALOGUE: list[tuple[str, str, str, str, str, int]] = [
    (
        "service-desk",
        "New laptop or desktop",
        "A standard laptop with the company image.",
        "",
        "infrastructure",
        2400,
    ),
    (
        "email",
        "Shared mailbox",
        "A shared mailbox for a team, with its members.",
        "incident.manager",
        "app-support",
        960,
    ),
    (
        "erp",
        "ERP role change",
        "Add or remove an ERP role (approval by the incident manager).",
        "role:incident_manager",
        "app-support",
        960,
    ),
    (
        "service-desk",
        "Password reset",
        "Reset a forgotten password after identity check.",
        "",
        "service-desk",
        60,
    ),
    (
        "sales-platform",
        "Web shop promotion page",
        "Publish a promotion page prepared by marketing.",
        "",
        "app-support",
        1920,
    ),
]


def _catalogue(users: dict[str, User]) -> int:
    actor = users["incident.manager"]
    catalogue = {s.code: s for s in Service.objects.all()}
    teams = {t.code: t for t in Team.objects.all()}
    made = 0
    for service, name, description, approver, team, minutes in CATALOGUE:
        if (
            service not in catalogue
            or RequestCatalogueItem.objects.filter(service=catalogue[service], name=name).exists()
        ):
            continue
        services.catalogue_item_create(
            actor=actor,
            data={
                "service": catalogue[service],
                "name": name,
                "description": description,
                "needs_approval": bool(approver),
                "approver": users.get(approver) if approver and not approver.startswith("role:") else None,
                "approver_role": approver.removeprefix("role:") if approver.startswith("role:") else "",
                "fulfilment_team": teams.get(team),
                "fulfilment_target_minutes": minutes,
                "is_active": True,
            },
        )
        made += 1
    return made


def _requests(users: dict[str, User], *, today: datetime.date, count: int) -> int:
    """Requests of the last month in every state, by the requester and through the desk."""
    items = list(RequestCatalogueItem.objects.select_related("service").order_by("pk"))
    if not items or ServiceRequest.objects.exists():
        return 0
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not security
    now = min(timezone.now(), datetime.datetime.combine(today, datetime.time(18, 0), tzinfo=SHANGHAI))
    made = 0
    for n in range(count):
        catalogue_item = rng.choice(items)
        at = now - datetime.timedelta(days=30 * (n + 1) / (count + 1), hours=rng.uniform(0, 8))
        actor = users["requester"] if rng.random() < 0.6 else users["agent"]
        request = services.service_request_create(
            actor=actor,
            data={"catalogue_item": catalogue_item, "description": "Please, by the end of the week."},
            at=at,
        )
        made += 1
        fate = rng.choices(
            ["open", "started", "fulfilled", "closed", "rejected"], weights=[20, 20, 20, 35, 5]
        )[0]
        step = at + datetime.timedelta(hours=rng.uniform(0.5, 4))
        if request.state == "awaiting_approval":
            approver = users["incident.manager"]
            if fate == "open" or approver.pk == request.requested_by_id:
                continue
            if fate == "rejected":
                services.service_request_reject(
                    service_request=request, actor=approver, note="Not budgeted.", at=step
                )
                continue
            services.service_request_approve(
                service_request=request, actor=approver, note="Approved.", at=step
            )
            step += datetime.timedelta(hours=rng.uniform(0.5, 4))
        if fate in ("open", "rejected"):
            continue
        worker = (
            users["resolver"]
            if request.assignment_team and request.assignment_team.code != "service-desk"
            else users["agent"]
        )
        services.service_request_start(service_request=request, actor=worker, at=min(step, now))
        if fate == "started":
            continue
        step += datetime.timedelta(hours=rng.uniform(1, 30))
        services.service_request_fulfil(
            service_request=request, actor=worker, note="Done as requested.", at=min(step, now)
        )
        if fate == "closed":
            services.service_request_close(service_request=request, actor=users["agent"], at=min(step, now))
    return made


# The plan: what happens to each incident, decided up front so the run is deterministic.


def _plan(rng: random.Random, *, count: int, today: datetime.date) -> list[Plan]:
    now = min(timezone.now(), datetime.datetime.combine(today, datetime.time(18, 0), tzinfo=SHANGHAI))
    customers = [
        ("finance-department", ["email", "erp", "service-desk"], 0.45),
        ("huaxin-retail", ["sales-platform", "service-desk"], 0.35),
        ("shunfa-logistics", ["sales-platform", "erp"], 0.20),
    ]
    plans = []
    for _n in range(count):
        # Spread over the period, more recent ones a little denser; office hours mostly.
        days_ago = (
            int(DAYS * (rng.random() ** 1.6))
            if count > 30
            else rng.choice([0, 0, 1, 2, 5, 9, 20, 40, 60, 80])
        )
        day = (now - datetime.timedelta(days=days_ago)).astimezone(SHANGHAI).date()
        hour = rng.choice([9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 17, 20, 2])
        at = datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60)), tzinfo=SHANGHAI)
        if at >= now - datetime.timedelta(minutes=30):
            at = now - datetime.timedelta(hours=rng.uniform(1, 6))
        code, offered, _share = rng.choices(customers, weights=[c[2] for c in customers])[0]
        service = rng.choice(offered)
        category = rng.choice(SERVICE_CATEGORIES[service])
        title, description = rng.choice(PROBLEMS[category])
        impact = rng.choices([1, 2, 3, 4], weights=[4, 14, 50, 32])[0]
        urgency = rng.choices([1, 2, 3, 4], weights=[6, 18, 48, 28])[0]
        age = (now - at).total_seconds() / 86400
        if age > 14:
            outcome = rng.choices(["closed", "cancelled", "resolved"], weights=[92, 6, 2])[0]
        elif age > 3:
            outcome = rng.choices(["closed", "resolved", "in_progress", "on_hold"], weights=[60, 22, 10, 8])[
                0
            ]
        else:
            outcome = rng.choices(
                ["new", "classified", "assigned", "in_progress", "on_hold", "resolved"],
                weights=[12, 10, 20, 26, 10, 22],
            )[0]
        plans.append(
            Plan(
                at=at,
                customer=code,
                service=service,
                category=category,
                title=title,
                description=description,
                impact=impact,
                urgency=urgency,
                channel=rng.choices(["phone", "email", "portal", "walk_in"], weights=[40, 30, 25, 5])[0],
                by_requester=code == "finance-department" and rng.random() < 0.6,
                outcome=outcome,
                hold=rng.random() < 0.2,
                reopen=outcome == "closed" and rng.random() < 0.05,
            )
        )
    plans.sort(key=lambda p: p.at)
    # Three reviewed major incidents in the past, one running now (the most recent P1-able one).
    past = [p for p in plans if p.outcome == "closed" and p.service in ("sales-platform", "email", "erp")]
    for plan in past[:: max(1, len(past) // 3)][:3]:
        plan.major, plan.impact, plan.urgency = True, 1, 1
    recent = [p for p in plans if p.outcome == "in_progress" and p.service == "sales-platform"]
    if recent:
        recent[-1].major, recent[-1].impact, recent[-1].urgency = True, 1, 1
    for plan in plans:
        _times(plan, rng, now)
    return plans


def _times(plan: Plan, rng: random.Random, now: datetime.datetime) -> None:
    """The instants of each step, in order, all before ``now``."""
    t = plan.at
    steps = plan.steps
    t += datetime.timedelta(minutes=rng.uniform(2, 12))
    steps["classify"] = t
    t += datetime.timedelta(minutes=rng.uniform(1, 8))
    steps["assign"] = t
    late_response = rng.random() < 0.04
    t += datetime.timedelta(minutes=rng.uniform(45, 180) if late_response else rng.uniform(3, 25))
    steps["start"] = t
    priority_hours = RESOLVE_HOURS[DEFAULT_MATRIX[plan.impact][plan.urgency - 1]]
    low, high = priority_hours
    duration = rng.uniform(low, high) * (3 if rng.random() < 0.04 else 1)
    if plan.hold or plan.outcome == "on_hold":
        steps["hold"] = t + datetime.timedelta(minutes=rng.uniform(20, 90))
    if plan.hold:
        steps["resume"] = steps["hold"] + datetime.timedelta(hours=rng.uniform(1, 20))
        t = steps["resume"]
    resolve = max(t + datetime.timedelta(minutes=10), plan.at + datetime.timedelta(hours=duration))
    steps["resolve"] = resolve
    if plan.reopen and resolve < now - datetime.timedelta(days=9):
        plan.reopen = False  # reopening is allowed only within the reopen window (from today)
    if plan.reopen:
        steps["reopen"] = resolve + datetime.timedelta(hours=rng.uniform(2, 20))
        steps["resolve2"] = steps["reopen"] + datetime.timedelta(hours=rng.uniform(1, 6))
        resolve = steps["resolve2"]
    steps["close"] = resolve + datetime.timedelta(days=rng.uniform(0.2, 3))
    if plan.major:
        steps["declare"] = steps["assign"] + datetime.timedelta(minutes=rng.uniform(2, 10))
        steps["take"] = steps["declare"] + datetime.timedelta(minutes=rng.uniform(3, 12))
    # Keep open incidents open: their remaining steps would be in the future.
    ceiling = now - datetime.timedelta(minutes=5)
    for name in list(steps):
        if steps[name] > ceiling:
            steps[name] = ceiling


def _run(
    plan: Plan,
    users: dict[str, User],
    customers: dict[str, Customer],
    catalogue: dict[str, Service],
    categories: dict[str, Category],
    teams: dict[str, Team],
) -> Incident:
    agent, resolver, manager = users["agent"], users["resolver"], users["incident.manager"]
    requester = users["requester"]
    customer = customers[plan.customer]
    category = categories.get(plan.category)
    team = (
        category.default_team if category is not None and category.default_team else teams.get("service-desk")
    )
    reporter = requester if plan.by_requester else agent
    steps = plan.steps
    data = {
        "title": plan.title,
        "description": plan.description,
        "channel": "portal" if plan.by_requester and plan.channel == "portal" else plan.channel,
        "reported_by": reporter,
        "customer": customer,
        "service": catalogue[plan.service],
        "impact": 3,
        "urgency": 3,
    }
    incident = services.incident_log(actor=agent, data=data, at=plan.at)
    if plan.outcome == "new":
        return incident
    if plan.outcome == "cancelled":
        services.incident_cancel(
            incident=incident,
            actor=agent,
            reason="logged_in_error",
            note="Logged twice by mistake.",
            at=steps["classify"],
        )
        return incident
    services.incident_classify(
        incident=incident,
        actor=agent,
        service=catalogue[plan.service],
        category=category,
        impact=plan.impact,
        urgency=plan.urgency,
        at=steps["classify"],
    )
    if plan.outcome == "classified":
        return incident
    worker = resolver if team is not None and team.code != "service-desk" else agent
    assignee = resolver if team is not None and team.code == "app-support" else None
    services.incident_assign(incident=incident, actor=agent, team=team, assignee=assignee, at=steps["assign"])
    if plan.major:
        services.incident_declare_major(
            incident=incident,
            actor=manager,
            manager=manager,
            note="Checkout down for every customer."
            if plan.service == "sales-platform"
            else "Service down for all users.",
            at=steps["declare"],
        )
        services.incident_take_major(incident=incident, actor=manager, at=steps["take"])
    if plan.outcome == "assigned":
        return incident
    services.incident_start(incident=incident, actor=worker, at=steps["start"])
    if plan.hold or plan.outcome == "on_hold":
        services.incident_hold(
            incident=incident,
            actor=worker,
            reason="awaiting_customer",
            note="Asked the user for a screenshot and the exact time.",
            at=steps["hold"],
        )
        if plan.outcome == "on_hold":
            return incident
        services.incident_resume(incident=incident, actor=worker, at=steps["resume"])
    if plan.outcome == "in_progress":
        if plan.major:
            note_add(
                record=incident,
                actor=manager,
                kind="comment",
                body="We are working on it; next update in 30 minutes.",
            )
        return incident
    code = "fixed" if plan.impact <= 2 else random.Random(incident.pk).choice(list(RESOLUTIONS))  # noqa: S311
    services.incident_resolve(
        incident=incident, actor=worker, code=code, notes=RESOLUTIONS[code], at=steps["resolve"]
    )
    if plan.reopen:
        services.incident_reopen(
            incident=incident,
            actor=reporter if plan.by_requester else agent,
            note="It happened again.",
            at=steps["reopen"],
        )
        services.incident_resolve(
            incident=incident, actor=worker, code="fixed", notes=RESOLUTIONS["fixed"], at=steps["resolve2"]
        )
    if plan.outcome == "resolved":
        return incident
    if plan.major:
        review = MajorIncidentReview.objects.get(incident=incident)
        services.review_update(
            review=review,
            actor=manager,
            data={
                "what_happened": f"{plan.title}: {plan.description}",
                "timeline": "Detected by customer calls; declared major within minutes; workaround, then fix.",
                "causes": "A configuration change without a rollback plan (see the related problem).",
                "improvements": "Add the change to the standard-change checklist; alert on checkout errors.",
            },
        )
        services.review_complete(review=review, actor=manager, note="Reviewed with the customer.")
    if plan.by_requester:
        services.incident_confirm(incident=incident, actor=requester, at=steps["close"])
    else:
        services.incident_close(
            incident=incident, actor=system_user(), note="Closed automatically.", at=steps["close"]
        )
    return incident

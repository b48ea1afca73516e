"""Writes of service level management: one keyword-only service per write, with actor and reason.

Catalogue writes (services, components, dependencies) take an optional ``authorising_change``: the
reference of the RFC that authorised the change. It is kept on the service and in the reason of every
history row the write produces (``"update: RFC-000123"``), so the history answers "which change
authorised this?".
"""

from __future__ import annotations

import datetime
import itertools
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.choices import Priority
from itsm.history import create_audited, save_with_history, update_audited, validate
from itsm.models import User
from itsm.policy import is_staff_member, policy
from itsm.records import record_create, run_transition

from . import selectors
from .choices import AgreementKind, AgreementState, DependencyKind, ServiceStatus
from .models import (
    WEEKDAYS,
    Agreement,
    AgreementTarget,
    BusinessCalendar,
    CalendarVersion,
    Contact,
    Customer,
    Service,
    ServiceComponent,
    ServiceDependency,
)
from .review_services import agreement_review_plan_ensure

CHANGE_REFERENCE = re.compile(r"^[A-Z][A-Z0-9]{1,9}-\d{1,12}$")
TIME = re.compile(r"^(\d{2}):(\d{2})$")
MINUTES_PER_DAY = 24 * 60


# Helpers ------------------------------------------------------------------------------------------------


def _change_reference(value: str | None) -> str:
    """The authorising change's reference, normalised (``rfc-12`` → ``RFC-12``), or ``""``."""
    reference = (value or "").strip().upper()
    if reference and not CHANGE_REFERENCE.match(reference):
        raise ValidationError(
            {"authorising_change": _("Give the reference of the authorising change, e.g. RFC-000123.")}
        )
    return reference


def _reason(reason: str, authorising_change: str) -> str:
    return f"{reason}: {authorising_change}" if authorising_change else reason


def _delete_with_history(instance: models.Model, *, actor: User, reason: str) -> None:
    """Delete so that the history's deletion row names the actor and the reason."""
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    try:
        instance.delete()
    except ProtectedError as exc:
        used_by = sorted({str(obj) for obj in exc.protected_objects})[:5]
        raise ValidationError(
            _("It is still used by: %(objects)s.") % {"objects": ", ".join(used_by)}
        ) from exc


def _set_m2m(instance: models.Model, field: str, values: Iterable[Any], *, actor: User, reason: str) -> None:
    """Set a many-to-many field when it changes, with a history row naming actor and reason."""
    manager = getattr(instance, field)
    wanted = list(values)
    if {v.pk for v in wanted} == set(manager.values_list("pk", flat=True)):
        return
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    manager.set(wanted)


# Services of the catalogue ------------------------------------------------------------------------------


@transaction.atomic
def service_create(*, actor: User, data: dict[str, Any], authorising_change: str = "") -> Service:
    data = dict(data)
    reference = _change_reference(authorising_change or data.pop("authorising_change", ""))
    data["authorising_change"] = reference
    return create_audited(Service, actor=actor, data=data, reason=_reason("create", reference))


@transaction.atomic
def service_update(
    *,
    service: Service,
    actor: User,
    data: dict[str, Any],
    authorising_change: str = "",
    reason: str = "update",
) -> Service:
    """Edit a catalogue entry. Retiring goes through :func:`service_retire` (it checks dependants)."""
    data = dict(data)
    reference = _change_reference(authorising_change or data.pop("authorising_change", ""))
    if reference:
        data["authorising_change"] = reference
    stored_status = Service.objects.values_list("status", flat=True).get(pk=service.pk)
    if data.get("status") == ServiceStatus.RETIRED and stored_status != ServiceStatus.RETIRED:
        policy.require(actor, "change", service)
        _check_retirable(service)
    return update_audited(service, actor=actor, data=data, reason=_reason(reason, reference))


def _check_retirable(service: Service) -> None:
    dependants = list(
        ServiceDependency.objects.filter(depends_on=service)
        .exclude(service__status=ServiceStatus.RETIRED)
        .select_related("service")
        .order_by("service__name")
    )
    if dependants:
        raise ValidationError(
            _("These services still depend on it; retire them or remove the dependencies first: %(names)s.")
            % {"names": ", ".join(str(d.service) for d in dependants)}
        )


@transaction.atomic
def service_retire(*, service: Service, actor: User, authorising_change: str = "", note: str = "") -> Service:
    """Withdraw a service from the catalogue (it stays, marked retired, with its history)."""
    policy.require(actor, "change", service)
    if service.status == ServiceStatus.RETIRED:
        raise ValidationError(_("This service is already retired."))
    _check_retirable(service)
    reference = _change_reference(authorising_change)
    data: dict[str, Any] = {"status": ServiceStatus.RETIRED}
    if reference:
        data["authorising_change"] = reference
    reason = _reason("retire", reference)
    if note.strip():
        reason = f"{reason} — {note.strip()}"[:100]
    return update_audited(service, actor=actor, data=data, reason=reason)


@transaction.atomic
def component_add(
    *, service: Service, actor: User, data: dict[str, Any], authorising_change: str = ""
) -> ServiceComponent:
    policy.require(actor, "change", service)
    reference = _change_reference(authorising_change)
    _check_component_name(service, data.get("name", ""), exclude=None)
    return create_audited(
        ServiceComponent, actor=actor, data={**data, "service": service}, reason=_reason("create", reference)
    )


def _check_component_name(service: Service, name: str, exclude: int | None) -> None:
    clash = ServiceComponent.objects.filter(service=service, name__iexact=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if name.strip() and clash.exists():
        raise ValidationError({"name": _("This service already has a component with this name.")})


@transaction.atomic
def component_update(
    *, component: ServiceComponent, actor: User, data: dict[str, Any], authorising_change: str = ""
) -> ServiceComponent:
    reference = _change_reference(authorising_change)
    data = {k: v for k, v in data.items() if k != "service"}  # a component does not move between services
    if "name" in data:
        _check_component_name(component.service, data["name"], exclude=component.pk)
    return update_audited(component, actor=actor, data=data, reason=_reason("update", reference))


@transaction.atomic
def component_remove(*, component: ServiceComponent, actor: User, authorising_change: str = "") -> None:
    """Remove a component; the dependencies on it go with it, each with its own history row."""
    policy.require(actor, "delete", component)
    reason = _reason("remove", _change_reference(authorising_change))
    for dependency in ServiceDependency.objects.filter(component=component):
        _delete_with_history(dependency, actor=actor, reason=reason)
    _delete_with_history(component, actor=actor, reason=reason)


@transaction.atomic
def dependency_add(
    *,
    service: Service,
    actor: User,
    depends_on: Service | None = None,
    component: ServiceComponent | None = None,
    kind: str = DependencyKind.REQUIRES,
    description: str = "",
    authorising_change: str = "",
) -> ServiceDependency:
    """Record that ``service`` depends on another service or on a component.

    Refused: both or neither target, a service depending on itself, a dependency already recorded, and
    one that would close a cycle (``depends_on`` already depends on ``service``, directly or not).
    """
    policy.require(actor, "add", ServiceDependency)
    reference = _change_reference(authorising_change)
    if (depends_on is None) == (component is None):
        raise ValidationError(_("Choose either a service or a component it depends on, not both."))
    if depends_on is not None:
        if depends_on.pk == service.pk:
            raise ValidationError({"depends_on": _("A service cannot depend on itself.")})
        if ServiceDependency.objects.filter(service=service, depends_on=depends_on).exists():
            raise ValidationError({"depends_on": _("This dependency is already recorded.")})
        if selectors.service_depends_on(service=depends_on, other=service):
            raise ValidationError(
                {
                    "depends_on": _(
                        "This would make a cycle: %(other)s already depends on %(service)s, "
                        "directly or through other services."
                    )
                    % {"other": depends_on, "service": service}
                }
            )
    if (
        component is not None
        and component.service_id != service.pk
        and selectors.service_depends_on(service=component.service, other=service)
    ):
        raise ValidationError(
            {
                "component": _(
                    "This would make a cycle: %(other)s already depends on %(service)s, "
                    "directly or through other services."
                )
                % {"other": component.service, "service": service}
            }
        )
    if (
        component is not None
        and ServiceDependency.objects.filter(service=service, component=component).exists()
    ):
        raise ValidationError({"component": _("This dependency is already recorded.")})
    dependency = ServiceDependency(
        service=service, depends_on=depends_on, component=component, kind=kind, description=description
    )
    validate(dependency)
    save_with_history(dependency, actor=actor, reason=_reason("create", reference))
    return dependency


@transaction.atomic
def dependency_remove(*, dependency: ServiceDependency, actor: User, authorising_change: str = "") -> None:
    policy.require(actor, "delete", dependency)
    _delete_with_history(
        dependency, actor=actor, reason=_reason("remove", _change_reference(authorising_change))
    )


# Customers and contacts ---------------------------------------------------------------------------------


def _check_relationship_owner(owner: Any) -> None:
    if owner is None:
        raise ValidationError(
            {
                "relationship_owner": _(
                    "Name the relationship owner: the person responsible for this customer."
                )
            }
        )
    if not is_staff_member(owner):
        raise ValidationError(
            {"relationship_owner": _("The relationship owner must be an active member of staff.")}
        )


@transaction.atomic
def customer_create(
    *, actor: User, data: dict[str, Any], services: Sequence[Service] | None = None
) -> Customer:
    data = dict(data)
    services = data.pop("services", services)
    policy.require(actor, "add", Customer)
    _check_relationship_owner(data.get("relationship_owner"))
    customer = create_audited(Customer, actor=actor, data=data)
    if services:
        _set_m2m(customer, "services", services, actor=actor, reason="services")
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    actor: User,
    data: dict[str, Any],
    services: Sequence[Service] | None = None,
    reason: str = "update",
) -> Customer:
    data = dict(data)
    services = data.pop("services", services)
    policy.require(actor, "change", customer)
    if "relationship_owner" in data:
        _check_relationship_owner(data["relationship_owner"])
    update_audited(customer, actor=actor, data=data, reason=reason)
    if services is not None:
        _set_m2m(customer, "services", services, actor=actor, reason=reason)
    return customer


def _check_contact(customer: Customer, data: Mapping[str, Any], exclude: int | None) -> None:
    if not (data.get("email") or data.get("phone")):
        raise ValidationError(
            {"email": _("Give an e-mail address or a phone number, so that the contact can be reached.")}
        )
    user = data.get("user")
    if user is not None:
        clash = Contact.objects.filter(customer=customer, user=user)
        if exclude is not None:
            clash = clash.exclude(pk=exclude)
        if clash.exists():
            raise ValidationError({"user": _("This account is already a contact of this customer.")})


def _demote_primary(customer: Customer, *, keep: int | None, actor: User) -> None:
    """Only one primary contact per customer: the previous one stops being primary."""
    for previous in Contact.objects.select_for_update().filter(customer=customer, is_primary=True):
        if previous.pk != keep:
            previous.is_primary = False
            save_with_history(previous, actor=actor, reason="primary contact changed")


@transaction.atomic
def contact_add(*, customer: Customer, actor: User, data: dict[str, Any]) -> Contact:
    policy.require(actor, "add", Contact)
    data = {k: v for k, v in data.items() if k != "customer"}
    _check_contact(customer, data, exclude=None)
    if data.get("is_primary"):
        _demote_primary(customer, keep=None, actor=actor)
    return create_audited(Contact, actor=actor, data={**data, "customer": customer})


@transaction.atomic
def contact_update(*, contact: Contact, actor: User, data: dict[str, Any]) -> Contact:
    policy.require(actor, "change", contact)
    data = {k: v for k, v in data.items() if k != "customer"}
    merged = {f: getattr(contact, f) for f in ("email", "phone", "user")} | data
    _check_contact(contact.customer, merged, exclude=contact.pk)
    if data.get("is_primary"):
        _demote_primary(contact.customer, keep=contact.pk, actor=actor)
    return update_audited(contact, actor=actor, data=data)


@transaction.atomic
def contact_remove(*, contact: Contact, actor: User) -> None:
    policy.require(actor, "delete", contact)
    _delete_with_history(contact, actor=actor, reason="remove")


# Business calendars -------------------------------------------------------------------------------------

VERSION_FIELDS = (
    "time_zone",
    "always_open",
    "weekly_hours",
    "holiday_country",
    "holiday_subdivision",
    "closed_dates",
    "working_dates",
    "makeup_weekday",
)


def _minutes(value: Any, *, allow_24: bool) -> int | None:
    match = TIME.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    if minutes > 59 or total > MINUTES_PER_DAY or (total == MINUTES_PER_DAY and not allow_24):
        return None
    return total


def _weekly_hours(value: Any) -> list[list[list[str]]]:
    """Seven days (Monday first) of ``["HH:MM", "HH:MM"]`` spans: valid times, never empty, never
    overlapping (an end before the start runs past midnight into the next day)."""
    from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES

    if not isinstance(value, (list, tuple)) or len(value) != WEEKDAYS:
        raise ValidationError({"weekly_hours": _("Give the working hours of seven days, Monday first.")})
    week: list[tuple[int, int, int]] = []  # (start, end, weekday) in minutes of the week
    cleaned: list[list[list[str]]] = []
    errors: list[str] = []
    for weekday, spans in enumerate(value):
        day_name = WEEKDAY_NAMES[weekday]
        if not isinstance(spans, (list, tuple)):
            errors.append(_("%(day)s: give a list of spans.") % {"day": day_name})
            continue
        day: list[list[str]] = []
        for span in spans:
            if not isinstance(span, (list, tuple)) or len(span) != 2:
                errors.append(_("%(day)s: each span is a start and an end.") % {"day": day_name})
                continue
            start = _minutes(span[0], allow_24=False)
            end = _minutes(span[1], allow_24=True)
            if start is None or end is None:
                errors.append(
                    _("%(day)s: %(span)s is not a span of HH:MM times (00:00 to 24:00).")
                    % {"day": day_name, "span": "-".join(str(s) for s in span)}
                )
                continue
            if start == end:
                errors.append(
                    _("%(day)s: %(start)s-%(end)s is empty.")
                    % {"day": day_name, "start": span[0], "end": span[1]}
                )
                continue
            length = end - start if end > start else MINUTES_PER_DAY - start + end
            week.append(
                (weekday * MINUTES_PER_DAY + start, weekday * MINUTES_PER_DAY + start + length, weekday)
            )
            day.append([span[0], span[1]])
        cleaned.append(sorted(day))
    if errors:
        raise ValidationError({"weekly_hours": errors})
    # Overlaps, on a week that wraps from Sunday night into Monday morning.
    week_minutes = WEEKDAYS * MINUTES_PER_DAY
    pieces = []
    for start, end, weekday in week:
        if end > week_minutes:
            pieces += [(start, week_minutes, weekday), (0, end - week_minutes, weekday)]
        else:
            pieces.append((start, end, weekday))
    pieces.sort()
    for (_s1, end1, day1), (start2, _e2, day2) in itertools.pairwise(pieces):
        if start2 < end1:
            raise ValidationError(
                {
                    "weekly_hours": _("%(first)s and %(second)s: working spans overlap.")
                    % {"first": WEEKDAY_NAMES[day1], "second": WEEKDAY_NAMES[day2]}
                }
            )
    return cleaned


def _dates(value: Any, field: str) -> list[dict[str, str]]:
    """``[{"date": "YYYY-MM-DD", "name": "…"}]`` sorted by date; plain ISO strings and dates accepted."""
    if not value:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationError({field: _("Give a list of dates.")})
    by_day: dict[datetime.date, str] = {}
    for item in value:
        raw, name = (item.get("date"), item.get("name", "")) if isinstance(item, Mapping) else (item, "")
        if isinstance(raw, datetime.date):
            day = raw
        else:
            try:
                day = datetime.date.fromisoformat(str(raw))
            except ValueError:
                raise ValidationError(
                    {field: _("%(value)s is not a date (YYYY-MM-DD).") % {"value": raw}}
                ) from None
        if day in by_day:
            raise ValidationError({field: _("%(date)s is listed twice.") % {"date": day.isoformat()}})
        by_day[day] = str(name or "").strip()[:120]
    return [{"date": day.isoformat(), "name": by_day[day]} for day in sorted(by_day)]


def _holiday_country(country: str, subdivision: str) -> tuple[str, str]:
    import holidays

    country = (country or "").strip().upper()
    subdivision = (subdivision or "").strip().upper()
    if not country:
        if subdivision:
            raise ValidationError({"holiday_subdivision": _("A region needs a country.")})
        return "", ""
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise ValidationError(
            {"holiday_country": _("%(code)s is not a country with a holiday preset.") % {"code": country}}
        )
    if subdivision and subdivision not in {s.upper() for s in supported[country]}:
        raise ValidationError(
            {
                "holiday_subdivision": _("%(region)s is not a region of %(code)s.")
                % {"region": subdivision, "code": country}
            }
        )
    return country, subdivision


def calendar_rules(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise the rules of a calendar version; ``ValidationError`` names each bad field."""
    time_zone = str(data.get("time_zone") or "").strip()
    try:
        if not time_zone:
            raise zoneinfo.ZoneInfoNotFoundError(time_zone)
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            {"time_zone": _("%(zone)s is not a time zone name, e.g. Asia/Shanghai.") % {"zone": time_zone}}
        ) from None
    always_open = bool(data.get("always_open", False))
    weekly = data.get("weekly_hours")
    if always_open and not weekly:
        weekly = [[["00:00", "24:00"]] for _day in range(WEEKDAYS)]
    weekly_hours = _weekly_hours(weekly if weekly is not None else [])
    if not always_open and not any(weekly_hours):
        raise ValidationError(
            {"weekly_hours": _("Give some working hours, or mark the calendar as open 24 hours, 7 days.")}
        )
    country, subdivision = _holiday_country(
        str(data.get("holiday_country") or ""), str(data.get("holiday_subdivision") or "")
    )
    closed = _dates(data.get("closed_dates"), "closed_dates")
    working = _dates(data.get("working_dates"), "working_dates")
    both = sorted({d["date"] for d in closed} & {d["date"] for d in working})
    if both:
        raise ValidationError(
            {
                "working_dates": _("Closed and working on the same day: %(dates)s.")
                % {"dates": ", ".join(both)}
            }
        )
    makeup = data.get("makeup_weekday", 0)
    if not isinstance(makeup, int) or isinstance(makeup, bool) or not 0 <= makeup < WEEKDAYS:
        raise ValidationError({"makeup_weekday": _("Choose a weekday (0 = Monday to 6 = Sunday).")})
    return {
        "time_zone": time_zone,
        "always_open": always_open,
        "weekly_hours": weekly_hours,
        "holiday_country": country,
        "holiday_subdivision": subdivision,
        "closed_dates": closed,
        "working_dates": working,
        "makeup_weekday": makeup,
    }


@transaction.atomic
def calendar_create(
    *,
    actor: User,
    data: dict[str, Any],
    rules: Mapping[str, Any],
    note: str = "",
    valid_from: datetime.datetime | None = None,
) -> BusinessCalendar:
    """A business calendar with its version 1 (``rules``: the fields of :class:`CalendarVersion`)."""
    policy.require(actor, "add", BusinessCalendar)
    cleaned = calendar_rules(rules)
    calendar = create_audited(BusinessCalendar, actor=actor, data=data)
    version = CalendarVersion(
        calendar=calendar,
        number=1,
        valid_from=valid_from or timezone.now(),
        note=note or _("First version"),
        created_by=actor,
        **cleaned,
    )
    validate(version)
    save_with_history(version, actor=actor, reason="create")
    return calendar


@transaction.atomic
def calendar_update(*, calendar: BusinessCalendar, actor: User, data: dict[str, Any]) -> BusinessCalendar:
    """Name, description and whether it is offered; the rules change only by :func:`calendar_revise`."""
    data = {k: v for k, v in data.items() if k not in VERSION_FIELDS}
    return update_audited(calendar, actor=actor, data=data)


@transaction.atomic
def calendar_revise(
    *,
    calendar: BusinessCalendar,
    actor: User,
    rules: Mapping[str, Any],
    note: str,
    valid_from: datetime.datetime | None = None,
) -> CalendarVersion:
    """A new version of the calendar's rules, in force from ``valid_from`` (now by default).

    Earlier versions are never edited: clocks computed with them stay explainable. A version cannot
    start in the past (that would rewrite what clocks already counted) nor before the latest version.
    """
    policy.require(actor, "revise", calendar)
    if not note.strip():
        raise ValidationError({"note": _("Say what changed and why.")})
    now = timezone.now()
    start = valid_from or now
    if start < now - datetime.timedelta(minutes=5):
        raise ValidationError(
            {
                "valid_from": _(
                    "A new version cannot start in the past: clocks already counted with the old one."
                )
            }
        )
    cleaned = calendar_rules(rules)
    # Lock the calendar: two revisions at once get consecutive numbers, never the same one.
    BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    latest = calendar.versions.order_by("-number").first()
    if latest is not None:
        if start < latest.valid_from:
            raise ValidationError(
                {
                    "valid_from": _("Version %(number)s starts later (%(start)s); start this one after it.")
                    % {
                        "number": latest.number,
                        "start": timezone.localtime(latest.valid_from).strftime("%Y-%m-%d %H:%M"),
                    }
                }
            )
        if all(getattr(latest, f) == cleaned[f] for f in VERSION_FIELDS):
            raise ValidationError(
                _("Nothing changed: the rules are those of version %(number)s.") % {"number": latest.number}
            )
    number = (calendar.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = CalendarVersion(
        calendar=calendar, number=number, valid_from=start, note=note.strip(), created_by=actor, **cleaned
    )
    validate(version)
    try:
        with transaction.atomic():
            save_with_history(version, actor=actor, reason="revise")
    except IntegrityError:
        raise ValidationError(
            _("Someone revised this calendar at the same time; reload and try again.")
        ) from None
    return version


# Agreements ---------------------------------------------------------------------------------------------

AGREEMENT_COPY_FIELDS = (
    "kind",
    "title",
    "customer",
    "team",
    "calendar",
    "owner",
    "customer_signatory",
    "review_interval_months",
    "next_review",
    "workload",
    "exceptions",
    "availability_percent",
    "warn_percent",
    "critical_percent",
)


def _check_agreement(data: Mapping[str, Any], services: Sequence[Service] | None) -> None:
    """Rules of a complete agreement, with a sentence per problem (the constraints only say "no")."""
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind == AgreementKind.SLA:
        if data.get("customer") is None:
            errors["customer"] = _("An SLA is agreed with a customer: choose one.")
        if data.get("team") is not None:
            errors["team"] = _("An SLA is agreed with a customer, not a team; use an OLA for a team.")
    elif kind == AgreementKind.OLA:
        if data.get("team") is None:
            errors["team"] = _("An OLA is agreed with an internal team: choose one.")
        if data.get("customer") is not None:
            errors["customer"] = _("An OLA is agreed with a team, not a customer; use an SLA for a customer.")
    start, end = data.get("effective_from"), data.get("effective_to")
    if start and end and end < start:
        errors["effective_to"] = _("The end date is before the start date.")
    warn, critical = data.get("warn_percent"), data.get("critical_percent")
    if warn is not None and critical is not None and warn >= critical:
        errors["critical_percent"] = _("The critical threshold must be above the warning threshold.")
    customer = data.get("customer")
    if kind == AgreementKind.SLA and services is not None:
        if not services:
            errors["services"] = _("Choose the services this SLA covers.")
        elif customer is not None:
            received = set(customer.services.values_list("pk", flat=True))
            missing = [s for s in services if s.pk not in received]
            if missing:
                errors["services"] = _(
                    "%(customer)s does not receive %(services)s; add the service to the customer first."
                ) % {"customer": customer, "services": ", ".join(str(s) for s in missing)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    data: dict[str, Any],
    services: Sequence[Service] | None = None,
    targets: Sequence[Mapping[str, Any]] | None = None,
) -> Agreement:
    """A draft SLA or OLA (``SLA-000001`` / ``OLA-000001``); targets may come with it."""
    data = dict(data)
    services = list(data.pop("services", services) or [])
    data.pop("targets", None)
    policy.require(actor, "add", Agreement)
    data.setdefault("kind", AgreementKind.SLA)
    _check_agreement(data, services)
    agreement = record_create(Agreement, actor=actor, data=data)
    if services:
        _set_m2m(agreement, "services", services, actor=actor, reason="create")
    if targets:
        _replace_targets(agreement, targets, actor=actor)
    return agreement


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    actor: User,
    data: dict[str, Any],
    services: Sequence[Service] | None = None,
) -> Agreement:
    """Edit a draft (the policy refuses other states: an agreed agreement is revised)."""
    data = dict(data)
    services = data.pop("services", services)
    data.pop("targets", None)
    policy.require(actor, "change", agreement)
    if "kind" in data and data["kind"] != agreement.kind:
        raise ValidationError({"kind": _("The kind cannot change; create a new agreement instead.")})
    merged = {
        f: getattr(agreement, f) for f in (*AGREEMENT_COPY_FIELDS, "effective_from", "effective_to")
    } | data
    _check_agreement(merged, list(services) if services is not None else list(agreement.services.all()))
    data["updated_by"] = actor
    stored = Agreement.objects.get(pk=agreement.pk)
    if any(getattr(stored, k) != v for k, v in data.items() if k != "updated_by"):
        data["updated_at"] = timezone.now()
    else:
        data.pop("updated_by")
    update_audited(agreement, actor=actor, data=data)
    if services is not None:
        _set_m2m(agreement, "services", services, actor=actor, reason="update")
    return agreement


def _clean_targets(targets: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int | None, int | None]]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[int | None, int | None]] = {}
    for item in targets:
        priority = str(item.get("priority", ""))
        if priority not in Priority.values:
            errors.setdefault("targets", []).append(
                _("%(priority)s is not a priority (P1 to P4).") % {"priority": priority or "—"}
            )
            continue
        if priority in cleaned:
            errors.setdefault(priority, []).append(_("This priority is listed twice."))
            continue
        values: list[int | None] = []
        for name in ("respond_minutes", "resolve_minutes"):
            raw = item.get(name)
            if raw in (None, ""):
                values.append(None)
                continue
            try:
                minutes = int(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                minutes = 0
            if minutes < 1 or isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                errors.setdefault(priority, []).append(_("Targets are whole minutes, at least 1."))
                minutes = 0
            values.append(minutes)
        respond, resolve = values
        if respond is None and resolve is None:
            # Both empty: no target for this priority (a visible gap), not an error.
            continue
        if respond and resolve and resolve < respond:
            errors.setdefault(priority, []).append(
                _("%(priority)s: the time to resolve cannot be shorter than the time to respond.")
                % {"priority": priority}
            )
        cleaned[priority] = (respond or None, resolve or None)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _replace_targets(agreement: Agreement, targets: Sequence[Mapping[str, Any]], *, actor: User) -> None:
    wanted = _clean_targets(targets)
    existing = {t.priority: t for t in AgreementTarget.objects.filter(agreement=agreement)}
    for priority, target in existing.items():
        if priority not in wanted:
            _delete_with_history(target, actor=actor, reason="targets")
    for priority, (respond, resolve) in wanted.items():
        target = existing.get(priority) or AgreementTarget(agreement=agreement, priority=priority)
        if target.pk and (target.respond_minutes, target.resolve_minutes) == (respond, resolve):
            continue
        target.respond_minutes, target.resolve_minutes = respond, resolve
        validate(target)
        save_with_history(target, actor=actor, reason="targets")


@transaction.atomic
def agreement_targets_set(
    *, agreement: Agreement, actor: User, targets: Sequence[Mapping[str, Any]]
) -> Agreement:
    """Set the targets of a draft, per priority (``{"priority", "respond_minutes", "resolve_minutes"}``).

    The list replaces the targets: a priority left out, or with both times empty, has no target and
    shows as a gap.
    """
    policy.require(actor, "change", agreement)
    _replace_targets(agreement, targets, actor=actor)
    return agreement


def agreement_missing(agreement: Agreement) -> dict[str, str]:
    """What a draft still lacks before it can be agreed, per field (empty when it is ready)."""
    errors: dict[str, str] = {}
    if agreement.effective_from is None:
        errors["effective_from"] = _("Set the date the agreement takes effect.")
    if not agreement.targets.exists():
        errors["targets"] = _("Set at least one target.")
    if agreement.kind == AgreementKind.SLA and not agreement.services.exists():
        errors["services"] = _("Choose the services this SLA covers.")
    previous = agreement.supersedes
    if (
        previous is not None
        and previous.state == AgreementState.AGREED
        and agreement.effective_from is not None
        and previous.effective_from is not None
        and agreement.effective_from <= previous.effective_from
    ):
        errors["effective_from"] = _(
            "It must take effect after %(reference)s, which it replaces (from %(date)s)."
        ) % {"reference": previous.reference, "date": previous.effective_from.isoformat()}
    return errors


def _agreement_readiness(agreement: Agreement) -> None:
    errors = agreement_missing(agreement)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agreement_agree(*, agreement: Agreement, actor: User, note: str = "") -> Agreement:
    """Draft → agreed; records who agreed and when. The agreement it revises is superseded, ending the
    day before this one takes effect."""
    policy.require(actor, "agree", agreement)
    if agreement.state == AgreementState.DRAFT:
        _agreement_readiness(agreement)
    run_transition(agreement, "agree", actor=actor, comment=note, by=actor, at=timezone.now())
    previous = agreement.supersedes
    if previous is not None and previous.state == AgreementState.AGREED:
        assert agreement.effective_from is not None  # noqa: S101 (checked by _agreement_readiness)
        run_transition(
            previous,
            "supersede",
            actor=actor,
            reason="superseded",
            comment=agreement.reference,
            on=agreement.effective_from - datetime.timedelta(days=1),
        )
    # Its review with the customer, every review interval (service_levels.review_services).
    agreement_review_plan_ensure(agreement=agreement, actor=actor)
    return agreement


@transaction.atomic
def agreement_expire(*, agreement: Agreement, actor: User, note: str = "") -> Agreement:
    """Agreed → expired, ending today (or on its end date, when that is earlier)."""
    return run_transition(agreement, "expire", actor=actor, comment=note, on=timezone.localdate())


@transaction.atomic
def agreement_revise(*, agreement: Agreement, actor: User, note: str = "") -> Agreement:
    """A new draft copying an agreed agreement (fields, services, targets) that supersedes it once
    agreed. The agreed one stays in force meanwhile and is never edited."""
    policy.require(actor, "revise", agreement)
    pending = agreement.superseded_by.filter(state=AgreementState.DRAFT).first()
    if pending is not None:
        raise ValidationError(
            _("A draft revision already exists: %(reference)s.") % {"reference": pending.reference}
        )
    data = {f: getattr(agreement, f) for f in AGREEMENT_COPY_FIELDS}
    data["supersedes"] = agreement
    revision = record_create(Agreement, actor=actor, data=data, reason=_reason("revise", agreement.reference))
    _set_m2m(revision, "services", agreement.services.all(), actor=actor, reason="revise")
    for target in agreement.targets.all():
        copy = AgreementTarget(
            agreement=revision,
            priority=target.priority,
            respond_minutes=target.respond_minutes,
            resolve_minutes=target.resolve_minutes,
        )
        save_with_history(copy, actor=actor, reason="revise")
    return revision


# Transition name → service; pages and the API look services up here. Each takes
# ``agreement``, ``actor`` and ``note`` (kept in the transition log).
AGREEMENT_TRANSITIONS = {"agree": agreement_agree, "expire": agreement_expire}

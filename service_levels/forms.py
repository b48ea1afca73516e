"""Forms of service level management.

Forms parse input; the services decide. Model constraints are checked by the services with a sentence
each (``validate_constraints`` is left to them), and errors a service names for a field the form does
not show land on the closest field or on the form.
"""

from __future__ import annotations

import datetime
import functools
import re
import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from itsm.choices import Priority
from itsm.models import Team
from itsm.ui.forms import Form, ModelForm

from .models import (
    Agreement,
    BusinessCalendar,
    CalendarVersion,
    Contact,
    Customer,
    Service,
    ServiceComponent,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin:
    """``add_error(None, ValidationError({...}))`` from a service: a key the form has no field for goes
    to ``error_fields[key]`` (a field of the form) or to the form itself, instead of raising."""

    error_fields: dict[str, str] = {}
    fields: dict[str, forms.Field]

    def add_error(self, field: str | None, error: Any) -> None:
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                target = key if key in self.fields else self.error_fields.get(key)
                if target not in self.fields:
                    target = None
                super().add_error(target, errors)  # type: ignore[misc]
            return
        super().add_error(field, error)  # type: ignore[misc]


class StyledModelForm(ServiceErrorsMixin, ModelForm):
    def _post_clean(self) -> None:
        """Field validation as usual, without the model's check constraints: the services check those,
        each with a sentence a person understands rather than "Constraint … is violated"."""
        full_clean = self.instance.full_clean
        self.instance.full_clean = functools.partial(full_clean, validate_constraints=False)
        try:
            super()._post_clean()  # type: ignore[misc]
        finally:
            del self.instance.full_clean


class StyledForm(ServiceErrorsMixin, Form):
    pass


def authorising_change_field() -> forms.CharField:
    return forms.CharField(
        label=_("Authorising change"),
        max_length=40,
        required=False,
        help_text=_("Reference of the RFC that authorised this change of the catalogue, e.g. RFC-000123."),
    )


# The catalogue ------------------------------------------------------------------------------------------


class ServiceForm(StyledModelForm):
    authorising_change = authorising_change_field()

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "description",
            "kind",
            "status",
            "owner",
            "team",
            "service_hours",
            "hours_exceptions",
            "contact_interface",
            "security_arrangements",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "hours_exceptions": forms.Textarea(attrs={"rows": 2}),
            "contact_interface": forms.Textarea(attrs={"rows": 2}),
            "security_arrangements": forms.Textarea(attrs={"rows": 2}),
        }


class ServiceRetireForm(StyledForm):
    authorising_change = authorising_change_field()
    note = forms.CharField(label=_("Why"), max_length=60, required=False)


class ComponentForm(StyledModelForm):
    authorising_change = authorising_change_field()

    class Meta:
        model = ServiceComponent
        fields = ["name", "description", "team"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DependencyForm(StyledForm):
    depends_on = forms.ModelChoiceField(
        label=_("Depends on service"), queryset=Service.objects.none(), required=False
    )
    component = forms.ModelChoiceField(
        label=_("or on component"), queryset=ServiceComponent.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    authorising_change = authorising_change_field()

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        from .choices import DependencyKind

        super().__init__(*args, **kwargs)
        depends_on = self.fields["depends_on"]
        component = self.fields["component"]
        kind = self.fields["kind"]
        assert isinstance(depends_on, forms.ModelChoiceField)  # noqa: S101 (declared above)
        assert isinstance(component, forms.ModelChoiceField)  # noqa: S101
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101
        depends_on.queryset = Service.objects.exclude(pk=service.pk).order_by("name")
        component.queryset = ServiceComponent.objects.select_related("service").order_by(
            "service__name", "name"
        )
        kind.choices = DependencyKind.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("depends_on")) == bool(data.get("component")):
            raise ValidationError(_("Choose either a service or a component it depends on, not both."))
        return data


# Customers ----------------------------------------------------------------------------------------------


class CustomerForm(StyledModelForm):
    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "description",
            "is_internal",
            "relationship_owner",
            "services",
            "complaint_definition",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "complaint_definition": forms.Textarea(attrs={"rows": 2}),
            "services": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relationship_owner"].required = False  # the service says why it is needed


class ContactForm(StyledModelForm):
    class Meta:
        model = Contact
        fields = ["name", "job_title", "email", "phone", "user", "is_primary"]


# Business calendars -------------------------------------------------------------------------------------

SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–~]\s*(\d{1,2}:\d{2})\s*$")  # noqa: RUF001 (en dash accepted)
DATE_LINE = re.compile(r"^\s*(\S+)\s*(.*)$")


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    from holidays.registry import COUNTRIES

    names = {entry[1]: entry[0] for entry in COUNTRIES.values()}
    readable = {code: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name) for code, name in names.items()}
    return [("", "—"), *sorted(((code, f"{code} {readable[code]}") for code in readable), key=lambda c: c[0])]


def format_spans(spans: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in spans)


def format_dates(dates: list[dict[str, str]]) -> str:
    return "\n".join(f"{d['date']} {d.get('name', '')}".rstrip() for d in dates)


class CalendarRulesForm(StyledForm):
    """The rules of a calendar version: one line of spans per weekday, dates one per line."""

    error_fields = {"weekly_hours": "hours_0"}

    time_zone = forms.ChoiceField(label=_("Time zone"), initial="Asia/Shanghai")
    always_open = forms.BooleanField(label=_("Open 24 hours, 7 days"), required=False)
    hours_0 = forms.CharField(label=WEEKDAYS[0], required=False)
    hours_1 = forms.CharField(label=WEEKDAYS[1], required=False)
    hours_2 = forms.CharField(label=WEEKDAYS[2], required=False)
    hours_3 = forms.CharField(label=WEEKDAYS[3], required=False)
    hours_4 = forms.CharField(label=WEEKDAYS[4], required=False)
    hours_5 = forms.CharField(label=WEEKDAYS[5], required=False)
    hours_6 = forms.CharField(
        label=WEEKDAYS[6],
        required=False,
        help_text=_(
            "Working spans per day, e.g. 09:00-12:00, 13:30-18:00; empty means closed; 24:00 ends a day; "
            "22:00-06:00 runs past midnight."
        ),
    )
    holiday_country = forms.ChoiceField(label=_("Public holidays of"), required=False)
    holiday_subdivision = forms.CharField(label=_("Region"), max_length=16, required=False)
    closed_dates = forms.CharField(
        label=_("Extra closed days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: YYYY-MM-DD and a name, e.g. 2026-12-31 Year-end closing."),
    )
    working_dates = forms.CharField(
        label=_("Make-up working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Days worked although they are weekends or holidays, one per line like the closed days."),
    )
    makeup_weekday = forms.TypedChoiceField(
        label=_("Make-up days work the hours of"), coerce=int, initial=0, choices=list(WEEKDAYS.items())
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        country = self.fields["holiday_country"]
        assert isinstance(zone, forms.ChoiceField)  # noqa: S101 (declared above)
        assert isinstance(country, forms.ChoiceField)  # noqa: S101
        zone.choices = time_zone_choices()
        country.choices = country_choices()

    @staticmethod
    def initial_from(version: CalendarVersion | None) -> dict[str, Any]:
        if version is None:
            return {
                "time_zone": "Asia/Shanghai",
                "hours_0": "09:00-18:00",
                "hours_1": "09:00-18:00",
                "hours_2": "09:00-18:00",
                "hours_3": "09:00-18:00",
                "hours_4": "09:00-18:00",
            }
        initial: dict[str, Any] = {
            "time_zone": version.time_zone,
            "always_open": version.always_open,
            "holiday_country": version.holiday_country,
            "holiday_subdivision": version.holiday_subdivision,
            "closed_dates": format_dates(version.closed_dates),
            "working_dates": format_dates(version.working_dates),
            "makeup_weekday": version.makeup_weekday,
        }
        for day, spans in enumerate(version.weekly_hours):
            initial[f"hours_{day}"] = format_spans(spans)
        return initial

    def _spans(self, name: str) -> list[list[str]]:
        text = self.cleaned_data.get(name, "") or ""
        spans = []
        for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
            match = SPAN.match(part)
            if match is None:
                self.add_error(name, _("%(text)s is not a span like 09:00-18:00.") % {"text": part})
                continue
            spans.append([t.zfill(5) for t in match.groups()])
        return spans

    def _dates(self, name: str) -> list[dict[str, str]]:
        dates = []
        for line in (self.cleaned_data.get(name, "") or "").splitlines():
            match = DATE_LINE.match(line)
            if match is None:
                continue
            try:
                day = datetime.date.fromisoformat(match.group(1))
            except ValueError:
                self.add_error(name, _("%(value)s is not a date (YYYY-MM-DD).") % {"value": match.group(1)})
                continue
            dates.append({"date": day.isoformat(), "name": match.group(2).strip()})
        return dates

    def rules(self) -> dict[str, Any]:
        """The version fields in their stored form, for ``calendar_create`` / ``calendar_revise``."""
        return {
            "time_zone": self.cleaned_data["time_zone"],
            "always_open": self.cleaned_data["always_open"],
            "weekly_hours": [self._spans(f"hours_{day}") for day in range(7)],
            "holiday_country": self.cleaned_data.get("holiday_country", ""),
            "holiday_subdivision": self.cleaned_data.get("holiday_subdivision", ""),
            "closed_dates": self._dates("closed_dates"),
            "working_dates": self._dates("working_dates"),
            "makeup_weekday": self.cleaned_data["makeup_weekday"],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "time_zone" in self.cleaned_data and "makeup_weekday" in self.cleaned_data:
            rules = self.rules()  # every malformed span or date is named, not only the first
            if not self.errors:
                self.parsed_rules = rules
        return data


class CalendarCreateForm(CalendarRulesForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["code", "name", "description"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if BusinessCalendar.objects.filter(code=code).exists():
            raise ValidationError(_("A calendar with this code exists already."))
        return str(code)


class CalendarReviseForm(CalendarRulesForm):
    error_fields = {"weekly_hours": "hours_0"}

    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        help_text=_("Kept with the version, e.g. 2027 holidays added."),
    )
    valid_from = forms.DateTimeField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: from now. A version never starts in the past."),
    )
    field_order = ["note", "valid_from"]


class CalendarForm(StyledModelForm):
    """Name, description and whether the calendar is offered; the rules change by revision."""

    class Meta:
        model = BusinessCalendar
        fields = ["name", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


# Agreements ---------------------------------------------------------------------------------------------


class AgreementForm(StyledModelForm):
    class Meta:
        model = Agreement
        fields = [
            "kind",
            "title",
            "customer",
            "team",
            "services",
            "calendar",
            "owner",
            "customer_signatory",
            "effective_from",
            "effective_to",
            "review_interval_months",
            "next_review",
            "availability_percent",
            "warn_percent",
            "critical_percent",
            "workload",
            "exceptions",
        ]
        widgets = {
            "services": forms.CheckboxSelectMultiple,
            "effective_from": DATE_INPUT,
            "effective_to": DATE_INPUT,
            "next_review": DATE_INPUT,
            "workload": forms.Textarea(attrs={"rows": 3}),
            "exceptions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].required = False  # the service says when services are needed
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)  # noqa: S101
        team.queryset = Team.objects.filter(is_active=True).order_by("name")
        calendar = self.fields["calendar"]
        assert isinstance(calendar, forms.ModelChoiceField)  # noqa: S101
        calendar.queryset = BusinessCalendar.objects.filter(is_active=True)
        if self.instance.pk:
            del self.fields["kind"]  # fixed at creation (it sets the reference)


DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:m|min)?)?\s*$", re.IGNORECASE)


def parse_minutes(text: str) -> int | None:
    """``"90"``, ``"90m"``, ``"4h"``, ``"1h 30m"`` → minutes; ``None`` when it is not a duration."""
    match = DURATION.match(text or "")
    if match is None or not any(match.groups()):
        return None
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return hours * 60 + minutes


def format_minutes(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


class DurationField(forms.CharField):
    """Business minutes typed as ``15m``, ``4h``, ``1h 30m`` or a number of minutes."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(super().to_python(value) or "").strip()
        if not text:
            return None
        minutes = parse_minutes(text)
        if minutes is None:
            raise ValidationError(_("Type a duration like 15m, 4h or 1h 30m."))
        return minutes


class AgreementTargetsForm(StyledForm):
    """Respond and resolve targets per priority; a priority left empty is a gap (shown, not defaulted)."""

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        existing = {t.priority: t for t in agreement.targets.all()}
        initial = {}
        for priority in Priority:
            target = existing.get(priority.value)
            initial[f"{priority.value}_respond"] = format_minutes(target.respond_minutes if target else None)
            initial[f"{priority.value}_resolve"] = format_minutes(target.resolve_minutes if target else None)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for priority in Priority:
            self.fields[f"{priority.value}_respond"] = DurationField(
                label=_("%(priority)s respond within") % {"priority": priority.label}, required=False
            )
            self.fields[f"{priority.value}_resolve"] = DurationField(
                label=_("%(priority)s resolve within") % {"priority": priority.label}, required=False
            )
        self.error_fields = {p.value: f"{p.value}_respond" for p in Priority}
        # Re-style the fields added after the mixin's __init__.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def targets(self) -> list[dict[str, Any]]:
        return [
            {
                "priority": p.value,
                "respond_minutes": self.cleaned_data.get(f"{p.value}_respond"),
                "resolve_minutes": self.cleaned_data.get(f"{p.value}_resolve"),
            }
            for p in Priority
        ]

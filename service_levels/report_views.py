"""Pages of service reporting (clause 6.2) and service reviews: the SLA dashboard, report definitions
and their runs, and the review register with its transitions."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from itsm.policy import policy
from itsm.timeline import timeline_for
from itsm.ui.detail import Action, edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView, csv_safe
from itsm.ui.notes import attachments_context, notes_context
from itsm.ui.transitions import TransitionView, transition_buttons
from itsm.ui.views import PolicyRequiredMixin, acting_user, policy_required, render_page

from . import report_charts, reports, review_services
from .models import BreachCause, Clock, ReportDefinition, ServiceReview
from .report_filters import ReportDefinitionFilter, ServiceReviewFilter
from .report_forms import (
    BreachCauseForm,
    ReportDefinitionForm,
    ReportPeriodForm,
    ServiceReviewEditForm,
    ServiceReviewForm,
    ServiceReviewHoldForm,
)

# ---------------------------------------------------------------------------------------------------
# The SLA dashboard and report runs

SECTIONS = (
    "totals",
    "agreements",
    "services",
    "customers",
    "teams",
    "trend",
    "ola_trend",
    "workload",
    "breaches",
    "at_risk",
)
SOURCE_SECTIONS = {
    ReportDefinition.Source.SLA_ATTAINMENT: (
        "totals",
        "agreements",
        "services",
        "customers",
        "trend",
        "breaches",
    ),
    ReportDefinition.Source.OLA_ATTAINMENT: ("teams", "ola_trend", "breaches"),
    ReportDefinition.Source.WORKLOAD: ("workload", "trend"),
    ReportDefinition.Source.BREACHES: ("breaches",),
}
DASHBOARD_BREACHES = 50
AT_RISK_ROWS = 25
CSV_TABLES = ("agreements", "services", "customers", "teams", "trend", "breaches", "workload", "at-risk")
ATTAINMENT_TABLES = {
    "agreements": "agreement",
    "services": "service",
    "customers": "customer",
    "teams": "team",
}


def _scope_from(request: HttpRequest, *, default: reports.ReportScope | None = None) -> tuple[Any, Any]:
    """The period form (bound to the query string) and the scope it describes; an invalid form gives
    the default scope, and the page shows the form's errors."""
    form = ReportPeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        base = default or reports.ReportScope.build()
        start, end = data.get("date_from"), data.get("date_to")
        if start is None and end is None:
            start, end = base.start, base.end
        scope = reports.ReportScope.build(
            start=start,
            end=end,
            customer=data.get("customer") or base.customer_id,
            service=data.get("service") or base.service_id,
            agreement=data.get("agreement") or base.agreement_id,
            team=data.get("team") or base.team_id,
        )
        return form, scope
    return form, default or reports.ReportScope.build()


def report_context(scope: reports.ReportScope, sections: tuple[str, ...]) -> dict[str, Any]:
    """Everything the report template shows for ``sections``; a fixed number of queries per section."""
    now = timezone.now()
    objectives = list(reports.active_objectives())
    targets = reports.objective_targets(objectives)
    context: dict[str, Any] = {
        "scope": scope,
        "sections": sections,
        "now": now,
        "csv_querystring": urlencode(scope.as_query()),
        "response_target": targets[reports.RESPONSE],
        "resolution_target": targets[reports.RESOLUTION],
    }
    if "totals" in sections:
        totals = reports.attainment_total(scope, now=now)
        context["total"] = totals["total"]
        context["objectives"] = reports.objective_status(totals["measures"], objectives)
        context["records_logged"] = reports.workload_total(scope)
    for section, group_by in ATTAINMENT_TABLES.items():
        if section in sections:
            context[section] = reports.attainment_by(scope, group_by, now=now)
    if "trend" in sections:
        points = reports.trend(scope, now=now)
        context["trend"] = points
        context["trend_chart"] = report_charts_for(points, side=_("SLA"), objectives=objectives)
    if "ola_trend" in sections:
        points = reports.trend(scope, side=reports.OLA, now=now)
        context["ola_trend"] = points
        context["ola_trend_chart"] = report_charts_for(points, side=_("OLA"), prefix="ola-")
    if "workload" in sections:
        context["workload"] = reports.workload_by_service(scope)
        context.setdefault("records_logged", reports.workload_total(scope))
    if "breaches" in sections:
        clocks = reports.breach_list(scope, now=now).prefetch_related("record")[: DASHBOARD_BREACHES + 1]
        rows = reports.breach_rows(clocks)
        context["breaches"] = rows[:DASHBOARD_BREACHES]
        context["breaches_more"] = len(rows) > DASHBOARD_BREACHES
    if "at_risk" in sections:
        clocks = reports.at_risk(scope, now=now).prefetch_related("record")[:AT_RISK_ROWS]
        context["at_risk"] = reports.at_risk_rows(clocks, now=now)
        context["breached_open"] = reports.open_breached_count(scope, now=now)
    return context


def report_charts_for(
    points: list[reports.TrendPoint], *, side: str, prefix: str = "", objectives: Iterable[Any] = ()
) -> dict[str, Any]:
    labels = [p.label for p in points]
    references = [
        report_charts.ReferenceLine(
            (
                _("Response objective %(target)s")
                if kind == reports.RESPONSE
                else _("Resolution objective %(target)s")
            )
            % {"target": o.target_display},
            o.target,
            "var(--bs-danger)" if kind == reports.RESPONSE else "var(--bs-warning)",
        )
        for o in objectives
        for kind in [reports.MEASURES[o.measure_key][0]]
    ]
    attainment = report_charts.percent_line_chart(
        title=_("%(side)s attainment per month") % {"side": side},
        description=_(
            "Percentage of response and resolution targets met per month; the table below gives the numbers."
        ),
        labels=labels,
        series=[
            report_charts.Series(_("Response"), [p.response.percent for p in points], "var(--bs-primary)"),
            report_charts.Series(
                _("Resolution"), [p.resolution.percent for p in points], "var(--bs-success)", dashed=True
            ),
        ],
        references=references,
        testid=f"{prefix}attainment-chart",
    )
    volume = report_charts.bar_chart(
        title=_("Records logged per month"),
        description=_(
            "Records whose first SLA clock started in the month; the table below gives the numbers."
        ),
        labels=labels,
        values=[p.records for p in points],
        css="var(--bs-secondary)",
        testid=f"{prefix}volume-chart",
    )
    return {"attainment": attainment, "volume": volume}


@policy_required("view", "service_level_reports")
def report_dashboard(request: HttpRequest) -> HttpResponse:
    form, scope = _scope_from(request)
    context = {
        "title": _("SLA dashboard"),
        "form": form,
        "may_record_cause": policy.allows(request.user, "add", BreachCause),
        **report_context(scope, SECTIONS),
    }
    return render_page(request, "service_levels/report_dashboard.html", context, partial="report")


def last_complete_period(frequency: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last whole week, month, quarter or year before ``today`` (what a report run covers)."""
    if frequency == ReportDefinition.Frequency.WEEKLY:
        end = today - datetime.timedelta(days=today.weekday() + 1)
        return end - datetime.timedelta(days=6), end
    if frequency == ReportDefinition.Frequency.QUARTERLY:
        first = reports.shift_months(today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), -3)
        return first, reports.month_end(reports.shift_months(first, 2))
    if frequency == ReportDefinition.Frequency.YEARLY:
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    first = reports.shift_months(today, -1)
    return first, reports.month_end(first)


@policy_required("view", ReportDefinition)
def report_definition_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a report definition for a period (default: its last complete period); its data source
    decides the sections, its customer limits the data."""
    definition = get_object_or_404(
        policy.scope(request.user, "view", reports.report_definition_list()), pk=pk
    )
    start, end = last_complete_period(definition.frequency, timezone.localdate())
    default = reports.ReportScope.build(start=start, end=end, customer=definition.customer_id)
    form, scope = _scope_from(request, default=default)
    if definition.customer_id:
        scope = reports.ReportScope(
            scope.start,
            scope.end,
            definition.customer_id,
            scope.service_id,
            scope.agreement_id,
            scope.team_id,
        )
    sections = SOURCE_SECTIONS.get(ReportDefinition.Source(definition.source), ("totals",))
    context = {
        "title": definition.name,
        "definition": definition,
        "form": form,
        "may_record_cause": policy.allows(request.user, "add", BreachCause),
        **report_context(scope, sections),
    }
    return render_page(request, "service_levels/report_dashboard.html", context, partial="report")


def _attainment_csv_rows(rows: list[reports.AttainmentRow]) -> Iterator[list[Any]]:
    for row in rows:
        yield [
            row.label,
            row.response.met,
            row.response.breached,
            row.response.percent,
            row.resolution.met,
            row.resolution.breached,
            row.resolution.percent,
        ]


@policy_required("view", "service_level_reports")
def report_csv(request: HttpRequest, table: str) -> HttpResponseBase:
    """CSV of one table of the dashboard for the period and filters of the query string."""
    if table not in CSV_TABLES:
        raise Http404
    form = ReportPeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(" ".join(str(e) for errors in form.errors.values() for e in errors))
    _form, scope = _scope_from(request)
    header: list[Any]
    rows: Iterable[list[Any]]
    attainment_header = [
        _("Met (response)"),
        _("Breached (response)"),
        _("Response %"),
        _("Met (resolution)"),
        _("Breached (resolution)"),
        _("Resolution %"),
    ]
    if table in ATTAINMENT_TABLES:
        label = {
            "agreements": _("Agreement"),
            "services": _("Service"),
            "customers": _("Customer"),
            "teams": _("Team"),
        }[table]
        header = [label, *attainment_header]
        rows = _attainment_csv_rows(reports.attainment_by(scope, ATTAINMENT_TABLES[table]))
    elif table == "trend":
        header = [_("Month"), *attainment_header, _("Records logged")]
        rows = (
            [
                p.label,
                p.response.met,
                p.response.breached,
                p.response.percent,
                p.resolution.met,
                p.resolution.breached,
                p.resolution.percent,
                p.records,
            ]
            for p in reports.trend(scope)
        )
    elif table == "workload":
        header = [_("Service"), _("Records logged")]
        rows = ([r["label"], r["records"]] for r in reports.workload_by_service(scope))
    elif table == "breaches":
        header = [
            _("Record"),
            _("Clock"),
            _("Priority"),
            _("Agreement"),
            _("Customer"),
            _("Service"),
            _("Team"),
            _("Due"),
            _("Breached"),
            _("State"),
            _("Cause"),
            _("Cause recorded by"),
            _("Sweep note"),
        ]
        rows = _breach_csv_rows(scope)
    else:  # at-risk
        header = [
            _("Record"),
            _("Clock"),
            _("Priority"),
            _("Agreement"),
            _("Customer"),
            _("Team"),
            _("Due"),
            _("Time left"),
        ]
        now = timezone.now()
        rows = (
            [
                r["record"],
                r["kind"],
                r["priority"],
                r["agreement"],
                r["customer"],
                r["team"],
                r["due_at"],
                r["time_left"],
            ]
            for r in reports.at_risk_rows(
                reports.at_risk(scope, now=now).prefetch_related("record")[:1000], now=now
            )
        )
    return csv_response(f"sla-{table}-{scope.start.isoformat()}-{scope.end.isoformat()}", header, rows)


def _breach_csv_rows(scope: reports.ReportScope) -> Iterator[list[Any]]:
    clocks = reports.breach_list(scope).prefetch_related("record")
    # In chunks: the generic prefetch runs once per chunk, not once per clock.
    offset, chunk = 0, 2000
    while True:
        batch = reports.breach_rows(clocks[offset : offset + chunk])
        for r in batch:
            yield [
                r["record"],
                r["kind"],
                r["priority"],
                r["agreement"],
                r["customer"],
                r["service"],
                r["team"],
                r["due_at"],
                r["breached_at"],
                r["state"],
                r["cause"],
                r["cause_by"],
                r["sweep_note"],
            ]
        if len(batch) < chunk:
            return
        offset += chunk


def csv_response(filename: str, header: list[Any], rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow([_csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _csv_cell(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return str(value)
    return csv_safe(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


class BreachCauseView(PolicyRequiredMixin, View):
    """GET: the cause form of one breached clock; POST: record it (``breach_cause_record``)."""

    policy_target = BreachCause
    policy_action = "add"

    def _clock(self, pk: int) -> Clock:
        breaches = reports.breach_list(
            reports.ReportScope(datetime.date(1970, 1, 1), datetime.date(9999, 12, 30))
        )
        return get_object_or_404(breaches, pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        clock = self._clock(pk)
        initial = {"cause": clock.breach_cause.cause} if reports.has_cause(clock) else {}
        return self._render(clock, BreachCauseForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        clock = self._clock(pk)
        form = BreachCauseForm(request.POST)
        if form.is_valid():
            try:
                review_services.breach_cause_record(
                    clock=clock, actor=acting_user(request), cause=form.cleaned_data["cause"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The cause of the breach was recorded."))
                return HttpResponseRedirect(_safe_next(request) or reverse("service_levels:report_dashboard"))
        return self._render(clock, form, status=400)

    def _render(self, clock: Clock, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "clock": clock,
            "breach": reports.breach_rows([clock])[0],
            "title": _("Cause of the breach"),
            "next": _safe_next(self.request),
        }
        return render_page(
            self.request, "service_levels/report_breach_cause.html", context, partial="form", status=status
        )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


# ---------------------------------------------------------------------------------------------------
# Report definitions


class ReportDefinitionListView(ListPageView):
    model = ReportDefinition
    policy_target = ReportDefinition
    title = gettext_lazy("Report definitions")
    filterset_class = ReportDefinitionFilter
    default_sort = "name"
    export_filename = "report-definitions"
    create_url = reverse_lazy("service_levels:report_definition_create")
    create_label = gettext_lazy("New report definition")
    columns = [
        Column("code", gettext_lazy("Code"), sort="code"),
        Column("name", gettext_lazy("Report"), sort="name", link=True),
        Column("source", gettext_lazy("Data source"), accessor="get_source_display", sort="source"),
        Column("frequency", gettext_lazy("Frequency"), accessor="get_frequency_display", sort="frequency"),
        Column("audience", gettext_lazy("Audience")),
        Column("customer", gettext_lazy("Customer"), accessor="customer"),
        Column("owner", gettext_lazy("Owner"), accessor="owner"),
        Column("is_active", gettext_lazy("Active"), sort="is_active"),
    ]

    def get_queryset(self) -> Any:
        return reports.report_definition_list()


@policy_required("view", ReportDefinition)
def report_definition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(
        policy.scope(request.user, "view", reports.report_definition_list()), pk=pk
    )
    tab = request.GET.get("tab", "details")
    history = (
        definition.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
        if tab == "history"
        else []
    )
    actions = [
        Action(
            _("Run the report"),
            reverse("service_levels:report_definition_run", args=[definition.pk]),
            style="primary",
        ),
        *edit_actions(request.user, definition, "service_levels:report_definition_update"),
    ]
    context = {
        "object": definition,
        "tab": tab,
        "history": history,
        "actions": actions,
        "status_category": "done" if definition.is_active else "closed",
        "status_label": _("Active") if definition.is_active else _("Inactive"),
    }
    return render_page(request, "service_levels/report_definition_detail.html", context, partial="tab")


class ReportDefinitionCreateView(ServiceFormView[ReportDefinition]):
    model = ReportDefinition
    form_class = ReportDefinitionForm
    title = gettext_lazy("New report definition")

    def get_initial(self) -> dict[str, Any]:
        return {"owner": self.actor}

    def perform(self, form: Any) -> ReportDefinition:
        return review_services.report_definition_create(actor=self.actor, data=form.cleaned_data)


class ReportDefinitionUpdateView(ReportDefinitionCreateView):
    title = gettext_lazy("Edit report definition")

    def perform(self, form: Any) -> ReportDefinition:
        return review_services.report_definition_update(
            definition=self.edited, actor=self.actor, data=form.cleaned_data
        )


# ---------------------------------------------------------------------------------------------------
# Service reviews

REVIEW_TRANSITION_LABELS = {
    "close": gettext_lazy("Close"),
    "cancel": gettext_lazy("Cancel the review"),
}
REVIEW_NOTE_REQUIRED = {"cancel"}
REVIEW_STATUS_CATEGORY = {
    ServiceReview.State.PLANNED: "open",
    ServiceReview.State.HELD: "in-progress",
    ServiceReview.State.CLOSED: "done",
    ServiceReview.State.CANCELLED: "closed",
}


class DueCell:
    """The due date of a review: plain text in CSV, a date with an "overdue" badge on the page."""

    def __init__(self, review: ServiceReview) -> None:
        self.date = review.due_on
        self.overdue = review_services.review_is_overdue(review)

    def __str__(self) -> str:
        if self.overdue:
            return _("%(date)s (overdue)") % {"date": self.date.isoformat()}
        return self.date.isoformat()

    def __html__(self) -> str:
        if not self.overdue:
            return format_html('<time datetime="{0}">{0}</time>', self.date.isoformat())
        return format_html(
            '<time datetime="{0}">{0}</time> <span class="badge status-badge status-breached" '
            'data-overdue="1"><span class="status-dot" aria-hidden="true"></span>{1}</span>',
            self.date.isoformat(),
            _("Overdue"),
        )


class ServiceReviewListView(ListPageView):
    model = ServiceReview
    policy_target = ServiceReview
    title = gettext_lazy("Service reviews")
    filterset_class = ServiceReviewFilter
    default_sort = "-due_on"
    export_filename = "service-reviews"
    create_url = reverse_lazy("service_levels:review_create")
    create_label = gettext_lazy("New service review")
    columns = [
        Column("reference", gettext_lazy("Reference"), sort="reference", link=True),
        Column("title", gettext_lazy("Title"), sort="title", link=True),
        Column("agreement", gettext_lazy("Agreement"), accessor="agreement.reference"),
        Column("customer", gettext_lazy("Customer"), accessor="agreement.customer"),
        Column("state", gettext_lazy("State"), accessor="get_state_display", sort="state"),
        Column("due_on", gettext_lazy("Due"), accessor=DueCell, sort="due_on"),
        Column("period", gettext_lazy("Period"), accessor=lambda r: f"{r.period_start} → {r.period_end}"),
        Column("owner", gettext_lazy("Owner"), accessor="owner"),
        Column("held_on", gettext_lazy("Held on"), sort="held_on"),
    ]

    def get_queryset(self) -> Any:
        return reports.service_review_list()


def _review_queryset(request: HttpRequest) -> Any:
    return policy.scope(request.user, "view", reports.service_review_list())


@policy_required("view", ServiceReview)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(_review_queryset(request), pk=pk)
    tab = request.GET.get("tab", "details")
    actions: list[Action] = []
    if review.state == ServiceReview.State.PLANNED:
        actions += edit_actions(request.user, review, "service_levels:review_update")
        if policy.allows(request.user, "hold", review):
            actions.append(
                Action(
                    _("Record the meeting"),
                    reverse("service_levels:review_hold", args=[review.pk]),
                    style="primary",
                )
            )
        if policy.allows(request.user, "change", review):
            actions.append(
                Action(
                    _("Recompute performance"),
                    reverse("service_levels:review_refresh", args=[review.pk]),
                    method="post",
                    style="outline-secondary",
                )
            )
    context = {
        "object": review,
        "tab": tab,
        "overdue": review_services.review_is_overdue(review),
        "performance": reports.performance_rows(review.performance),
        "events": timeline_for(review, viewer=request.user) if tab == "timeline" else [],
        "actions": actions,
        "transitions": transition_buttons(
            review, request.user, REVIEW_TRANSITION_LABELS, "service_levels:review_transition"
        ),
        "note_required": REVIEW_NOTE_REQUIRED,
        "status_category": REVIEW_STATUS_CATEGORY[ServiceReview.State(review.state)],
    }
    if tab == "notes":
        context.update(notes_context(request, review))
    elif tab == "attachments":
        context.update(attachments_context(request, review))
    return render_page(request, "service_levels/review_detail.html", context, partial="tab")


class ServiceReviewCreateView(ServiceFormView[ServiceReview]):
    model = ServiceReview
    form_class = ServiceReviewForm
    title = gettext_lazy("New service review")

    def get_initial(self) -> dict[str, Any]:
        today = timezone.localdate()
        return {"due_on": today, "period_end": today, "period_start": today.replace(year=today.year - 1)}

    def perform(self, form: Any) -> ServiceReview:
        data = form.cleaned_data
        return review_services.service_review_create(
            actor=self.actor,
            agreement=data["agreement"],
            due_on=data["due_on"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            owner=data.get("owner"),
            title=data.get("title") or "",
            attendees=data.get("attendees") or "",
        )


class ServiceReviewUpdateView(ServiceFormView[ServiceReview]):
    model = ServiceReview
    form_class = ServiceReviewEditForm
    title = gettext_lazy("Edit service review")

    def perform(self, form: Any) -> ServiceReview:
        data = {name: form.cleaned_data[name] for name in ServiceReviewEditForm.Meta.fields}
        return review_services.service_review_update(review=self.edited, actor=self.actor, data=data)


class ServiceReviewHoldView(PolicyRequiredMixin, View):
    """GET: the minutes form; POST: record that the review took place (``hold``)."""

    policy_target = ServiceReview
    policy_action = "view"

    def _review(self, pk: int) -> ServiceReview:
        review = get_object_or_404(_review_queryset(self.request), pk=pk)
        return self.check_object(review, "hold")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self._review(pk)
        form = ServiceReviewHoldForm(initial={"held_on": timezone.localdate(), "attendees": review.attendees})
        return self._render(review, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self._review(pk)
        form = ServiceReviewHoldForm(request.POST)
        if form.is_valid():
            try:
                review_services.service_review_hold(
                    review=review, actor=acting_user(request), **form.cleaned_data
                )
            except TransitionNotAllowed:
                form.add_error(None, _("This action is not allowed in the record's current state."))
            except ConcurrentTransition:
                form.add_error(None, _("This record changed since you loaded it; reload and try again."))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Done: %(record)s.") % {"record": review})
                return HttpResponseRedirect(review.get_absolute_url())
        return self._render(review, form, status=400)

    def _render(self, review: ServiceReview, form: Any, status: int = 200) -> HttpResponse:
        context = {"form": form, "object": review, "title": _("Record the review meeting"), "view": self}
        return render_page(self.request, "_components/form_page.html", context, partial="form", status=status)


@require_POST
@policy_required("view", ServiceReview)
def review_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(_review_queryset(request), pk=pk)
    try:
        review_services.service_review_refresh_performance(review=review, actor=acting_user(request))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConcurrentTransition:
        messages.error(request, _("This record changed since you loaded it; reload and try again."))
    else:
        messages.success(request, _("The performance of the period was recomputed."))
    response = HttpResponseRedirect(review.get_absolute_url())
    response["HX-Trigger"] = "record-changed"
    return response


class ServiceReviewTransitionView(TransitionView):
    policy_target = ServiceReview
    services = review_services.REVIEW_TRANSITIONS
    record_argument = "review"

    def get_queryset(self) -> Any:
        return reports.service_review_list()

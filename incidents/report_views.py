"""The incident report page (``/incidents/reports/``) and its CSV export of the daily series."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from itsm.policy import policy
from itsm.ui.views import policy_required, render_page

from . import report_charts, reports
from .models import Incident, ServiceRequest
from .report_forms import IncidentReportForm

REPORT_TARGET = "incident_reports"


def scope_from(data: dict[str, Any]) -> reports.IncidentReportScope:
    """The scope of a valid form's data (empty fields: the defaults)."""
    return reports.IncidentReportScope.build(
        start=data.get("date_from"),
        end=data.get("date_to"),
        service=data.get("service"),
        team=data.get("team"),
        customer=data.get("customer"),
    )


def _query(scope: reports.IncidentReportScope) -> str:
    query = scope.as_query()
    query["date_from"] = query.pop("from")
    query["date_to"] = query.pop("to")
    return urlencode(query)


@policy_required("view", REPORT_TARGET)
def incident_report(request: HttpRequest) -> HttpResponse:
    """The report for the period and filters of the query string; invalid ones answer 400 with the
    form's errors (and no numbers)."""
    form = IncidentReportForm(request.GET or None)
    wants_csv = request.GET.get("format") == "csv"
    if form.is_bound and not form.is_valid():
        if wants_csv:
            return bad_csv(form)
        context: dict[str, Any] = {"title": _("Incident report"), "form": form, "invalid": True}
        return render_page(request, "incidents/report.html", context, partial="report", status=400)
    scope = scope_from(form.cleaned_data if form.is_bound else {})
    base = policy.scope(request.user, "view", Incident.objects.all())
    requests = policy.scope(request.user, "view", ServiceRequest.objects.all())
    if wants_csv:
        return _csv(scope, base, requests)
    report = reports.incident_report(scope, base, requests=requests)
    open_ = report["open"]
    context = {
        "title": _("Incident report"),
        "form": form,
        "now": timezone.now(),
        "query": _query(scope),
        **report,
        "daily_chart": report_charts.created_resolved_chart(report["days"]),
        "request_chart": report_charts.requests_chart(report["request_days"]),
        "priority_chart": report_charts.open_by_priority_chart(
            [g.key for g in open_.by_priority], [g.count for g in open_.by_priority]
        ),
    }
    return render_page(request, "incidents/report.html", context, partial="report")


def _csv(scope: reports.IncidentReportScope, base: Any, requests: Any) -> HttpResponse:
    """The daily series of the scope as CSV (at most 366 rows): incidents created and resolved,
    service requests created and fulfilled."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Date"), _("Created"), _("Resolved"), _("Requests created"), _("Requests fulfilled")])
    request_days = reports.request_daily_series(scope, requests)
    for day, request_day in zip(reports.daily_series(scope, base), request_days, strict=True):
        writer.writerow(
            [day.day.isoformat(), day.created, day.resolved, request_day.created, request_day.fulfilled]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"incidents-daily-{scope.start.isoformat()}-{scope.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def bad_csv(form: IncidentReportForm) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(" ".join(str(e) for errors in form.errors.values() for e in errors))

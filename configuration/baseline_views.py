"""Pages of configuration baselines and of a CI "as of" a past date."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm.policy import policy
from itsm.timeline import timeline_for
from itsm.ui.detail import edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView, csv_safe
from itsm.ui.transitions import TransitionView, transition_buttons
from itsm.ui.views import policy_required, render_page

from . import baseline_selectors as reads
from . import baseline_services, selectors
from .baseline_filters import BaselineFilter
from .baseline_forms import AsOfForm, BaselineForm
from .choices import BaselineState
from .models import Baseline, ConfigurationItem

BASELINE_TRANSITION_LABELS = {"take": gettext_lazy("Take the baseline now")}
BASELINE_STATUS_CATEGORY = {
    BaselineState.DRAFT: "open",
    BaselineState.TAKEN: "done",
    BaselineState.SUPERSEDED: "closed",
}
BASELINE_TABS = [("items", gettext_lazy("CIs")), ("timeline", gettext_lazy("Timeline"))]
#: Items shown on the page; the CSV export has all of them.
ITEMS_SHOWN = 200


class _Echo:
    def write(self, value: str) -> str:
        return value


class BaselineListView(ListPageView):
    model = Baseline
    policy_target = Baseline
    title = gettext_lazy("Configuration baselines")
    filterset_class = BaselineFilter
    default_sort = "-created_at"
    export_filename = "baselines"
    create_url = reverse_lazy("configuration:baseline_create")
    create_label = gettext_lazy("New baseline")
    columns = [
        Column("reference", gettext_lazy("Reference"), sort="reference", link=True),
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("state", gettext_lazy("State"), accessor="get_state_display", sort="state"),
        Column("taken_at", gettext_lazy("Taken"), sort="taken_at"),
        Column("taken_by", gettext_lazy("Taken by"), accessor="taken_by"),
        Column("superseded_by", gettext_lazy("Superseded by"), accessor="superseded_by.reference"),
        Column("created_at", gettext_lazy("Created"), sort="created_at"),
    ]

    def get_queryset(self) -> Any:
        return reads.baseline_list()


def _baseline_or_404(request: HttpRequest, pk: int) -> Baseline:
    return get_object_or_404(policy.scope(request.user, "view", reads.baseline_list()), pk=pk)


def _items_csv(baseline: Baseline) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    header = [
        _("Reference"),
        _("Name"),
        _("Type"),
        _("State"),
        _("Version"),
        _("Attributes"),
        _("Relationships"),
    ]

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for item in reads.baseline_items(baseline).iterator(chunk_size=2000):
            fields = item.snapshot.get("fields", {})
            attributes = "; ".join(
                f"{k}={v}" for k, v in sorted((item.snapshot.get("attributes") or {}).items())
            )
            links = "; ".join(f"{r['label']} {r['other']}" for r in item.snapshot.get("relationships") or [])
            values = [item.ci_reference, fields.get("name"), fields.get("type"), fields.get("state")]
            yield writer.writerow([csv_safe(v) for v in [*values, item.version, attributes, links]])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{baseline.reference}.csv"'
    return response


@policy_required("view", Baseline)
def baseline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    baseline = _baseline_or_404(request, pk)
    if request.GET.get("format") == "csv":
        return _items_csv(baseline)  # type: ignore[return-value]
    tab = request.GET.get("tab", "items")
    if tab not in dict(BASELINE_TABS):
        tab = "items"
    context: dict[str, Any] = {
        "object": baseline,
        "tab": tab,
        "tabs": BASELINE_TABS,
        "actions": edit_actions(request.user, baseline, "configuration:baseline_update"),
        "transitions": transition_buttons(
            baseline, request.user, BASELINE_TRANSITION_LABELS, "configuration:baseline_transition"
        ),
        "status_category": BASELINE_STATUS_CATEGORY[BaselineState(baseline.state)],
        "scope_text": reads.describe_scope(baseline.scope_filter),
    }
    if tab == "timeline":
        context["events"] = timeline_for(baseline, viewer=request.user)
    elif baseline.state == BaselineState.DRAFT:
        context["in_scope"] = reads.scope_queryset(baseline.scope_filter).count()
    else:
        items = list(reads.baseline_items(baseline)[: ITEMS_SHOWN + 1])
        context["items"] = items[:ITEMS_SHOWN]
        context["more_items"] = len(items) > ITEMS_SHOWN
        context["item_count"] = baseline.items.count()
        context["others"] = list(reads.comparable_baselines(baseline)[:50])
    return render_page(request, "configuration/baseline_detail.html", context, partial="tab")


class BaselineCreateView(ServiceFormView[Baseline]):
    model = Baseline
    form_class = BaselineForm
    title = gettext_lazy("New baseline")

    def perform(self, form: Any) -> Baseline:
        return baseline_services.baseline_create(actor=self.actor, data=form.service_data())


class BaselineUpdateView(BaselineCreateView):
    title = gettext_lazy("Edit baseline")

    def perform(self, form: Any) -> Baseline:
        return baseline_services.baseline_update(
            baseline=self.edited, actor=self.actor, data=form.service_data()
        )


class BaselineTransitionView(TransitionView):
    policy_target = Baseline
    services = baseline_services.BASELINE_TRANSITIONS
    record_argument = "baseline"

    def get_queryset(self) -> Any:
        return reads.baseline_list()


@policy_required("view", Baseline)
def baseline_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """``?with=<id>`` another taken baseline, or ``?with=live`` the CMDB now (the default)."""
    baseline = _baseline_or_404(request, pk)
    if baseline.state == BaselineState.DRAFT:
        messages.error(request, _("A draft has no snapshot yet: take it first."))
        return render_page(
            request,
            "configuration/baseline_compare.html",
            {"object": baseline, "comparison": None},
            status=400,
        )
    other_id = request.GET.get("with", "live")
    other = None
    if other_id == "live":
        comparison = reads.compare_with_live(baseline)
    else:
        try:
            other = get_object_or_404(
                policy.scope(request.user, "view", reads.baseline_list()).exclude(state=BaselineState.DRAFT),
                pk=int(other_id),
            )
        except ValueError:
            raise Http404 from None
        comparison = reads.compare_baselines(baseline, other)
    context = {
        "object": baseline,
        "other": other,
        "comparison": comparison,
        "others": list(reads.comparable_baselines(baseline)[:50]),
        "selected": other_id,
    }
    return render_page(request, "configuration/baseline_compare.html", context, partial="comparison")


@policy_required("view", ConfigurationItem)
def ci_as_of(request: HttpRequest, pk: int) -> HttpResponse:
    """A CI as it was at the end of a past day: fields, attributes, relationships, and what changed
    since then."""
    ci = get_object_or_404(policy.scope(request.user, "view", selectors.ci_detail()), pk=pk)
    form = AsOfForm(request.GET if "date" in request.GET else None)
    context: dict[str, Any] = {"object": ci, "form": form, "searched": form.is_bound}
    if form.is_bound and form.is_valid():
        at = reads.parse_as_of(form.cleaned_data["date"].isoformat())
        then = reads.ci_as_of(ci, at) if at is not None else None
        context["then"] = then
        if then is not None:
            labels = reads.attribute_labels([ci.ci_type.code])
            context["fields"] = [
                (reads.field_label(name), reads.display_value(name, then.snapshot["fields"].get(name)))
                for name in reads.SNAPSHOT_FIELDS
            ]
            context["attributes"] = [
                (labels.get((ci.ci_type.code, key), key), value)
                for key, value in sorted(then.snapshot["attributes"].items())
            ]
            context["since"] = reads.diff_snapshot(ci.pk, then.snapshot, reads.live_snapshot(ci), labels)
    context["recent"] = ci.history.select_related("history_user").order_by("-history_date", "-history_id")[
        :15
    ]
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render_page(
        request, "configuration/baseline_ci_as_of.html", context, partial="result", status=status
    )

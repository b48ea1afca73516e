"""Pages of CMDB audits: the list, planning, the items to verify, corrections and the report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from itsm.policy import policy
from itsm.timeline import timeline_for
from itsm.ui.detail import edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView
from itsm.ui.transitions import TransitionView, transition_buttons
from itsm.ui.views import acting_user, policy_required, render_page

from . import audit_selectors as reads
from . import audit_services
from .audit_forms import CMDBAuditForm, RaiseRfcForm, VerifyForm
from .baseline_filters import CMDBAuditFilter
from .choices import CONTROLLED_STATES, CMDBAuditState
from .forms import ConfigurationItemForm, form_errors
from .models import CMDBAudit, CMDBAuditItem

CMDBAUDIT_TRANSITION_LABELS = {
    "start": gettext_lazy("Start verifying"),
    "complete": gettext_lazy("Complete the audit"),
}
CMDBAUDIT_STATUS_CATEGORY = {
    CMDBAuditState.PLANNED: "open",
    CMDBAuditState.IN_PROGRESS: "in-progress",
    CMDBAuditState.COMPLETED: "done",
}
CMDBAUDIT_TABS = [
    ("items", gettext_lazy("Sample")),
    ("report", gettext_lazy("Report")),
    ("timeline", gettext_lazy("Timeline")),
]


class CMDBAuditListView(ListPageView):
    model = CMDBAudit
    policy_target = CMDBAudit
    title = gettext_lazy("CMDB audits")
    filterset_class = CMDBAuditFilter
    default_sort = "-created_at"
    export_filename = "cmdb-audits"
    create_url = reverse_lazy("configuration:cmdbaudit_create")
    create_label = gettext_lazy("Plan a CMDB audit")
    columns = [
        Column("reference", gettext_lazy("Reference"), sort="reference", link=True),
        Column("title", gettext_lazy("Title"), sort="title", link=True),
        Column("auditor", gettext_lazy("Auditor"), accessor="auditor"),
        Column("state", gettext_lazy("State"), accessor="get_state_display", sort="state"),
        Column("planned_for", gettext_lazy("Planned for"), sort="planned_for"),
        Column("period_end", gettext_lazy("Period to"), sort="period_end"),
        Column("accuracy", gettext_lazy("Accuracy (%)"), sort="accuracy"),
        Column("completed_at", gettext_lazy("Completed"), sort="completed_at"),
    ]

    def get_queryset(self) -> Any:
        return reads.cmdbaudit_list()


def _audit_or_404(request: HttpRequest, pk: int) -> CMDBAudit:
    return get_object_or_404(policy.scope(request.user, "view", reads.cmdbaudit_list()), pk=pk)


def _item_or_404(request: HttpRequest, audit: CMDBAudit, item_pk: int) -> CMDBAuditItem:
    item = get_object_or_404(policy.scope(request.user, "view", reads.cmdbaudit_items(audit)), pk=item_pk)
    item.audit = audit
    return item


def _item_row(request: HttpRequest, audit: CMDBAudit, item: CMDBAuditItem) -> dict[str, Any]:
    user = request.user
    item.audit = audit  # the policy rules read the audit: no query per row
    return {
        "item": item,
        "own": item.ci.owner_id is not None and item.ci.owner_id == audit.auditor_id,
        "may_verify": policy.allows(user, "verify", item),
        "may_resolve": item.verdict == "discrepancy" and policy.allows(user, "resolve", item),
    }


@policy_required("view", CMDBAudit)
def cmdbaudit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit_or_404(request, pk)
    tab = request.GET.get("tab", "items")
    if tab not in dict(CMDBAUDIT_TABS):
        tab = "items"
    counts = audit_services.verdict_counts(audit)
    verified = counts["correct"] + counts["discrepancy"]
    context: dict[str, Any] = {
        "object": audit,
        "tab": tab,
        "tabs": CMDBAUDIT_TABS,
        "actions": edit_actions(request.user, audit, "configuration:cmdbaudit_update"),
        "transitions": transition_buttons(
            audit, request.user, CMDBAUDIT_TRANSITION_LABELS, "configuration:cmdbaudit_transition"
        ),
        "status_category": CMDBAUDIT_STATUS_CATEGORY[CMDBAuditState(audit.state)],
        "counts": counts,
        "verified": verified,
        "accuracy": audit.accuracy
        if audit.accuracy is not None
        else audit_services.accuracy_of(counts["correct"], verified),
        "schedule": reads.schedule_of(audit),
    }
    if tab == "timeline":
        context["events"] = timeline_for(audit, viewer=request.user)
    elif tab == "report":
        context["discrepancies"] = list(reads.discrepancies(audit))
    else:
        context["rows"] = [_item_row(request, audit, item) for item in reads.cmdbaudit_items(audit)]
        context["rfc_form"] = RaiseRfcForm()
    return render_page(request, "configuration/cmdb_audit_detail.html", context, partial="tab")


class CMDBAuditCreateView(ServiceFormView[CMDBAudit]):
    model = CMDBAudit
    form_class = CMDBAuditForm
    title = gettext_lazy("Plan a CMDB audit")

    def perform(self, form: Any) -> CMDBAudit:
        return audit_services.cmdbaudit_create(actor=self.actor, data=form.cleaned_data)


class CMDBAuditUpdateView(CMDBAuditCreateView):
    title = gettext_lazy("Edit CMDB audit")

    def perform(self, form: Any) -> CMDBAudit:
        return audit_services.cmdbaudit_update(audit=self.edited, actor=self.actor, data=form.cleaned_data)


class CMDBAuditTransitionView(TransitionView):
    policy_target = CMDBAudit
    services = audit_services.CMDBAUDIT_TRANSITIONS
    record_argument = "audit"

    def get_queryset(self) -> Any:
        return reads.cmdbaudit_list()


@require_POST
@policy_required("view", CMDBAudit)
def cmdbaudit_item_verify(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Record a verdict; an htmx request gets the item's row back (with the error inline, if any)."""
    audit = _audit_or_404(request, pk)
    item = _item_or_404(request, audit, item_pk)
    form = VerifyForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            audit_services.cmdbaudit_item_verify(
                item=item,
                actor=acting_user(request),
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        item = _item_or_404(request, audit, item_pk)
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        context = {
            "object": audit,
            "row": _item_row(request, audit, item),
            "error": error,
            "rfc_form": RaiseRfcForm(),
        }
        response = render_page(
            request,
            "configuration/cmdb_audit_detail.html",
            context,
            partial="item_row",
            status=400 if error else 200,
        )
        response["HX-Trigger"] = "record-changed"
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Verified: %(ci)s.") % {"ci": item.ci})
    return HttpResponseRedirect(audit.get_absolute_url())


@require_POST
@policy_required("view", CMDBAudit)
def cmdbaudit_item_rfc(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    audit = _audit_or_404(request, pk)
    item = _item_or_404(request, audit, item_pk)
    form = RaiseRfcForm(request.POST)
    if form.is_valid():
        try:
            audit_services.cmdbaudit_item_raise_rfc(
                item=item, actor=acting_user(request), rfc_reference=form.cleaned_data["rfc_reference"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("RFC recorded for %(ci)s.") % {"ci": item.ci})
    else:
        messages.error(request, _("Enter an RFC reference such as RFC-000123."))
    return HttpResponseRedirect(audit.get_absolute_url())


@policy_required("view", CMDBAudit)
def cmdbaudit_item_correct(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Correct the CI of a discrepancy in the CMDB (its edit form, saved as a CMDB audit correction)."""
    audit = _audit_or_404(request, pk)
    item = _item_or_404(request, audit, item_pk)
    if not policy.allows(request.user, "resolve", item):
        raise PermissionDenied
    ci = item.ci
    rfc_required = ci.is_controlled and ci.state in CONTROLLED_STATES
    form = ConfigurationItemForm(
        request.POST if request.method == "POST" else None,
        instance=ci,
        ci_type=ci.ci_type,
        rfc_required=rfc_required,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.service_data()
            rfc = data.pop("rfc_reference", "")
            try:
                audit_services.cmdbaudit_item_correct(
                    item=item, actor=acting_user(request), data=data, rfc_reference=rfc
                )
            except ValidationError as exc:
                form.add_error(None, form_errors(form, exc))  # type: ignore[arg-type]
            else:
                messages.success(request, _("Corrected %(ci)s.") % {"ci": ci})
                return HttpResponseRedirect(audit.get_absolute_url())
    context = {"object": audit, "item": item, "form": form, "ci_type": ci.ci_type}
    return render_page(
        request, "configuration/cmdb_audit_correct.html", context, partial="form", status=status
    )


@require_POST
@policy_required("add", CMDBAudit)
def cmdbaudit_schedule(request: HttpRequest) -> HttpResponse:
    """Set up the schedule of CMDB audits (every 3 months) if there is none, and open it."""
    activity = audit_services.cmdbaudit_schedule_ensure(
        actor=acting_user(request), owner=acting_user(request)
    )
    messages.success(
        request, _("CMDB audits are planned every %(months)s months.") % {"months": activity.interval_months}
    )
    return HttpResponseRedirect(activity.get_absolute_url())


def schedule_url() -> str:
    return reverse("configuration:cmdbaudit_schedule")

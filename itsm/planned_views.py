"""Pages of planned activities under /planned-activities/: the list, a detail with its cycles (done
versus due) and history, set-up and edit forms, and completing a task by hand."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from .planned import (
    OPEN_STATES,
    OccurrenceState,
    PlannedActivity,
    PlannedOccurrence,
    ScheduleStatus,
    planned_activity_create,
    planned_activity_list,
    planned_activity_update,
    planned_occurrence_complete,
    planned_occurrence_list,
)
from .planned_filters import PlannedActivityFilter
from .planned_forms import OccurrenceCompleteForm, PlannedActivityCreateForm, PlannedActivityUpdateForm
from .policy import policy
from .ui.detail import edit_actions
from .ui.edit import ServiceFormView
from .ui.lists import Column, ListPageView
from .ui.views import acting_user, policy_required, render_page

STATUS_CATEGORY = {
    ScheduleStatus.OK: "open",
    ScheduleStatus.DUE: "at-risk",
    ScheduleStatus.OVERDUE: "breached",
    ScheduleStatus.INACTIVE: "closed",
}
OCCURRENCE_CATEGORY = {
    OccurrenceState.SCHEDULED: "open",
    OccurrenceState.DRAFT_CREATED: "in-progress",
    OccurrenceState.DONE: "done",
    OccurrenceState.MISSED: "breached",
}


class Badge:
    """A status badge in a list cell: HTML on the page, its word in the CSV export."""

    def __init__(self, category: str, label: Any) -> None:
        self.category, self.label = category, label

    def __html__(self) -> SafeString:
        return format_html(
            '<span class="badge status-badge status-{}" data-status="{}">'
            '<span class="status-dot" aria-hidden="true"></span>{}</span>',
            self.category,
            self.category,
            self.label,
        )

    def __str__(self) -> str:
        return str(self.label)


def activity_badge(activity: PlannedActivity) -> Badge:
    status = activity.status(timezone.localdate())
    return Badge(STATUS_CATEGORY[status], status.label)


def occurrence_badge(occurrence: PlannedOccurrence) -> Badge:
    if occurrence.is_overdue(timezone.localdate()):
        return Badge("breached", ScheduleStatus.OVERDUE.label)
    state = OccurrenceState(occurrence.state)
    return Badge(OCCURRENCE_CATEGORY[state], state.label)


class PlannedActivityListView(ListPageView):
    model = PlannedActivity
    policy_target = PlannedActivity
    title = gettext_lazy("Planned activities")
    filterset_class = PlannedActivityFilter
    default_sort = "next_due"
    export_filename = "planned-activities"
    create_url = reverse_lazy("itsm:planned_activity_create")
    create_label = gettext_lazy("New planned activity")
    columns = [
        Column("kind", gettext_lazy("Kind"), accessor="kind_label", sort="kind"),
        Column("title", gettext_lazy("Title"), sort="title", link=True),
        Column("owner", gettext_lazy("Owner"), accessor="owner"),
        Column("interval", gettext_lazy("Every"), accessor="interval_label"),
        Column("next_due", gettext_lazy("Next due"), sort="next_due"),
        Column("status", gettext_lazy("Status"), accessor=activity_badge),
        Column("last_completed_on", gettext_lazy("Last completed"), sort="last_completed_on"),
    ]

    def get_queryset(self) -> Any:
        return planned_activity_list()


@policy_required("view", PlannedActivity)
def planned_activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(policy.scope(request.user, "view", planned_activity_list()), pk=pk)
    tab = request.GET.get("tab", "details")
    status = activity.status(timezone.localdate())
    context: dict[str, Any] = {
        "object": activity,
        "tab": tab,
        "status_category": STATUS_CATEGORY[status],
        "status_label": status.label,
        "actions": edit_actions(request.user, activity, "itsm:planned_activity_update"),
    }
    if tab == "history":
        context["history"] = activity.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )[:50]
    else:
        rows = list(
            planned_occurrence_list()
            .filter(activity=activity)
            .prefetch_related("record")
            .order_by("-due", "-id")[:200]
        )
        context["occurrences"] = [
            {
                "object": occurrence,
                "badge": occurrence_badge(occurrence),
                "record": None if occurrence.completes_by_hand else occurrence.record,
                "may_complete": occurrence.is_open
                and occurrence.completes_by_hand
                and policy.allows(request.user, "complete", occurrence),
            }
            for occurrence in rows
        ]
        context["counts"] = activity.occurrences.aggregate(
            due=Count("pk"),
            done=Count("pk", filter=Q(state=OccurrenceState.DONE)),
            missed=Count("pk", filter=Q(state=OccurrenceState.MISSED)),
            open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        )
        context["complete_form"] = OccurrenceCompleteForm()
    return render_page(request, "itsm/planned_activity_detail.html", context, partial="tab")


class PlannedActivityCreateView(ServiceFormView[PlannedActivity]):
    model = PlannedActivity
    title = gettext_lazy("New planned activity")

    @property
    def form_class(self) -> Any:
        return functools.partial(PlannedActivityCreateForm, user=self.request.user)

    def get_initial(self) -> dict[str, Any]:
        return {"owner": self.actor, "interval_months": 12}

    def perform(self, form: Any) -> PlannedActivity:
        return planned_activity_create(actor=self.actor, data=form.cleaned_data)


class PlannedActivityUpdateView(ServiceFormView[PlannedActivity]):
    model = PlannedActivity
    form_class = PlannedActivityUpdateForm
    title = gettext_lazy("Edit planned activity")

    def perform(self, form: Any) -> PlannedActivity:
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        return planned_activity_update(activity=self.edited, actor=self.actor, data=data, reason=reason)


@policy_required("complete", PlannedOccurrence)
@require_POST
def planned_occurrence_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a task's cycle done (POST ``note``); the outcome is a message on the activity's page."""
    occurrence = get_object_or_404(policy.scope(request.user, "view", planned_occurrence_list()), pk=pk)
    form = OccurrenceCompleteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        planned_occurrence_complete(occurrence=occurrence, actor=acting_user(request), note=note)
    except TransitionNotAllowed:
        messages.error(request, _("This cycle is no longer open."))
    except ConcurrentTransition:
        messages.error(request, _("This cycle changed since you loaded it; reload and try again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done: %(cycle)s.") % {"cycle": occurrence})
    response = HttpResponseRedirect(occurrence.activity.get_absolute_url())
    response["HX-Trigger"] = "record-changed"
    return response

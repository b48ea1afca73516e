"""Pages of audits and improvement."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from itsm.policy import policy
from itsm.ui.detail import edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView
from itsm.ui.views import policy_required, render_page

from . import selectors, services
from .choices import ObjectiveStatus
from .filters import ObjectiveFilter
from .forms import ObjectiveForm
from .models import Objective


class ObjectiveListView(ListPageView):
    model = Objective
    policy_target = Objective
    title = _("Service management objectives")
    filterset_class = ObjectiveFilter
    default_sort = "code"
    export_filename = "objectives"
    create_url = reverse_lazy("audits:objective_create")
    create_label = _("New objective")
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Objective"), sort="name", link=True),
        Column("target", _("Target"), accessor="target_display"),
        Column("owner", _("Owner"), accessor="owner"),
        Column("next_review", _("Next review"), sort="next_review"),
        Column("status", _("Status"), accessor="get_status_display", sort="status"),
    ]

    def get_queryset(self) -> Any:
        return selectors.objective_list()


@policy_required("view", Objective)
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(policy.scope(request.user, "view", selectors.objective_list()), pk=pk)
    history = objective.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
    context = {
        "object": objective,
        "history": history,
        "actions": edit_actions(request.user, objective, "audits:objective_update"),
        "status_category": "open" if objective.status == ObjectiveStatus.ACTIVE else "closed",
    }
    return render_page(request, "audits/objective_detail.html", context, partial="tab")


class ObjectiveCreateView(ServiceFormView[Objective]):
    model = Objective
    form_class = ObjectiveForm
    title = _("New objective")

    def perform(self, form: Any) -> Objective:
        return services.objective_create(actor=self.actor, data=form.cleaned_data)


class ObjectiveUpdateView(ObjectiveCreateView):
    title = _("Edit objective")

    def perform(self, form: Any) -> Objective:
        return services.objective_update(objective=self.edited, actor=self.actor, data=form.cleaned_data)

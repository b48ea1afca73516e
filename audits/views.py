"""Pages of audits and improvement."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from itsm.policy import policy
from itsm.timeline import timeline_for
from itsm.ui.detail import edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView
from itsm.ui.notes import attachments_context, notes_context
from itsm.ui.transitions import TransitionView, transition_buttons
from itsm.ui.views import policy_required, render_page

from . import selectors, services
from .choices import DocumentState, ObjectiveStatus
from .filters import DocumentFilter, ObjectiveFilter
from .forms import DocumentForm, ObjectiveForm
from .models import Document, Objective


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


DOCUMENT_TRANSITION_LABELS = {
    "submit": _("Submit for review"),
    "approve": _("Approve"),
    "reject": _("Send back"),
    "publish": _("Make effective"),
    "withdraw": _("Withdraw"),
}
NOTE_REQUIRED = {"reject", "withdraw"}


class DocumentListView(ListPageView):
    model = Document
    policy_target = Document
    title = _("Controlled documents")
    filterset_class = DocumentFilter
    default_sort = "-created_at"
    export_filename = "documents"
    create_url = reverse_lazy("audits:document_create")
    create_label = _("New document")
    columns = [
        Column("reference", _("Reference"), sort="reference", link=True),
        Column("title", _("Title"), sort="title", link=True),
        Column("code", _("Code"), sort="code"),
        Column("version", _("Version")),
        Column("doc_type", _("Type"), accessor="get_doc_type_display"),
        Column("state", _("State"), accessor="get_state_display", sort="state"),
        Column("owner", _("Owner"), accessor="owner"),
        Column("effective_from", _("Effective from")),
        Column("created_at", _("Created"), sort="created_at"),
    ]

    def get_queryset(self) -> Any:
        return selectors.document_list()


@policy_required("view", Document)
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(policy.scope(request.user, "view", selectors.document_list()), pk=pk)
    tab = request.GET.get("tab", "details")
    context = {
        "object": document,
        "tab": tab,
        "events": timeline_for(document, viewer=request.user) if tab == "timeline" else [],
        "actions": edit_actions(request.user, document, "audits:document_update"),
        "transitions": transition_buttons(
            document, request.user, DOCUMENT_TRANSITION_LABELS, "audits:document_transition"
        ),
        "note_required": NOTE_REQUIRED,
        "status_category": DOCUMENT_STATUS_CATEGORY[document.state],
    }
    if tab == "notes":
        context.update(notes_context(request, document))
    elif tab == "attachments":
        context.update(attachments_context(request, document))
    return render_page(request, "audits/document_detail.html", context, partial="tab")


DOCUMENT_STATUS_CATEGORY = {
    DocumentState.DRAFT: "open",
    DocumentState.IN_REVIEW: "waiting",
    DocumentState.APPROVED: "in-progress",
    DocumentState.EFFECTIVE: "done",
    DocumentState.OBSOLETE: "closed",
}


class DocumentCreateView(ServiceFormView[Document]):
    model = Document
    form_class = DocumentForm
    title = _("New document")

    def get_initial(self) -> dict[str, Any]:
        return {"owner": self.actor}

    def perform(self, form: Any) -> Document:
        return services.document_create(actor=self.actor, data=form.cleaned_data)


class DocumentUpdateView(DocumentCreateView):
    title = _("Edit document")

    def perform(self, form: Any) -> Document:
        return services.document_update(document=self.edited, actor=self.actor, data=form.cleaned_data)


class DocumentTransitionView(TransitionView):
    policy_target = Document
    services = services.DOCUMENT_TRANSITIONS
    record_argument = "document"

    def get_queryset(self) -> Any:
        return selectors.document_list()

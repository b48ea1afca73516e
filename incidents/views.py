"""Pages of incident and service request management: the agents' queue and detail, the configuration
pages, major incident reviews, and the requester portal (``/portal/``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.choices import CallableChoiceIterator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from itsm.choices import NoteKind
from itsm.notes import notes_for
from itsm.policy import policy
from itsm.records import TransitionLog, allowed_transitions
from itsm.timeline import timeline_for
from itsm.ui.detail import edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView
from itsm.ui.notes import attachments_context, note_kinds, notes_context
from itsm.ui.transitions import TransitionView, transition_buttons
from itsm.ui.views import acting_user, policy_required, render_page

from . import selectors, services
from .choices import IncidentState, ReviewState
from .filters import CategoryFilter, IncidentFilter, ReviewFilter, ServiceRequestFilter, queue_choice_lists
from .forms import (
    BulkForm,
    CatalogueItemForm,
    CategoryForm,
    CriteriaForm,
    IncidentEditForm,
    IncidentLogForm,
    IncidentNoteForm,
    MatrixForm,
    PortalReportForm,
    PortalRequestForm,
    PriorityForm,
    ReviewForm,
    ServiceRequestForm,
    transition_form,
)
from .models import (
    Category,
    Incident,
    MajorIncidentCriteria,
    MajorIncidentReview,
    PriorityMatrix,
    RequestCatalogueItem,
    ServiceRequest,
)

STATUS_CATEGORY = {
    IncidentState.NEW: "open",
    IncidentState.CLASSIFIED: "open",
    IncidentState.ASSIGNED: "open",
    IncidentState.IN_PROGRESS: "in-progress",
    IncidentState.ON_HOLD: "waiting",
    IncidentState.RESOLVED: "done",
    IncidentState.CLOSED: "closed",
    IncidentState.CANCELLED: "closed",
}
PRIORITY_CLASS = {
    "P1": "text-bg-danger",
    "P2": "text-bg-warning",
    "P3": "text-bg-primary bg-opacity-75",
    "P4": "text-bg-secondary bg-opacity-50",
}
TRANSITION_LABELS = {
    "classify": gettext_lazy("Classify"),
    "assign": gettext_lazy("Assign"),
    "start": gettext_lazy("Start work"),
    "hold": gettext_lazy("Put on hold"),
    "resume": gettext_lazy("Resume"),
    "escalate": gettext_lazy("Escalate"),
    "resolve": gettext_lazy("Resolve"),
    "reopen": gettext_lazy("Reopen"),
    "close": gettext_lazy("Close"),
    "confirm": gettext_lazy("Confirm resolution"),
    "cancel": gettext_lazy("Cancel"),
    "declare_major": gettext_lazy("Declare major incident"),
    "take_major": gettext_lazy("Take charge of the major incident"),
}


class Badge:
    """A cell that is a coloured badge on the page and plain text in CSV."""

    def __init__(self, text: Any, css: str, title: str = "") -> None:
        self.text, self.css, self.title = str(text), css, title

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(
            format_html(
                '<span class="badge {}" title="{}">{}</span>', self.css, self.title or self.text, self.text
            )
        )


def priority_badge(incident: Incident) -> Badge:
    return Badge(
        incident.priority, PRIORITY_CLASS.get(incident.priority, ""), incident.get_priority_display()
    )


def state_badge(incident: Incident) -> Badge:
    return Badge(
        incident.get_state_display(), f"status-badge status-{STATUS_CATEGORY.get(incident.state, 'open')}"
    )


def sla_badge(incident: Incident) -> Badge | None:
    """Time left on the open resolution clock (annotated by the selector, no query per row)."""
    from .selectors import sla_badge_values

    values = sla_badge_values(incident)
    if values is None:
        return None
    text, category, title = values
    return Badge(text, f"status-badge status-{category}", title)


# Queue ------------------------------------------------------------------------------------------------


class IncidentListView(ListPageView):
    model = Incident
    policy_target = Incident
    title = gettext_lazy("Incidents")
    template_name = "incidents/incident_list.html"
    filterset_class = IncidentFilter
    default_sort = "-created_at"
    export_filename = "incidents"
    create_url = reverse_lazy("incidents:incident_create")
    create_label = gettext_lazy("Log incident")
    columns = [
        Column("reference", gettext_lazy("Reference"), sort="reference", link=True),
        Column("priority", gettext_lazy("Priority"), accessor=priority_badge, sort="priority"),
        Column("title", gettext_lazy("Title"), sort="title", link=True),
        Column("state", gettext_lazy("State"), accessor=state_badge, sort="state"),
        Column("sla", gettext_lazy("SLA"), accessor=sla_badge),
        Column("service", gettext_lazy("Service"), accessor="service"),
        Column("customer", gettext_lazy("Customer"), accessor="customer"),
        Column("assignment_team", gettext_lazy("Team"), accessor="assignment_team"),
        Column("assignee", gettext_lazy("Assignee"), accessor="assignee"),
        Column("created_at", gettext_lazy("Logged"), sort="created_at"),
        Column("updated_at", gettext_lazy("Updated"), sort="updated_at"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.incident_sla_annotate(selectors.incident_list())

    def may_create(self) -> bool:
        return policy.allows(self.request.user, "log", Incident)

    @property
    def may_bulk(self) -> bool:
        return policy.allows(self.request.user, "bulk", Incident)

    @property
    def bulk_form(self) -> BulkForm:
        form = BulkForm()
        # The active teams from the filter panel's one query of choice lists (no query of its own).
        team = form.fields["team"]
        blank = getattr(team, "empty_label", "---------")
        team.widget.choices = [("", blank), *queue_choice_lists(self.request)["active_teams"]]
        return form

    @property
    def queues(self) -> list[tuple[str, Any]]:
        from .filters import QUEUES

        return list(QUEUES)


@require_POST
@policy_required("bulk", Incident)
def incident_bulk(request: HttpRequest) -> HttpResponse:
    """Assign or move many incidents at once; each row gets its own result (one refusal stops nothing)."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(reverse("incidents:incident_list"))
    actor = acting_user(request)
    visible = policy.scope(request.user, "view", selectors.incident_list())
    incidents = list(visible.filter(pk__in=form.cleaned_data["ids"][:200]).order_by("pk"))
    action, note = form.cleaned_data["action"], form.cleaned_data["note"]
    if action == "assign":
        result = services.incidents_bulk_assign(
            incidents=incidents, actor=actor, team=form.cleaned_data["team"], note=note
        )
    else:
        result = services.incidents_bulk_transition(incidents=incidents, actor=actor, name=action, note=note)
    context = {
        "title": _("Bulk action"),
        "result": result,
        "action": dict(BulkForm.ACTIONS)[action],
    }
    return render_page(request, "incidents/bulk_result.html", context)


# Logging and editing ---------------------------------------------------------------------------------


class IncidentCreateView(ServiceFormView[Incident]):
    model = Incident
    form_class = IncidentLogForm
    title = gettext_lazy("Log incident")
    template_name = "incidents/incident_form.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.policy_action = "log"

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"channel": "phone"}
        reporter = self.request.GET.get("reported_by")
        if reporter and reporter.isdigit():
            initial["reported_by"] = int(reporter)
        return initial

    def perform(self, form: Any) -> Incident:
        return services.incident_log(actor=self.actor, data=form.cleaned_data)


@policy_required("log", Incident)
def incident_suggest(request: HttpRequest) -> HttpResponse:
    """htmx: the service select of the log form, the customer's services first and the likely one chosen."""
    from service_levels.models import Customer, Service

    customer = Customer.objects.filter(pk=request.GET.get("customer") or 0).first()
    own = list(selectors.services_of_customer(customer))
    others = list(Service.objects.exclude(pk__in=[s.pk for s in own]).order_by("name"))
    suggested = selectors.suggested_service(customer)
    context = {"own": own, "others": others, "suggested": suggested, "customer": customer}
    return render_page(request, "incidents/_service_select.html", context)


class IncidentUpdateView(ServiceFormView[Incident]):
    model = Incident
    form_class = IncidentEditForm
    title = gettext_lazy("Edit incident")

    def perform(self, form: Any) -> Incident:
        return services.incident_update(incident=self.edited, actor=self.actor, data=form.cleaned_data)


# Detail ----------------------------------------------------------------------------------------------


def _visible_incident(request: HttpRequest, pk: int) -> Incident:
    return get_object_or_404(policy.scope(request.user, "view", selectors.incident_detail()), pk=pk)


def _detail_context(
    request: HttpRequest, incident: Incident, bound: dict[str, Any] | None = None, tab: str | None = None
) -> dict[str, Any]:
    user = request.user
    tab = tab or request.GET.get("tab", "details")
    allowed = set(allowed_transitions(incident, user))
    bound = bound or {}
    panels = []
    for name, label in TRANSITION_LABELS.items():
        if name not in allowed:
            continue
        form = bound.get(name) or transition_form(name, initial=_initial(incident, name))
        panels.append(
            {
                "name": name,
                "label": label,
                "url": reverse("incidents:incident_transition", args=[incident.pk, name]),
                "form": form,
                "open": name in bound,
            }
        )
    context: dict[str, Any] = {
        "object": incident,
        "tab": tab,
        "panels": panels,
        "actions": edit_actions(user, incident, "incidents:incident_update"),
        "status_category": STATUS_CATEGORY[incident.state],
        "priority_badge": priority_badge(incident),
        "sla": sla_badge(incident),
        "may_prioritise": policy.allows(user, "prioritise", incident),
        "priority_form": bound.get("priority") or PriorityForm(initial={"priority": incident.priority}),
        "review": getattr(incident, "major_review", None) if incident.is_major else None,
        "clock_panel": selectors.clock_panel_template(),
        "events": timeline_for(incident, viewer=user) if tab == "timeline" else [],
    }
    if tab == "notes":
        context.update(notes_context(request, incident))
        context["note_add_url"] = reverse("incidents:incident_note_add", args=[incident.pk])
    elif tab == "attachments":
        context.update(attachments_context(request, incident))
    elif tab == "related":
        context.update(selectors.related_incidents(incident))
    elif tab == "clocks":
        # The panel's template tag reads the clocks and their events itself (two queries).
        context["record"] = incident
    _share_choice_lists([panel["form"] for panel in panels])
    return context


def _share_choice_lists(forms: list[Any]) -> None:
    """Selects of several transition forms that list the same rows (the active teams of assign and
    escalate) read them once, when first rendered."""
    lists: dict[str, list[tuple[Any, str]]] = {}
    for form in forms:
        for field in form.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            try:
                key = str(queryset.query)
            except EmptyResultSet:  # an empty list (``none()``) costs no query anyway
                continue

            def choices(
                field: Any = field, queryset: Any = queryset, key: str = key
            ) -> list[tuple[Any, str]]:
                if key not in lists:
                    lists[key] = [(obj.pk, field.label_from_instance(obj)) for obj in queryset]
                blank = [("", field.empty_label)] if field.empty_label is not None else []
                return blank + lists[key]

            field.widget.choices = CallableChoiceIterator(choices)


def _initial(incident: Incident, name: str) -> dict[str, Any]:
    if name == "classify":
        return {
            "service": incident.service_id,
            "category": incident.category_id,
            "impact": incident.impact,
            "urgency": incident.urgency,
            "is_security": incident.is_security,
        }
    if name == "assign":
        team = incident.assignment_team_id or (
            incident.category.default_team_id if incident.category else None
        )
        return {"team": team, "assignee": incident.assignee_id}
    if name == "declare_major":
        return {"manager": None}
    return {}


@policy_required("view", Incident)
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _visible_incident(request, pk)
    return render_page(
        request, "incidents/incident_detail.html", _detail_context(request, incident), partial="tab"
    )


def _service_arguments(name: str, cleaned: dict[str, Any]) -> dict[str, Any]:
    arguments = dict(cleaned)
    if name == "classify" and not arguments.get("priority"):
        arguments["priority"] = None
    return arguments


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@require_POST
@policy_required("view", Incident)
def incident_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponseBase:
    """POST ``…/<pk>/<transition>/`` with the transition's form. Errors come back on the page next to
    the fields (400); a refused or concurrent move is a message; nothing changes unless it succeeds."""
    service = services.INCIDENT_TRANSITIONS.get(transition)
    if service is None:
        raise Http404
    incident = _visible_incident(request, pk)
    if not policy.allows(request.user, transition, incident):
        raise PermissionDenied
    form = transition_form(transition, request.POST)
    if form.is_valid():
        try:
            service(
                incident=incident,
                actor=acting_user(request),
                **_service_arguments(transition, form.cleaned_data),
            )
        except TransitionNotAllowed:
            messages.error(request, _("This action is not allowed in the record's current state."))
        except ConcurrentTransition:
            messages.error(request, _("This record changed since you loaded it; reload and try again."))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Done: %(record)s.") % {"record": incident})
            response = HttpResponseRedirect(incident.get_absolute_url())
            response["HX-Trigger"] = "record-changed"
            return response
        if not form.errors:
            return HttpResponseRedirect(incident.get_absolute_url())
    incident = _visible_incident(request, pk)
    context = _detail_context(request, incident, bound={transition: form}, tab="details")
    return render_page(request, "incidents/incident_detail.html", context, status=400)


@require_POST
@policy_required("view", Incident)
def incident_prioritise(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Set the priority by hand (with a reason when it departs from the matrix)."""
    incident = _visible_incident(request, pk)
    if not policy.allows(request.user, "prioritise", incident):
        raise PermissionDenied
    form = PriorityForm(request.POST)
    if form.is_valid():
        try:
            services.incident_prioritise(
                incident=incident,
                actor=acting_user(request),
                priority=form.cleaned_data["priority"],
                reason=form.cleaned_data["reason"],
            )
        except ConcurrentTransition:
            messages.error(request, _("This record changed since you loaded it; reload and try again."))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Priority set to %(priority)s.") % {"priority": incident.priority})
            return HttpResponseRedirect(incident.get_absolute_url())
    if not form.errors:
        return HttpResponseRedirect(incident.get_absolute_url())
    incident = _visible_incident(request, pk)
    context = _detail_context(request, incident, bound={"priority": form}, tab="details")
    context["priority_open"] = True
    return render_page(request, "incidents/incident_detail.html", context, status=400)


@require_POST
@policy_required("view", Incident)
def incident_note_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Add a work note or a comment; a comment notifies the other side (requester or resolver)."""
    incident = _visible_incident(request, pk)
    kinds = note_kinds(request.user, incident)
    if not kinds:
        raise PermissionDenied
    form = IncidentNoteForm(request.POST, kinds=kinds, auto_id="note_%s")
    htmx = getattr(request, "htmx", None)
    if form.is_valid():
        try:
            services.incident_note_add(
                incident=incident,
                actor=acting_user(request),
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if htmx and not htmx.boosted:
                context = notes_context(request, incident)
                context["note_add_url"] = request.path
                response = render_page(request, "itsm/notes_panel.html", context, partial="panel")
                response["HX-Trigger"] = "record-changed"
                return response
            messages.success(request, _("Added."))
            return HttpResponseRedirect(f"{incident.get_absolute_url()}?tab=notes")
    context = notes_context(request, incident, form)  # type: ignore[arg-type]
    context["note_add_url"] = request.path
    if htmx and not htmx.boosted:
        return render_page(request, "itsm/notes_panel.html", context, partial="panel")
    return render_page(request, "itsm/notes_panel.html", context, status=400)


# Configuration ---------------------------------------------------------------------------------------


@policy_required("view", PriorityMatrix)
def priority_matrix(request: HttpRequest) -> HttpResponse:
    """The impact x urgency matrix; incident managers change cells here (each change in the history)."""
    cells = selectors.priority_matrix()
    may_change = policy.allows(request.user, "change", PriorityMatrix)
    form = MatrixForm(request.POST if request.method == "POST" else None, cells=cells)
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            actor = acting_user(request)
            for (impact, urgency), priority in cells.items():
                wanted = form.cleaned_data[f"cell_{impact}_{urgency}"]
                if wanted != priority:
                    services.matrix_cell_set(actor=actor, impact=impact, urgency=urgency, priority=wanted)
            messages.success(request, _("The priority matrix was saved."))
            return HttpResponseRedirect(reverse("incidents:priority_matrix"))
        status = 400
    from .choices import Impact, Urgency

    rows = [
        (
            impact,
            [
                (
                    urgency,
                    cells[(impact.value, urgency.value)],
                    PRIORITY_CLASS.get(cells[(impact.value, urgency.value)], ""),
                    form[f"cell_{impact.value}_{urgency.value}"],
                )
                for urgency in Urgency
            ],
        )
        for impact in Impact
    ]
    history = PriorityMatrix.history.select_related("history_user").order_by("-history_date")[:20]
    context = {
        "title": _("Priority matrix"),
        "rows": rows,
        "urgencies": list(Urgency),
        "may_change": may_change,
        "form": form,
        "history": history,
    }
    return render_page(request, "incidents/priority_matrix.html", context, status=status)


class CategoryListView(ListPageView):
    model = Category
    policy_target = Category
    title = gettext_lazy("Incident categories")
    filterset_class = CategoryFilter
    default_sort = "name"
    export_filename = "incident-categories"
    create_url = reverse_lazy("incidents:category_create")
    create_label = gettext_lazy("New category")
    columns = [
        Column("code", gettext_lazy("Code"), sort="code"),
        Column("name", gettext_lazy("Category"), accessor=str, sort="name"),
        Column("default_team", gettext_lazy("Default team"), accessor="default_team"),
        Column("is_security", gettext_lazy("Security")),
        Column("is_active", gettext_lazy("Active")),
        Column("edit", gettext_lazy("Edit"), accessor=lambda c: _edit_link(c, "incidents:category_update")),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.category_list()


def _edit_link(obj: Any, url_name: str) -> Any:
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[obj.pk]), _("Edit"))


class CategoryCreateView(ServiceFormView[Category]):
    model = Category
    form_class = CategoryForm
    title = gettext_lazy("New category")

    def perform(self, form: Any) -> Category:
        return services.category_create(actor=self.actor, data=form.cleaned_data)


class CategoryUpdateView(CategoryCreateView):
    title = gettext_lazy("Edit category")

    def perform(self, form: Any) -> Category:
        return services.category_update(category=self.edited, actor=self.actor, data=form.cleaned_data)


class CriteriaListView(ListPageView):
    model = MajorIncidentCriteria
    policy_target = MajorIncidentCriteria
    title = gettext_lazy("Major incident criteria")
    default_sort = "name"
    export_filename = "major-incident-criteria"
    create_url = reverse_lazy("incidents:criteria_create")
    create_label = gettext_lazy("New criteria")
    columns = [
        Column("name", gettext_lazy("Name"), sort="name"),
        Column("customer", gettext_lazy("Customer"), accessor=lambda c: c.customer or _("Default")),
        Column("criteria", gettext_lazy("Criteria")),
        Column("min_priority", gettext_lazy("Lowest priority"), sort="min_priority"),
        Column("takeover_minutes", gettext_lazy("Take-over (min)")),
        Column("notify_top_management", gettext_lazy("Top management told")),
        Column("is_active", gettext_lazy("Active")),
        Column("edit", gettext_lazy("Edit"), accessor=lambda c: _edit_link(c, "incidents:criteria_update")),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.criteria_list()


class CriteriaCreateView(ServiceFormView[MajorIncidentCriteria]):
    model = MajorIncidentCriteria
    form_class = CriteriaForm
    title = gettext_lazy("New major incident criteria")

    def perform(self, form: Any) -> MajorIncidentCriteria:
        return services.criteria_create(actor=self.actor, data=form.cleaned_data)


class CriteriaUpdateView(CriteriaCreateView):
    title = gettext_lazy("Edit major incident criteria")

    def perform(self, form: Any) -> MajorIncidentCriteria:
        return services.criteria_update(criteria=self.edited, actor=self.actor, data=form.cleaned_data)


# Major incident reviews --------------------------------------------------------------------------------


class ReviewListView(ListPageView):
    model = MajorIncidentReview
    policy_target = MajorIncidentReview
    title = gettext_lazy("Major incident reviews")
    filterset_class = ReviewFilter
    default_sort = "-created_at"
    export_filename = "major-incident-reviews"
    columns = [
        Column("reference", gettext_lazy("Reference"), sort="reference", link=True),
        Column("incident", gettext_lazy("Incident"), accessor="incident"),
        Column("owner", gettext_lazy("Owner"), accessor="owner"),
        Column("state", gettext_lazy("State"), accessor="get_state_display", sort="state"),
        Column("completed_at", gettext_lazy("Completed"), sort="completed_at"),
        Column("created_at", gettext_lazy("Opened"), sort="created_at"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.review_list()

    def may_create(self) -> bool:
        return False  # reviews are opened by declaring a major incident


@policy_required("view", MajorIncidentReview)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(policy.scope(request.user, "view", selectors.review_list()), pk=pk)
    tab = request.GET.get("tab", "details")
    context = {
        "object": review,
        "tab": tab,
        "actions": edit_actions(request.user, review, "incidents:review_update"),
        "may_complete": "complete" in allowed_transitions(review, request.user),
        "status_category": "done" if review.state == ReviewState.COMPLETED else "open",
        "events": timeline_for(review, viewer=request.user) if tab == "timeline" else [],
    }
    return render_page(request, "incidents/review_detail.html", context, partial="tab")


class ReviewUpdateView(ServiceFormView[MajorIncidentReview]):
    model = MajorIncidentReview
    form_class = ReviewForm
    title = gettext_lazy("Major incident review")

    def perform(self, form: Any) -> MajorIncidentReview:
        return services.review_update(review=self.edited, actor=self.actor, data=form.cleaned_data)


@require_POST
@policy_required("view", MajorIncidentReview)
def review_complete(request: HttpRequest, pk: int) -> HttpResponseBase:
    review = get_object_or_404(policy.scope(request.user, "view", selectors.review_list()), pk=pk)
    try:
        services.review_complete(review=review, actor=acting_user(request), note=request.POST.get("note", ""))
    except TransitionNotAllowed:
        messages.error(request, _("This action is not allowed in the record's current state."))
    except ConcurrentTransition:
        messages.error(request, _("This record changed since you loaded it; reload and try again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The review is completed; the major incident may now be closed."))
    return HttpResponseRedirect(review.get_absolute_url())


# Requester portal --------------------------------------------------------------------------------------


@policy_required("view", "portal")
def portal_home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own incidents (those they reported) and requests, newest first."""
    incidents = list(selectors.portal_incidents(request.user).order_by("-created_at", "-id")[:100])
    for incident in incidents:
        incident.status_category = STATUS_CATEGORY[incident.state]  # type: ignore[attr-defined]
    requests_ = list(selectors.portal_requests(request.user).order_by("-created_at", "-id")[:100])
    for service_request in requests_:
        service_request.status_category = REQUEST_STATUS_CATEGORY[service_request.state]  # type: ignore[attr-defined]
    context = {"incidents": incidents, "requests": requests_, "title": _("My incidents and requests")}
    return render_page(request, "incidents/portal_home.html", context)


@policy_required("view", "portal")
def portal_report(request: HttpRequest) -> HttpResponse:
    """Report a problem: title, details, the service (those of the person's customer) and urgency."""
    customer = selectors.customer_of(request.user)
    offered = selectors.services_of_customer(customer)
    form = PortalReportForm(request.POST or None, services=offered)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                incident = services.incident_report(actor=acting_user(request), data=form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Thank you: %(reference)s is logged. We will keep you informed.")
                    % {"reference": incident.reference},
                )
                return HttpResponseRedirect(reverse("portal:incident_detail", args=[incident.pk]))
        status = 400
    return render_page(
        request, "incidents/portal_report.html", {"form": form, "title": _("Report a problem")}, status=status
    )


def _portal_incident(request: HttpRequest, pk: int) -> Incident:
    # Only one's own, whatever other roles one has: the portal is the requester's view.
    return get_object_or_404(selectors.portal_incidents(request.user), pk=pk)


PORTAL_STEPS = {
    "classify",
    "assign",
    "start",
    "hold",
    "resume",
    "resolve",
    "reopen",
    "close",
    "confirm",
    "cancel",
}


@policy_required("view", "portal")
def portal_incident(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _portal_incident(request, pk)
    allowed = set(allowed_transitions(incident, request.user))
    labels = dict(IncidentState.choices)
    steps = [
        (entry.at, labels.get(entry.target, entry.target))
        for entry in TransitionLog.objects.filter(reference=incident.reference).order_by("at", "id")
        if entry.transition in PORTAL_STEPS and entry.source != entry.target
    ]
    comments = [n for n in notes_for(incident, request.user) if n.kind == NoteKind.COMMENT]
    context = {
        "object": incident,
        "title": incident.reference,
        "status_category": STATUS_CATEGORY[incident.state],
        "steps": steps,
        "comments": comments,
        "may_comment": policy.allows(request.user, "comment", incident),
        "may_confirm": "confirm" in allowed,
        "may_reopen": "reopen" in allowed,
    }
    return render_page(request, "incidents/portal_incident.html", context)


@require_POST
@policy_required("view", "portal")
def portal_comment(request: HttpRequest, pk: int) -> HttpResponseBase:
    incident = _portal_incident(request, pk)
    body = request.POST.get("body", "")
    try:
        services.incident_note_add(
            incident=incident, actor=acting_user(request), kind=NoteKind.COMMENT, body=body
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your comment was added."))
    return HttpResponseRedirect(reverse("portal:incident_detail", args=[incident.pk]))


@require_POST
@policy_required("view", "portal")
def portal_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponseBase:
    """The requester confirms the resolution or reopens (with a reason)."""
    if transition not in ("confirm", "reopen"):
        raise Http404
    incident = _portal_incident(request, pk)
    service = services.INCIDENT_TRANSITIONS[transition]
    try:
        service(incident=incident, actor=acting_user(request), note=request.POST.get("note", ""))
    except TransitionNotAllowed:
        messages.error(request, _("This action is not allowed in the record's current state."))
    except ConcurrentTransition:
        messages.error(request, _("This record changed since you loaded it; reload and try again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Thank you for confirming.") if transition == "confirm" else _("The incident was reopened."),
        )
    return HttpResponseRedirect(reverse("portal:incident_detail", args=[incident.pk]))


# Service requests ----------------------------------------------------------------------------------------

REQUEST_STATUS_CATEGORY = {
    "new": "open",
    "awaiting_approval": "waiting",
    "approved": "open",
    "rejected": "closed",
    "in_fulfilment": "in-progress",
    "fulfilled": "done",
    "closed": "closed",
    "cancelled": "closed",
}
REQUEST_TRANSITION_LABELS = {
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "start_fulfilment": gettext_lazy("Start fulfilment"),
    "fulfil": gettext_lazy("Fulfilled"),
    "close": gettext_lazy("Close"),
    "cancel": gettext_lazy("Cancel"),
}
REQUEST_NOTE_REQUIRED = {"reject", "fulfil", "cancel"}


def request_state_badge(service_request: ServiceRequest) -> Badge:
    return Badge(
        service_request.get_state_display(),
        f"status-badge status-{REQUEST_STATUS_CATEGORY.get(service_request.state, 'open')}",
    )


class ServiceRequestListView(ListPageView):
    model = ServiceRequest
    policy_target = ServiceRequest
    title = gettext_lazy("Service requests")
    filterset_class = ServiceRequestFilter
    default_sort = "-created_at"
    export_filename = "service-requests"
    create_url = reverse_lazy("incidents:request_create")
    create_label = gettext_lazy("New request")
    columns = [
        Column("reference", gettext_lazy("Reference"), sort="reference", link=True),
        Column("title", gettext_lazy("Title"), sort="title", link=True),
        Column("catalogue_item", gettext_lazy("Item"), accessor="catalogue_item.name"),
        Column("state", gettext_lazy("State"), accessor=request_state_badge, sort="state"),
        Column("priority", gettext_lazy("Priority"), sort="priority"),
        Column("requested_for", gettext_lazy("For"), accessor="requested_for"),
        Column("assignment_team", gettext_lazy("Team"), accessor="assignment_team"),
        Column("due_at", gettext_lazy("Due"), sort="due_at"),
        Column("created_at", gettext_lazy("Requested"), sort="created_at"),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.request_list()

    def may_create(self) -> bool:
        return policy.allows(self.request.user, "log", Incident)


class ServiceRequestCreateView(ServiceFormView[ServiceRequest]):
    model = ServiceRequest
    form_class = ServiceRequestForm
    title = gettext_lazy("New service request")

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.policy_action = "log"
        self.policy_target = Incident  # the desk's form (requesters use the portal)

    def perform(self, form: Any) -> ServiceRequest:
        return services.service_request_create(
            actor=self.actor, data={**form.cleaned_data, "channel": "phone"}
        )


@policy_required("view", ServiceRequest)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = get_object_or_404(policy.scope(request.user, "view", selectors.request_list()), pk=pk)
    tab = request.GET.get("tab", "details")
    context: dict[str, Any] = {
        "object": service_request,
        "tab": tab,
        "transitions": transition_buttons(
            service_request, request.user, REQUEST_TRANSITION_LABELS, "incidents:request_transition"
        ),
        "note_required": REQUEST_NOTE_REQUIRED,
        "status_category": REQUEST_STATUS_CATEGORY[service_request.state],
        "events": timeline_for(service_request, viewer=request.user) if tab == "timeline" else [],
        "approvers": services.request_approvers(service_request),
    }
    if tab == "notes":
        context.update(notes_context(request, service_request))
    elif tab == "attachments":
        context.update(attachments_context(request, service_request))
    return render_page(request, "incidents/request_detail.html", context, partial="tab")


class ServiceRequestTransitionView(TransitionView):
    policy_target = ServiceRequest
    services = services.REQUEST_TRANSITIONS
    record_argument = "service_request"

    def get_queryset(self) -> Any:
        return selectors.request_list()


class CatalogueListView(ListPageView):
    model = RequestCatalogueItem
    policy_target = RequestCatalogueItem
    title = gettext_lazy("Request catalogue")
    default_sort = "name"
    export_filename = "request-catalogue"
    create_url = reverse_lazy("incidents:catalogue_create")
    create_label = gettext_lazy("New catalogue item")
    columns = [
        Column("name", gettext_lazy("Item"), sort="name"),
        Column("service", gettext_lazy("Service"), accessor="service"),
        Column("needs_approval", gettext_lazy("Needs approval")),
        Column(
            "approver",
            gettext_lazy("Approver"),
            accessor=lambda i: i.approver or i.get_approver_role_display(),
        ),
        Column("fulfilment_team", gettext_lazy("Fulfilment team"), accessor="fulfilment_team"),
        Column("fulfilment_target_minutes", gettext_lazy("Target (business minutes)")),
        Column("is_active", gettext_lazy("Active")),
        Column("edit", gettext_lazy("Edit"), accessor=lambda i: _edit_link(i, "incidents:catalogue_update")),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.catalogue_list()


class CatalogueCreateView(ServiceFormView[RequestCatalogueItem]):
    model = RequestCatalogueItem
    form_class = CatalogueItemForm
    title = gettext_lazy("New catalogue item")

    def perform(self, form: Any) -> RequestCatalogueItem:
        return services.catalogue_item_create(actor=self.actor, data=form.cleaned_data)


class CatalogueUpdateView(CatalogueCreateView):
    title = gettext_lazy("Edit catalogue item")

    def perform(self, form: Any) -> RequestCatalogueItem:
        return services.catalogue_item_update(item=self.edited, actor=self.actor, data=form.cleaned_data)


@policy_required("view", "portal")
def portal_request_new(request: HttpRequest) -> HttpResponse:
    """Ask for something from the catalogue of one's customer's services."""
    customer = selectors.customer_of(request.user)
    items = selectors.catalogue_for(customer)
    form = PortalRequestForm(request.POST or None, items=items)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service_request = services.service_request_create(
                    actor=acting_user(request), data=form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Thank you: %(reference)s is logged. We will keep you informed.")
                    % {"reference": service_request.reference},
                )
                return HttpResponseRedirect(reverse("portal:request_detail", args=[service_request.pk]))
        status = 400
    context = {"form": form, "title": _("Request something")}
    return render_page(request, "incidents/portal_report.html", context, status=status)


@policy_required("view", "portal")
def portal_request(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = get_object_or_404(selectors.portal_requests(request.user), pk=pk)
    comments = [n for n in notes_for(service_request, request.user) if n.kind == NoteKind.COMMENT]
    context = {
        "object": service_request,
        "title": service_request.reference,
        "status_category": REQUEST_STATUS_CATEGORY[service_request.state],
        "comments": comments,
        "may_cancel": "cancel" in allowed_transitions(service_request, request.user),
    }
    return render_page(request, "incidents/portal_request.html", context)


@require_POST
@policy_required("view", "portal")
def portal_request_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    service_request = get_object_or_404(selectors.portal_requests(request.user), pk=pk)
    try:
        services.service_request_cancel(
            service_request=service_request, actor=acting_user(request), note=request.POST.get("note", "")
        )
    except (TransitionNotAllowed, PermissionDenied):
        messages.error(request, _("This action is not allowed in the record's current state."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request was cancelled."))
    return HttpResponseRedirect(reverse("portal:request_detail", args=[service_request.pk]))

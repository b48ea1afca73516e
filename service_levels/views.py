"""Pages of service level management: the catalogue, customers, business calendars and agreements.

Report and review pages live in ``report_views.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_POST

from itsm.choices import Priority
from itsm.models import User
from itsm.policy import policy
from itsm.timeline import timeline_for
from itsm.ui.detail import Action, edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView
from itsm.ui.notes import attachments_context, notes_context
from itsm.ui.transitions import TransitionView, transition_buttons
from itsm.ui.views import PolicyRequiredMixin, acting_user, policy_required, render_page

from . import selectors, services
from .choices import AgreementState, ServiceStatus
from .filters import AgreementFilter, BusinessCalendarFilter, CustomerFilter, ServiceFilter
from .forms import (
    AgreementForm,
    AgreementTargetsForm,
    CalendarCreateForm,
    CalendarForm,
    CalendarReviseForm,
    CalendarRulesForm,
    ComponentForm,
    ContactForm,
    CustomerForm,
    DependencyForm,
    ServiceForm,
    ServiceRetireForm,
    format_minutes,
)
from .models import (
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

SERVICE_STATUS_CATEGORY = {
    ServiceStatus.PIPELINE: "waiting",
    ServiceStatus.LIVE: "done",
    ServiceStatus.RETIRED: "closed",
}
AGREEMENT_STATUS_CATEGORY = {
    AgreementState.DRAFT: "open",
    AgreementState.AGREED: "done",
    AgreementState.SUPERSEDED: "closed",
    AgreementState.EXPIRED: "closed",
}


def _scoped(request: HttpRequest, queryset: QuerySet[Any], pk: int) -> Any:
    return get_object_or_404(policy.scope(request.user, "view", queryset), pk=pk)


class ActionFormView(PolicyRequiredMixin, View):
    """A form page whose form is not a plain ModelForm of one object; ``perform`` calls the service and
    returns the object to show next. Service errors stay inline (status 400, input kept)."""

    form_class: Any
    template_name = "_components/form_page.html"
    title: Any = ""
    object: Any = None

    def load(self) -> None:
        """Fetch the objects named in the URL (scoped by the policy) into attributes."""

    def get_form(self, data: Any = None) -> Any:
        return self.form_class(data)

    def perform(self, form: Any) -> Model:
        raise NotImplementedError

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.load()
        return self.render(self.get_form())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.load()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                saved = self.perform(form)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("Saved %(object)s.") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())  # type: ignore[attr-defined]
        return self.render(form, status=400)

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        context = {"form": form, "object": self.object, "title": self.title, "view": self}
        return render_page(self.request, self.template_name, context, partial="form", status=status)

    @property
    def actor(self) -> User:
        return acting_user(self.request)


def _remove(request: HttpRequest, obj: Any, remove: Any, back: str) -> HttpResponseBase:
    """POST-only removal: the service decides; the outcome is a message on ``back``."""
    try:
        remove()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Removed %(object)s.") % {"object": obj})
    response = HttpResponseRedirect(back)
    response["HX-Trigger"] = "record-changed"
    return response


# The catalogue ------------------------------------------------------------------------------------------


class ServiceListView(ListPageView):
    model = Service
    policy_target = Service
    title = _("Service catalogue")
    filterset_class = ServiceFilter
    default_sort = "name"
    export_filename = "services"
    create_url = reverse_lazy("service_levels:service_create")
    create_label = _("New service")
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Service"), sort="name", link=True),
        Column("kind", _("Kind"), accessor="get_kind_display", sort="kind"),
        Column("status", _("Status"), accessor="get_status_display", sort="status"),
        Column("owner", _("Owner"), accessor="owner"),
        Column("team", _("Support team"), accessor="team"),
        Column("service_hours", _("Service hours"), accessor="service_hours"),
    ]

    def get_queryset(self) -> Any:
        return selectors.service_list()


@policy_required("view", Service)
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = _scoped(request, selectors.service_list(), pk)
    tab = request.GET.get("tab", "details")
    user = request.user
    actions = edit_actions(user, service, "service_levels:service_update")
    if service.status != ServiceStatus.RETIRED and policy.allows(user, "change", service):
        actions.append(
            Action(
                _("Retire"),
                reverse("service_levels:service_retire", args=[service.pk]),
                style="outline-danger",
            )
        )
    context: dict[str, Any] = {
        "object": service,
        "tab": tab,
        "actions": actions,
        "status_category": SERVICE_STATUS_CATEGORY.get(service.status, "open"),
        "may_change": policy.allows(user, "change", service),
        "may_add_dependency": policy.allows(user, "add", ServiceDependency),
        "may_remove_dependency": policy.allows(user, "delete", ServiceDependency),
        "may_remove_component": policy.allows(user, "delete", ServiceComponent),
        "may_see_customers": policy.allows(user, "view", Customer),
        "may_see_agreements": policy.allows(user, "view", Agreement),
    }
    if tab == "dependencies":
        context["down"] = selectors.dependency_tree(service=service, direction="down")
        context["up"] = selectors.dependency_tree(service=service, direction="up")
        context["dependencies"] = list(
            service.dependencies.select_related("depends_on", "component", "component__service")
        )
    elif tab == "history":
        context["history"] = selectors.service_history(service)
    else:
        context["components"] = list(service.components.select_related("team"))
        context["customers"] = list(policy.scope(user, "view", service.customers.order_by("name")))
        context["agreements"] = list(
            policy.scope(user, "view", service.agreements.select_related("customer", "team").order_by("-id"))
        )
    return render_page(request, "service_levels/service_detail.html", context, partial="tab")


class ServiceCreateView(ServiceFormView[Service]):
    model = Service
    form_class = ServiceForm
    title = _("New service")

    def get_initial(self) -> dict[str, Any]:
        return {"owner": self.actor}

    def perform(self, form: Any) -> Service:
        return services.service_create(actor=self.actor, data=form.cleaned_data)


class ServiceUpdateView(ServiceCreateView):
    title = _("Edit service")

    def perform(self, form: Any) -> Service:
        return services.service_update(service=self.edited, actor=self.actor, data=form.cleaned_data)


class ServiceRetireView(ActionFormView):
    policy_action = "change"
    policy_target = Service
    form_class = ServiceRetireForm
    title = _("Retire service")

    def load(self) -> None:
        self.object = self.check_object(_scoped(self.request, selectors.service_list(), self.kwargs["pk"]))

    def perform(self, form: Any) -> Service:
        return services.service_retire(
            service=self.object,
            actor=self.actor,
            authorising_change=form.cleaned_data["authorising_change"],
            note=form.cleaned_data["note"],
        )


class ComponentCreateView(ActionFormView):
    policy_action = "add"
    policy_target = ServiceComponent
    form_class = ComponentForm
    title = _("New component")

    def load(self) -> None:
        self.object = self.check_object(
            _scoped(self.request, selectors.service_list(), self.kwargs["service_pk"]), "change"
        )

    def get_form(self, data: Any = None) -> Any:
        return ComponentForm(data)

    def perform(self, form: Any) -> Model:
        data = {k: v for k, v in form.cleaned_data.items() if k != "authorising_change"}
        services.component_add(
            service=self.object,
            actor=self.actor,
            data=data,
            authorising_change=form.cleaned_data["authorising_change"],
        )
        return self.object


class ComponentUpdateView(ServiceFormView[ServiceComponent]):
    model = ServiceComponent
    form_class = ComponentForm
    title = _("Edit component")

    def perform(self, form: Any) -> ServiceComponent:
        data = {k: v for k, v in form.cleaned_data.items() if k != "authorising_change"}
        return services.component_update(
            component=self.edited,
            actor=self.actor,
            data=data,
            authorising_change=form.cleaned_data["authorising_change"],
        )


@require_POST
@policy_required("delete", ServiceComponent)
def component_remove(request: HttpRequest, pk: int) -> HttpResponseBase:
    component = _scoped(request, selectors.component_list(), pk)
    service = component.service
    return _remove(
        request,
        component,
        lambda: services.component_remove(
            component=component,
            actor=acting_user(request),
            authorising_change=request.POST.get("authorising_change", ""),
        ),
        service.get_absolute_url(),
    )


class DependencyCreateView(ActionFormView):
    policy_action = "add"
    policy_target = ServiceDependency
    form_class = DependencyForm
    title = _("New dependency")

    def load(self) -> None:
        self.object = _scoped(self.request, selectors.service_list(), self.kwargs["service_pk"])

    def get_form(self, data: Any = None) -> Any:
        return DependencyForm(data, service=self.object)

    def perform(self, form: Any) -> Model:
        services.dependency_add(service=self.object, actor=self.actor, **form.cleaned_data)
        return self.object


@require_POST
@policy_required("delete", ServiceDependency)
def dependency_remove(request: HttpRequest, pk: int) -> HttpResponseBase:
    dependency = _scoped(
        request, ServiceDependency.objects.select_related("service", "depends_on", "component"), pk
    )
    return _remove(
        request,
        dependency,
        lambda: services.dependency_remove(
            dependency=dependency,
            actor=acting_user(request),
            authorising_change=request.POST.get("authorising_change", ""),
        ),
        f"{dependency.service.get_absolute_url()}?tab=dependencies",
    )


# Customers ----------------------------------------------------------------------------------------------


class CustomerListView(ListPageView):
    model = Customer
    policy_target = Customer
    title = _("Customers")
    filterset_class = CustomerFilter
    default_sort = "name"
    export_filename = "customers"
    create_url = reverse_lazy("service_levels:customer_create")
    create_label = _("New customer")
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Customer"), sort="name", link=True),
        Column("is_internal", _("Internal"), sort="is_internal"),
        Column("relationship_owner", _("Relationship owner"), accessor="relationship_owner"),
        Column("is_active", _("Active"), sort="is_active"),
    ]

    def get_queryset(self) -> Any:
        return selectors.customer_list()


@policy_required("view", Customer)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _scoped(request, selectors.customer_list(), pk)
    tab = request.GET.get("tab", "details")
    user = request.user
    context: dict[str, Any] = {
        "object": customer,
        "tab": tab,
        "actions": edit_actions(user, customer, "service_levels:customer_update"),
        "status_category": "done" if customer.is_active else "closed",
        "status_label": gettext("Active") if customer.is_active else gettext("Inactive"),
        "may_add_contact": policy.allows(user, "add", Contact),
        "may_change_contact": policy.allows(user, "change", Contact),
        "may_remove_contact": policy.allows(user, "delete", Contact),
    }
    if tab == "history":
        context["history"] = selectors.customer_history(customer)
    else:
        context["contacts"] = list(customer.contacts.select_related("user"))
        context["services"] = list(
            policy.scope(user, "view", customer.services.select_related("owner").order_by("name"))
        )
        context["agreements"] = list(
            policy.scope(user, "view", customer.agreements.prefetch_related("services").order_by("-id"))
        )
    return render_page(request, "service_levels/customer_detail.html", context, partial="tab")


class CustomerCreateView(ServiceFormView[Customer]):
    model = Customer
    form_class = CustomerForm
    title = _("New customer")

    def get_initial(self) -> dict[str, Any]:
        return {"relationship_owner": self.actor}

    def perform(self, form: Any) -> Customer:
        return services.customer_create(actor=self.actor, data=form.cleaned_data)


class CustomerUpdateView(CustomerCreateView):
    title = _("Edit customer")

    def perform(self, form: Any) -> Customer:
        return services.customer_update(customer=self.edited, actor=self.actor, data=form.cleaned_data)


class ContactCreateView(ActionFormView):
    policy_action = "add"
    policy_target = Contact
    form_class = ContactForm
    title = _("New contact")

    def load(self) -> None:
        self.object = _scoped(self.request, selectors.customer_list(), self.kwargs["customer_pk"])

    def perform(self, form: Any) -> Model:
        return services.contact_add(customer=self.object, actor=self.actor, data=form.cleaned_data)


class ContactUpdateView(ServiceFormView[Contact]):
    model = Contact
    form_class = ContactForm
    title = _("Edit contact")

    def perform(self, form: Any) -> Contact:
        return services.contact_update(contact=self.edited, actor=self.actor, data=form.cleaned_data)


@require_POST
@policy_required("delete", Contact)
def contact_remove(request: HttpRequest, pk: int) -> HttpResponseBase:
    contact = _scoped(request, selectors.contact_list(), pk)
    back = contact.customer.get_absolute_url()
    return _remove(
        request, contact, lambda: services.contact_remove(contact=contact, actor=acting_user(request)), back
    )


# Business calendars -------------------------------------------------------------------------------------


def _hours_summary(calendar: BusinessCalendar) -> str:
    if getattr(calendar, "current_always_open", False):
        return gettext("24 hours, 7 days")
    return str(getattr(calendar, "current_time_zone", "") or "—")


class CalendarListView(ListPageView):
    model = BusinessCalendar
    policy_target = BusinessCalendar
    title = _("Business calendars")
    filterset_class = BusinessCalendarFilter
    default_sort = "name"
    export_filename = "business-calendars"
    create_url = reverse_lazy("service_levels:calendar_create")
    create_label = _("New calendar")
    columns = [
        Column("code", _("Code"), sort="code"),
        Column("name", _("Calendar"), sort="name", link=True),
        Column("current_time_zone", _("Time zone / hours"), accessor=_hours_summary),
        Column("current_country", _("Public holidays of"), accessor="current_country"),
        Column("current_number", _("Version in force"), accessor="current_number"),
        Column("version_count", _("Versions"), accessor="version_count"),
        Column("is_active", _("Active"), sort="is_active"),
    ]

    def get_queryset(self) -> Any:
        return selectors.calendar_list_annotated()


GRID_WIDTH = 720  # px of 24 hours in the week grid
GRID_ROW = 26


def week_grid(version: CalendarVersion) -> dict[str, Any]:
    """The week's working spans as SVG bars (an overnight span continues on the next day's row)."""
    from .services import _minutes

    rows: list[dict[str, Any]] = [{"day": WEEKDAYS[d], "bars": [], "minutes": 0} for d in range(7)]
    weekly = [[["00:00", "24:00"]] for _d in range(7)] if version.always_open else version.weekly_hours
    for day, spans in enumerate(weekly):
        for start_text, end_text in spans:
            start = _minutes(start_text, allow_24=False) or 0
            end = _minutes(end_text, allow_24=True) or 0
            label = f"{start_text}-{end_text}"
            pieces = [(day, start, end)] if end > start else [(day, start, 1440), ((day + 1) % 7, 0, end)]
            for target_row, a, b in pieces:
                if b <= a:
                    continue
                rows[target_row]["bars"].append(
                    {
                        "x": round(a * GRID_WIDTH / 1440, 1),
                        "w": round((b - a) * GRID_WIDTH / 1440, 1),
                        "label": label,
                    }
                )
                rows[day]["minutes"] += b - a
    for index, row in enumerate(rows):
        row["y"] = index * GRID_ROW
        row["hours"] = format_minutes(row["minutes"]) or "—"
    ticks = [{"x": round(h * GRID_WIDTH / 24, 1), "label": f"{h:02d}"} for h in range(0, 25, 3)]
    return {"rows": rows, "ticks": ticks, "width": GRID_WIDTH, "height": 7 * GRID_ROW, "row": GRID_ROW}


@policy_required("view", BusinessCalendar)
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _scoped(request, selectors.calendar_list(), pk)
    versions = list(calendar.versions.select_related("created_by").order_by("-number"))
    current = calendar.current_version
    shown = current or (versions[-1] if versions else None)
    requested = request.GET.get("version", "")
    if requested.isdigit():
        shown = next((v for v in versions if v.number == int(requested)), shown)
    today = timezone.localdate()
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 1970 <= int(year_text) <= 2100 else today.year
    by_number = {v.number: v for v in versions}
    history = [
        {"version": v, "changes": selectors.version_changes(by_number.get(v.number - 1), v)} for v in versions
    ]
    user = request.user
    actions = edit_actions(user, calendar, "service_levels:calendar_update")
    if policy.allows(user, "revise", calendar):
        actions.append(Action(_("Revise"), reverse("service_levels:calendar_revise", args=[calendar.pk])))
    context = {
        "object": calendar,
        "actions": actions,
        "status_category": "done" if calendar.is_active else "closed",
        "status_label": gettext("Active") if calendar.is_active else gettext("Inactive"),
        "shown": shown,
        "current": current,
        "grid": week_grid(shown) if shown else None,
        "year": year,
        "years": [year - 1, year + 1],
        "days": selectors.calendar_year(shown, year) if shown else [],
        "versions": history,
        "makeup_weekday": WEEKDAYS[shown.makeup_weekday] if shown else "",
        "services": list(calendar.services.order_by("name")),
        "agreements": list(
            policy.scope(user, "view", calendar.agreements.select_related("customer", "team").order_by("-id"))
        ),
    }
    return render_page(request, "service_levels/calendar_detail.html", context, partial="year")


class CalendarCreateView(ActionFormView):
    policy_action = "add"
    policy_target = BusinessCalendar
    form_class = CalendarCreateForm
    title = _("New business calendar")

    def get_form(self, data: Any = None) -> Any:
        return CalendarCreateForm(data, initial=CalendarRulesForm.initial_from(None))

    def perform(self, form: Any) -> Model:
        data = {k: form.cleaned_data[k] for k in ("code", "name", "description")}
        return services.calendar_create(actor=self.actor, data=data, rules=form.parsed_rules)


class CalendarUpdateView(ServiceFormView[BusinessCalendar]):
    model = BusinessCalendar
    form_class = CalendarForm
    title = _("Edit calendar")

    def perform(self, form: Any) -> BusinessCalendar:
        return services.calendar_update(calendar=self.edited, actor=self.actor, data=form.cleaned_data)


class CalendarReviseView(ActionFormView):
    policy_action = "revise"
    policy_target = BusinessCalendar
    form_class = CalendarReviseForm
    title = _("New version of the calendar")

    def load(self) -> None:
        self.object = self.check_object(_scoped(self.request, selectors.calendar_list(), self.kwargs["pk"]))
        self.latest = self.object.versions.order_by("-number").first()

    def get_form(self, data: Any = None) -> Any:
        return CalendarReviseForm(data, initial=CalendarRulesForm.initial_from(self.latest))

    def perform(self, form: Any) -> Model:
        services.calendar_revise(
            calendar=self.object,
            actor=self.actor,
            rules=form.parsed_rules,
            note=form.cleaned_data["note"],
            valid_from=form.cleaned_data.get("valid_from"),
        )
        return self.object


# Agreements ---------------------------------------------------------------------------------------------


def _parties(agreement: Agreement) -> Any:
    return agreement.customer or agreement.team


def _gaps(agreement: Agreement) -> str:
    return ", ".join(agreement.target_gaps())


class AgreementListView(ListPageView):
    model = Agreement
    policy_target = Agreement
    title = _("Service level agreements")
    filterset_class = AgreementFilter
    default_sort = "-created_at"
    export_filename = "agreements"
    create_url = reverse_lazy("service_levels:agreement_create")
    create_label = _("New agreement")
    columns = [
        Column("reference", _("Reference"), sort="reference", link=True),
        Column("title", _("Title"), sort="title", link=True),
        Column("kind", _("Kind"), accessor="get_kind_display", sort="kind"),
        Column("state", _("State"), accessor="get_state_display", sort="state"),
        Column("parties", _("Customer / team"), accessor=_parties),
        Column(
            "services",
            _("Services"),
            accessor=lambda a: ", ".join(s.name for s in a.services.all()),
        ),
        Column("gaps", _("Priorities without target"), accessor=_gaps),
        Column("effective_from", _("Effective from"), sort="effective_from"),
        Column("effective_to", _("Effective until"), sort="effective_to"),
        Column("owner", _("Owner"), accessor="owner"),
    ]

    def get_queryset(self) -> Any:
        return selectors.agreement_list().prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("name")), "targets"
        )


AGREEMENT_TRANSITION_LABELS = {"agree": _("Agree"), "expire": _("Expire")}
NOTE_REQUIRED: set[str] = set()


def target_rows(agreement: Agreement) -> list[dict[str, Any]]:
    """One row per priority: the target, or a visible gap."""
    targets = {t.priority: t for t in agreement.targets.all()}
    rows = []
    for priority in Priority:
        target: AgreementTarget | None = targets.get(priority.value)
        rows.append(
            {
                "priority": priority,
                "target": target,
                "respond": format_minutes(target.respond_minutes) if target else "",
                "resolve": format_minutes(target.resolve_minutes) if target else "",
                "gap": target is None,
            }
        )
    return rows


@policy_required("view", Agreement)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _scoped(request, selectors.agreement_list(), pk)
    tab = request.GET.get("tab", "details")
    user = request.user
    actions = edit_actions(user, agreement, "service_levels:agreement_update")
    if actions:
        actions.append(
            Action(_("Edit targets"), reverse("service_levels:agreement_targets", args=[agreement.pk]))
        )
    if policy.allows(user, "revise", agreement):
        actions.append(
            Action(
                _("Revise"),
                reverse("service_levels:agreement_revise", args=[agreement.pk]),
                method="post",
                style="outline-primary",
            )
        )
    context: dict[str, Any] = {
        "object": agreement,
        "tab": tab,
        "actions": actions,
        "transitions": transition_buttons(
            agreement, user, AGREEMENT_TRANSITION_LABELS, "service_levels:agreement_transition"
        ),
        "note_required": NOTE_REQUIRED,
        "status_category": AGREEMENT_STATUS_CATEGORY.get(agreement.state, "open"),
    }
    if tab == "timeline":
        context["events"] = timeline_for(agreement, viewer=user)
    elif tab == "history":
        context["history"] = selectors.agreement_history(agreement)
    elif tab == "notes":
        context.update(notes_context(request, agreement))
    elif tab == "attachments":
        context.update(attachments_context(request, agreement))
    else:
        context["targets"] = target_rows(agreement)
        context["gaps"] = agreement.target_gaps()
        context["services"] = list(agreement.services.order_by("name"))
        context["superseded_by"] = list(agreement.superseded_by.order_by("-id"))
        context["reviews"] = list(
            policy.scope(user, "view", agreement.reviews.order_by("-due_on", "-id"))[:5]
        )
        context["in_force"] = agreement.is_in_force(timezone.localdate())
        if agreement.state == AgreementState.DRAFT:
            context["missing"] = list(services.agreement_missing(agreement).values())
    return render_page(request, "service_levels/agreement_detail.html", context, partial="tab")


class AgreementCreateView(ServiceFormView[Agreement]):
    model = Agreement
    form_class = AgreementForm
    title = _("New agreement")

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"owner": self.actor}
        customer = self.request.GET.get("customer", "")
        if customer.isdigit():
            initial["customer"] = customer
        return initial

    def perform(self, form: Any) -> Agreement:
        return services.agreement_create(actor=self.actor, data=form.cleaned_data)


class AgreementUpdateView(AgreementCreateView):
    title = _("Edit agreement")

    def perform(self, form: Any) -> Agreement:
        return services.agreement_update(agreement=self.edited, actor=self.actor, data=form.cleaned_data)


class AgreementTargetsView(ActionFormView):
    policy_action = "change"
    policy_target = Agreement
    form_class = AgreementTargetsForm
    title = _("Targets")
    template_name = "service_levels/agreement_targets.html"

    def load(self) -> None:
        self.object = self.check_object(_scoped(self.request, selectors.agreement_list(), self.kwargs["pk"]))

    def get_form(self, data: Any = None) -> Any:
        return AgreementTargetsForm(data, agreement=self.object)

    def perform(self, form: Any) -> Model:
        return services.agreement_targets_set(agreement=self.object, actor=self.actor, targets=form.targets())

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        rows = [(p, form[f"{p.value}_respond"], form[f"{p.value}_resolve"]) for p in Priority]
        context = {"form": form, "rows": rows, "object": self.object, "title": self.title, "view": self}
        return render_page(self.request, self.template_name, context, partial="form", status=status)


@require_POST
@policy_required("revise", Agreement)
def agreement_revise(request: HttpRequest, pk: int) -> HttpResponseBase:
    agreement = _scoped(request, selectors.agreement_list(), pk)
    try:
        revision = services.agreement_revise(agreement=agreement, actor=acting_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(agreement.get_absolute_url())
    messages.success(
        request,
        gettext("%(revision)s is a draft revision of %(agreement)s; agreeing it supersedes %(agreement)s.")
        % {"revision": revision.reference, "agreement": agreement.reference},
    )
    return HttpResponseRedirect(revision.get_absolute_url())


class AgreementTransitionView(TransitionView):
    policy_target = Agreement
    services = services.AGREEMENT_TRANSITIONS
    record_argument = "agreement"

    def get_queryset(self) -> Any:
        return selectors.agreement_list()

"""Pages of configuration management: the CMDB (CIs, relationships, impact) and its CI types."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm.policy import policy
from itsm.timeline import timeline_for
from itsm.ui.detail import Action, edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView
from itsm.ui.notes import attachments_context, notes_context
from itsm.ui.transitions import TransitionView, transition_buttons
from itsm.ui.views import acting_user, policy_required, render_page
from service_levels.models import Customer, Service

from . import graph, selectors, services
from .choices import CONTROLLED_STATES, CIState
from .filters import CITypeFilter, ConfigurationItemFilter, RelationshipTypeFilter
from .forms import (
    CITypeForm,
    ConfigurationItemForm,
    RelationshipForm,
    RelationshipRemoveForm,
    RelationshipTypeForm,
    form_errors,
)
from .import_views import attribute_export_columns
from .models import CIType, ConfigurationItem, Relationship, RelationshipType

CI_TRANSITION_LABELS = {
    "start_build": gettext_lazy("Start build"),
    "start_test": gettext_lazy("Start test"),
    "return_to_build": gettext_lazy("Back to build"),
    "go_live": gettext_lazy("Go live"),
    "start_maintenance": gettext_lazy("Start maintenance"),
    "end_maintenance": gettext_lazy("End maintenance"),
    "retire": gettext_lazy("Retire"),
    "dispose": gettext_lazy("Record disposal"),
}
CI_STATUS_CATEGORY = {
    CIState.PLANNED: "open",
    CIState.IN_BUILD: "in-progress",
    CIState.IN_TEST: "in-progress",
    CIState.LIVE: "done",
    CIState.MAINTENANCE: "waiting",
    CIState.RETIRED: "closed",
    CIState.DISPOSED: "closed",
}
CI_TABS = [
    ("details", gettext_lazy("Details")),
    ("relationships", gettext_lazy("Relationships")),
    ("impact", gettext_lazy("Impact")),
    ("related", gettext_lazy("Related records")),
    ("timeline", gettext_lazy("Timeline")),
    ("notes", gettext_lazy("Notes")),
    ("attachments", gettext_lazy("Attachments")),
]


# Configuration items ------------------------------------------------------------------------------


class ConfigurationItemListView(ListPageView):
    model = ConfigurationItem
    policy_target = ConfigurationItem
    title = gettext_lazy("Configuration items")
    filterset_class = ConfigurationItemFilter
    default_sort = "reference"
    export_filename = "configuration-items"
    create_url = reverse_lazy("configuration:ci_create")
    create_label = gettext_lazy("New CI")
    columns = [
        Column("reference", gettext_lazy("Reference"), sort="reference", link=True),
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("ci_type", gettext_lazy("Type"), accessor="ci_type.name"),
        Column("state", gettext_lazy("State"), accessor="get_state_display", sort="state"),
        Column(
            "importance", gettext_lazy("Importance"), accessor="get_importance_display", sort="importance"
        ),
        Column("version", gettext_lazy("Version")),
        Column("location", gettext_lazy("Location")),
        Column("owner", gettext_lazy("Owner"), accessor="owner"),
        Column("team", gettext_lazy("Support team"), accessor="team"),
        Column("updated_at", gettext_lazy("Updated"), sort="updated_at"),
    ]

    def get_queryset(self) -> Any:
        return selectors.ci_list()

    def export_csv(self, queryset: Any) -> Any:
        # Filtered to one type, the export also has a column per typed attribute of that type.
        self.columns = [*self.columns, *attribute_export_columns(self.request.GET.get("ci_type"))]
        return super().export_csv(queryset)


def _ci_or_404(request: HttpRequest, pk: int) -> ConfigurationItem:
    return get_object_or_404(policy.scope(request.user, "view", selectors.ci_detail()), pk=pk)


def _node_url(user: Any, node: selectors.ImpactNode) -> str:
    """A link for a box of the impact graph: CIs always; services and customers when the reader may
    open them."""
    if node.kind == "ci":
        return reverse("configuration:ci_detail", args=[node.id])
    targets: dict[str, tuple[type[Model], str]] = {
        "service": (Service, "service_levels:service_detail"),
        "customer": (Customer, "service_levels:customer_detail"),
    }
    if node.kind in targets:
        model, name = targets[node.kind]
        if policy.allows(user, "view", model):
            try:
                return reverse(name, args=[node.id])
            except NoReverseMatch:
                return ""
    return ""


def _impact_context(request: HttpRequest, ci: ConfigurationItem) -> dict[str, Any]:
    impact = selectors.impact_of(ci)
    may_view = {
        "service": policy.allows(request.user, "view", Service),
        "customer": policy.allows(request.user, "view", Customer),
    }

    def url_for(node: selectors.ImpactNode) -> str:
        if node.kind in may_view and not may_view[node.kind]:
            return ""
        return _node_url(request.user, node)

    return {"impact": impact, "picture": graph.layout(impact, url_for=url_for)}


def _relationship_context(
    request: HttpRequest, ci: ConfigurationItem, form: RelationshipForm | None = None
) -> dict[str, Any]:
    may_add = policy.allows(request.user, "add", Relationship) and ci.state != CIState.DISPOSED
    if may_add and form is None:
        form = _relationship_form(ci)
    return {
        "outgoing": selectors.outgoing_relationships(ci),
        "incoming": selectors.incoming_relationships(ci),
        "relationship_form": form if may_add else None,
        "may_remove": policy.allows(request.user, "delete", Relationship) and ci.state != CIState.DISPOSED,
        "rfc_needed": ci.is_controlled and ci.state in CONTROLLED_STATES,
    }


def _relationship_form(ci: ConfigurationItem, data: Any = None) -> RelationshipForm:
    return RelationshipForm(
        data,
        source=ci,
        services=selectors.services_for_picker(),
        components=selectors.components_for_picker(),
    )


@policy_required("view", ConfigurationItem)
def ci_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ci = _ci_or_404(request, pk)
    tab = request.GET.get("tab", "details")
    if tab not in dict(CI_TABS):
        tab = "details"
    context: dict[str, Any] = {
        "object": ci,
        "tab": tab,
        "tabs": CI_TABS,
        "actions": edit_actions(request.user, ci, "configuration:ci_update"),
        "transitions": transition_buttons(
            ci, request.user, CI_TRANSITION_LABELS, "configuration:ci_transition"
        ),
        "note_required": services.NOTE_REQUIRED,
        "rfc_transitions": _rfc_transitions(ci),
        "status_category": CI_STATUS_CATEGORY[CIState(ci.state)],
    }
    if tab == "details":
        context["attributes"] = _attribute_rows(ci)
    elif tab == "relationships":
        context.update(_relationship_context(request, ci))
    elif tab == "impact":
        context.update(_impact_context(request, ci))
    elif tab == "related":
        context["related"] = selectors.related_records(ci, request.user)
    elif tab == "timeline":
        context["events"] = timeline_for(ci, viewer=request.user)
    elif tab == "notes":
        context.update(notes_context(request, ci))
    elif tab == "attachments":
        context.update(attachments_context(request, ci))
    return render_page(request, "configuration/ci_detail.html", context, partial="tab")


def _rfc_transitions(ci: ConfigurationItem) -> set[str]:
    if not ci.is_controlled:
        return set()
    names = {"go_live", "start_maintenance", "end_maintenance"}
    if ci.state in CONTROLLED_STATES:
        names.add("retire")
    return names


def _attribute_rows(ci: ConfigurationItem) -> list[tuple[str, Any, str]]:
    """(label, value, link) per attribute in the schema's order, then values the schema no longer has."""
    values = dict(ci.attributes or {})
    rows = []
    for spec in ci.ci_type.attributes:
        value = values.pop(spec["key"], None)
        link = ""
        if value and spec.get("type") == "reference":
            link = reverse("configuration:ci_list") + f"?q={value}"
        rows.append((str(spec.get("label") or spec["key"]), value, link))
    rows.extend((key, value, "") for key, value in sorted(values.items()))
    return rows


@policy_required("view", ConfigurationItem)
def ci_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """The impact page of its own (printable): graph and table."""
    ci = _ci_or_404(request, pk)
    context = {"object": ci, **_impact_context(request, ci)}
    return render_page(request, "configuration/ci_impact.html", context, partial="impact")


class ConfigurationItemCreateView(ServiceFormView[ConfigurationItem]):
    """Pick a CI type, then fill in the CI with the type's attributes."""

    model = ConfigurationItem
    title = gettext_lazy("New configuration item")
    template_name = "configuration/ci_form.html"

    def ci_type(self) -> CIType | None:
        if self.object is not None:
            return self.object.ci_type
        pk = self.request.GET.get("type", "")
        if not pk.isdigit():
            return None
        return CIType.objects.filter(pk=pk, is_active=True).first()

    def rfc_required(self) -> bool:
        return (
            self.object is not None and self.object.is_controlled and self.object.state in CONTROLLED_STATES
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if self.ci_type() is None:
            types = CIType.objects.filter(is_active=True).order_by("name")
            context = {"title": self.title, "types": types, "view": self}
            return render_page(request, "configuration/ci_type_picker.html", context)
        return super().get(request, **kwargs)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if self.ci_type() is None:
            return HttpResponseRedirect(request.path)
        return super().post(request, **kwargs)

    @property
    def form_class(self) -> Any:
        """The form bound to the chosen CI type (``get``/``post`` have made sure there is one)."""
        ci_type = self.ci_type()
        assert ci_type is not None  # noqa: S101 - get/post answer before a form is built without a type
        return functools.partial(ConfigurationItemForm, ci_type=ci_type, rfc_required=self.rfc_required())

    def get_initial(self) -> dict[str, Any]:
        return {"owner": self.actor}

    def perform(self, form: Any) -> ConfigurationItem:
        data = form.service_data()
        try:
            return services.ci_create(actor=self.actor, data={**data, "ci_type": form.ci_type})
        except ValidationError as exc:
            raise form_errors(form, exc) from exc

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "object": self.object,
            "title": self.title,
            "view": self,
            "ci_type": form.ci_type,
        }
        return render_page(self.request, self.template_name, context, partial="form", status=status)


class ConfigurationItemUpdateView(ConfigurationItemCreateView):
    title = gettext_lazy("Edit configuration item")

    def perform(self, form: Any) -> ConfigurationItem:
        try:
            return services.ci_update(ci=self.edited, actor=self.actor, data=form.service_data())
        except ValidationError as exc:
            raise form_errors(form, exc) from exc


class ConfigurationItemTransitionView(TransitionView):
    """POST ``…/<pk>/<transition>/`` with ``note`` and, for controlled CIs, ``rfc_reference``."""

    policy_target = ConfigurationItem
    record_argument = "ci"

    @property
    def services(self) -> Mapping[str, Callable[..., Any]]:  # type: ignore[override]
        rfc = self.request.POST.get("rfc_reference", "")
        return {
            name: functools.partial(service, rfc_reference=rfc)
            for name, service in services.CI_TRANSITIONS.items()
        }

    def get_queryset(self) -> Any:
        return selectors.ci_detail()


# Relationships ------------------------------------------------------------------------------------


@policy_required("add", Relationship)
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form on a page of its own; POST: add the link, or show the form again with its errors."""
    ci = _ci_or_404(request, pk)
    if ci.state == CIState.DISPOSED:
        raise PermissionDenied
    form = _relationship_form(ci, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.relationship_add(actor=acting_user(request), source=ci, **form.service_arguments())
            except ValidationError as exc:
                form.add_error(None, form_errors(form, exc))
            else:
                messages.success(request, _("Relationship added."))
                response = HttpResponseRedirect(
                    reverse("configuration:ci_detail", args=[ci.pk]) + "?tab=relationships"
                )
                response["HX-Trigger"] = "record-changed"
                return response
        status = 400
    context = {"object": ci, "relationship_form": form, "title": _("Add a relationship")}
    return render_page(
        request, "configuration/relationship_form.html", context, partial="form", status=status
    )


@policy_required("delete", Relationship)
def relationship_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm with a reason; POST: remove the link (the reason stays in its history)."""
    relationship = get_object_or_404(policy.scope(request.user, "view", selectors.relationship_list()), pk=pk)
    if not policy.allows(request.user, "delete", relationship):
        raise PermissionDenied
    form = RelationshipRemoveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.relationship_remove(
                    relationship=relationship,
                    actor=acting_user(request),
                    reason=form.cleaned_data["reason"],
                    rfc_reference=form.cleaned_data["rfc_reference"],
                )
            except ValidationError as exc:
                form.add_error(None, form_errors(form, exc))
            else:
                messages.success(request, _("Relationship removed."))
                url = reverse("configuration:ci_detail", args=[relationship.source_id]) + "?tab=relationships"
                response = HttpResponseRedirect(url)
                response["HX-Trigger"] = "record-changed"
                return response
        status = 400
    context = {"object": relationship, "form": form, "title": _("Remove a relationship")}
    return render_page(
        request, "configuration/relationship_remove.html", context, partial="form", status=status
    )


# CI types -----------------------------------------------------------------------------------------


class CITypeListView(ListPageView):
    model = CIType
    policy_target = CIType
    title = gettext_lazy("CI types")
    filterset_class = CITypeFilter
    default_sort = "name"
    export_filename = "ci-types"
    create_url = reverse_lazy("configuration:citype_create")
    create_label = gettext_lazy("New CI type")
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("code", gettext_lazy("Code"), sort="code"),
        Column("change_controlled", gettext_lazy("Under change control"), sort="change_controlled"),
        Column("attributes", gettext_lazy("Attributes"), accessor=lambda t: len(t.attribute_schema or [])),
        Column("ci_count", gettext_lazy("CIs")),
        Column("is_active", gettext_lazy("Active"), sort="is_active"),
    ]

    def get_queryset(self) -> Any:
        return selectors.citype_list()


@policy_required("view", CIType)
def citype_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ci_type = get_object_or_404(policy.scope(request.user, "view", selectors.citype_detail()), pk=pk)
    context = {
        "object": ci_type,
        "actions": edit_actions(request.user, ci_type, "configuration:citype_update"),
        "ci_count": ci_type.configuration_items.exclude(state=CIState.DISPOSED).count(),
        "list_url": reverse("configuration:ci_list") + f"?ci_type={ci_type.pk}",
        "history": ci_type.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :20
        ],
    }
    if policy.allows(request.user, "add", ConfigurationItem) and ci_type.is_active:
        context["actions"] = [
            *context["actions"],
            Action(_("New CI of this type"), reverse("configuration:ci_create") + f"?type={ci_type.pk}"),
        ]
    return render_page(request, "configuration/citype_detail.html", context)


class CITypeCreateView(ServiceFormView[CIType]):
    model = CIType
    form_class = CITypeForm
    title = gettext_lazy("New CI type")

    def perform(self, form: Any) -> CIType:
        data, relationship_types = form.service_data()
        return services.citype_create(
            actor=self.actor, data=data, allowed_relationship_types=relationship_types
        )


class CITypeUpdateView(CITypeCreateView):
    title = gettext_lazy("Edit CI type")

    def perform(self, form: Any) -> CIType:
        data, relationship_types = form.service_data()
        return services.citype_update(
            ci_type=self.edited, actor=self.actor, data=data, allowed_relationship_types=relationship_types
        )


# Relationship types -------------------------------------------------------------------------------


class RelationshipTypeListView(ListPageView):
    model = RelationshipType
    policy_target = RelationshipType
    title = gettext_lazy("Relationship types")
    filterset_class = RelationshipTypeFilter
    default_sort = "name"
    export_filename = "relationship-types"
    create_url = reverse_lazy("configuration:relationshiptype_create")
    create_label = gettext_lazy("New relationship type")
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("inverse_name", gettext_lazy("Inverse name")),
        Column("code", gettext_lazy("Code"), sort="code"),
        Column("acyclic", gettext_lazy("No cycles")),
        Column("propagates_impact", gettext_lazy("Propagates impact")),
        Column("impact_direction", gettext_lazy("Impact direction"), accessor="get_impact_direction_display"),
        Column("relationship_count", gettext_lazy("Links")),
        Column("is_active", gettext_lazy("Active")),
    ]

    def get_queryset(self) -> Any:
        return selectors.relationshiptype_list()


@policy_required("view", RelationshipType)
def relationshiptype_detail(request: HttpRequest, pk: int) -> HttpResponse:
    relationship_type = get_object_or_404(
        policy.scope(request.user, "view", selectors.relationshiptype_list()), pk=pk
    )
    context = {
        "object": relationship_type,
        "actions": edit_actions(request.user, relationship_type, "configuration:relationshiptype_update"),
        "ci_types": relationship_type.ci_types.order_by("name"),
        "history": relationship_type.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )[:20],
    }
    return render_page(request, "configuration/relationshiptype_detail.html", context)


class RelationshipTypeCreateView(ServiceFormView[RelationshipType]):
    model = RelationshipType
    form_class = RelationshipTypeForm
    title = gettext_lazy("New relationship type")

    def perform(self, form: Any) -> RelationshipType:
        return services.relationshiptype_create(actor=self.actor, data=form.cleaned_data)


class RelationshipTypeUpdateView(RelationshipTypeCreateView):
    title = gettext_lazy("Edit relationship type")

    def perform(self, form: Any) -> RelationshipType:
        return services.relationshiptype_update(
            relationship_type=self.edited, actor=self.actor, data=form.cleaned_data
        )

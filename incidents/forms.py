"""Forms of incident and service request management.

The transition forms only parse input; the services decide (and raise ``ValidationError`` with field
names that match these forms, so errors show next to the field).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.choices import Priority
from itsm.models import Team, User
from itsm.ui.forms import Form, ModelForm
from service_levels.models import Customer, Service

from .choices import CancelReason, EscalationKind, HoldReason, Impact, ResolutionCode, Urgency
from .models import Category, Incident, MajorIncidentCriteria, MajorIncidentReview, RequestCatalogueItem

NOTE_WIDGET = forms.Textarea(attrs={"rows": 2})


def _field(form: Any, name: str) -> Any:
    """A form field whose queryset or choices are set at run time."""
    return form.fields[name]


def _people() -> Any:
    return User.objects.filter(is_active=True, is_system=False).order_by("username")


class IncidentLogForm(ModelForm):
    """The desk's quick form: who, what, which customer and service (suggested from the customer)."""

    class Meta:
        model = Incident
        fields = [
            "reported_by",
            "customer",
            "service",
            "title",
            "description",
            "channel",
            "category",
            "impact",
            "urgency",
            "is_security",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "reported_by").queryset = _people()
        _field(self, "reported_by").required = False
        _field(self, "reported_by").help_text = _("Empty: you (e.g. an event the desk noticed itself).")
        _field(self, "customer").queryset = Customer.objects.filter(is_active=True)
        _field(self, "category").queryset = Category.objects.filter(is_active=True).select_related("parent")
        self.fields["customer"].widget.attrs.update(
            {
                "hx-get": "suggest/",
                "hx-target": "#id_service",
                "hx-swap": "outerHTML",
            }
        )


class IncidentEditForm(ModelForm):
    class Meta:
        model = Incident
        fields = [
            "title",
            "description",
            "channel",
            "customer",
            "service",
            "category",
            "impact",
            "urgency",
            "is_security",
            "parent",
            "exempt",
            "exemption_reason",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "parent": forms.TextInput()}

    parent = forms.CharField(
        label=_("Parent incident"), required=False, help_text=_("Reference, e.g. INC-000042.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.parent_id:
            self.initial["parent"] = self.instance.parent.reference

    def clean_parent(self) -> Incident | None:
        return _incident_by_reference(self.cleaned_data.get("parent"), "parent")


def _incident_by_reference(value: str | None, field: str) -> Incident | None:
    value = (value or "").strip().upper()
    if not value:
        return None
    if not value.startswith("INC-") and value.isdigit():
        value = f"INC-{int(value):06d}"
    incident = Incident.objects.filter(reference=value).first()
    if incident is None:
        raise forms.ValidationError(_("No incident %(reference)s.") % {"reference": value})
    return incident


class IncidentNoteForm(Form):
    """A work note or a comment on an incident (the notes panel's form); ``kinds`` are those the person
    may write."""

    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    body = forms.CharField(label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, kinds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = _field(self, "kind")
        kind_field.choices = [(kind.value, kind.label) for kind in kinds]
        kind_field.initial = kinds[0].value if kinds else None
        if len(kinds) == 1:
            kind_field.widget = forms.HiddenInput()


class PortalReportForm(Form):
    """What a requester tells us: what is wrong, since when, how urgent for them."""

    title = forms.CharField(label=_("What is wrong?"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none(), required=False)
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it for you?"), choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM
    )

    def __init__(self, *args: Any, services: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "service").queryset = services if services is not None else Service.objects.none()


# Transition inputs ------------------------------------------------------------------------------------


class NoteForm(Form):
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET, max_length=4000)


class ClassifyForm(Form):
    service = forms.ModelChoiceField(label=_("Affected service"), queryset=Service.objects.order_by("name"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)
    is_security = forms.BooleanField(label=_("Information security incident"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("From the matrix")), *Priority.choices],
        required=False,
        help_text=_("Only to depart from the matrix; then say why in the note."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "category").queryset = Category.objects.filter(is_active=True).select_related("parent")


class AssignForm(Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "assignee").queryset = User.objects.filter(
            is_active=True, is_system=False, teams__isnull=False
        ).distinct()


class HoldForm(Form):
    reason = forms.ChoiceField(label=_("Waiting for"), choices=HoldReason.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET, max_length=4000)


class EscalateForm(Form):
    kind = forms.ChoiceField(label=_("Escalation"), choices=EscalationKind.choices, widget=forms.RadioSelect)
    team = forms.ModelChoiceField(
        label=_("To team (functional)"), queryset=Team.objects.filter(is_active=True), required=False
    )
    to = forms.ModelChoiceField(
        label=_("To person (hierarchical)"), queryset=User.objects.none(), required=False
    )
    note = forms.CharField(label=_("Why"), widget=NOTE_WIDGET, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "to").queryset = _people()


class ResolveForm(Form):
    code = forms.ChoiceField(label=_("Resolution code"), choices=ResolutionCode.choices)
    notes = forms.CharField(
        label=_("Resolution notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )


class CancelForm(Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)
    duplicate_of = forms.CharField(
        label=_("Duplicate of"), required=False, help_text=_("Reference of the master incident.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET, max_length=4000)

    def clean_duplicate_of(self) -> Incident | None:
        return _incident_by_reference(self.cleaned_data.get("duplicate_of"), "duplicate_of")


class DeclareMajorForm(Form):
    manager = forms.ModelChoiceField(label=_("Major incident manager"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET, max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import major_incident_managers

        _field(self, "manager").queryset = major_incident_managers()


class PriorityForm(Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)


TRANSITION_FORMS: dict[str, type[forms.Form]] = {
    "classify": ClassifyForm,
    "assign": AssignForm,
    "hold": HoldForm,
    "escalate": EscalateForm,
    "resolve": ResolveForm,
    "cancel": CancelForm,
    "declare_major": DeclareMajorForm,
}


def transition_form(name: str, data: Any = None, initial: dict[str, Any] | None = None) -> forms.Form:
    form_class = TRANSITION_FORMS.get(name, NoteForm)
    return form_class(data, initial=initial or {}, prefix=name)


class BulkForm(Form):
    ACTIONS = [
        ("assign", _("Assign")),
        ("start", _("Start work")),
        ("resume", _("Resume")),
        ("close", _("Close")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], label=_("Incidents"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id may be posted; the view keeps only those the person may see.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        _field(self, "ids").choices = [(v, v) for v in raw]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "assign" and cleaned.get("team") is None:
            self.add_error("team", _("Choose the team to assign to."))
        return cleaned


# Configuration --------------------------------------------------------------------------------------


class MatrixForm(Form):
    """The whole matrix at once: one select per impact and urgency."""

    def __init__(self, *args: Any, cells: dict[tuple[int, int], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for impact in Impact:
            for urgency in Urgency:
                self.fields[f"cell_{impact.value}_{urgency.value}"] = forms.ChoiceField(
                    label=f"{impact.label} / {urgency.label}",
                    choices=Priority.choices,
                    initial=cells.get((impact.value, urgency.value)),
                )


class CategoryForm(ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "parent", "default_team", "is_security", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "parent").queryset = Category.objects.filter(parent__isnull=True)


class CriteriaForm(ModelForm):
    class Meta:
        model = MajorIncidentCriteria
        fields = [
            "customer",
            "name",
            "description",
            "criteria",
            "min_priority",
            "notify_top_management",
            "takeover_minutes",
            "agreed_with",
            "agreed_on",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "criteria": forms.Textarea(attrs={"rows": 5}),
            "agreed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class ReviewForm(ModelForm):
    class Meta:
        model = MajorIncidentReview
        fields = ["owner", "what_happened", "timeline", "causes", "improvements"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("what_happened", "timeline", "causes", "improvements")
        }


# Service requests -----------------------------------------------------------------------------------


class ServiceRequestForm(Form):
    """The desk asks for a catalogue item for someone (or for themselves)."""

    catalogue_item = forms.ModelChoiceField(
        label=_("What is needed"), queryset=RequestCatalogueItem.objects.none()
    )
    requested_for = forms.ModelChoiceField(
        label=_("For"), queryset=User.objects.none(), required=False, help_text=_("Empty: yourself.")
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P4)

    def __init__(self, *args: Any, items: Any = None, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # ``instance``: the generic create page passes it (always None)
        _field(self, "catalogue_item").queryset = (
            items
            if items is not None
            else RequestCatalogueItem.objects.filter(is_active=True).select_related("service")
        )
        _field(self, "requested_for").queryset = _people()


class PortalRequestForm(ServiceRequestForm):
    """A requester asks for something for themselves."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["requested_for"]
        del self.fields["priority"]


class CatalogueItemForm(ModelForm):
    class Meta:
        model = RequestCatalogueItem
        fields = [
            "service",
            "name",
            "description",
            "needs_approval",
            "approver",
            "approver_role",
            "fulfilment_team",
            "fulfilment_target_minutes",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

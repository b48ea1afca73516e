"""API serializers of incident and service request management."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from incidents.choices import CancelReason, EscalationKind, HoldReason, Impact, ResolutionCode, Urgency
from incidents.models import Category, Incident, MajorIncidentReview, RequestCatalogueItem, ServiceRequest
from itsm.choices import Priority
from itsm.models import Team, User
from itsm.records import allowed_transitions
from service_levels.models import Service

ACTIVE_PEOPLE = User.objects.filter(is_active=True, is_system=False)


class IncidentSerializer(serializers.ModelSerializer):
    allowed_transitions = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "url",
            "title",
            "description",
            "channel",
            "state",
            "priority",
            "priority_overridden",
            "priority_override_reason",
            "impact",
            "urgency",
            "reported_by",
            "customer",
            "service",
            "category",
            "assignment_team",
            "assignee",
            "escalation_level",
            "escalated_to",
            "escalated_at",
            "is_security",
            "is_major",
            "major_incident_manager",
            "major_declared_at",
            "major_acknowledged_at",
            "parent",
            "duplicate_of",
            "first_response_at",
            "on_hold_reason",
            "resolution_code",
            "resolution_notes",
            "resolved_at",
            "resolved_by",
            "resolution_confirmed_at",
            "closed_at",
            "closed_by",
            "cancel_reason",
            "reopen_count",
            "exempt",
            "exemption_reason",
            "created_at",
            "created_by",
            "updated_at",
            "allowed_transitions",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, incident: Incident) -> list[str]:
        request = self.context.get("request")
        return allowed_transitions(incident, request.user) if request is not None else []


class IncidentLogSerializer(serializers.Serializer):
    """What the desk (or a client acting for it) gives when logging; the priority comes from the matrix."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    channel = serializers.ChoiceField(choices=Incident._meta.get_field("channel").choices, default="phone")
    reported_by = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_PEOPLE, required=False)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Incident._meta.get_field("customer").related_model.objects.all(),
        required=False,
        allow_null=True,
    )
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.MODERATE)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.MEDIUM)
    is_security = serializers.BooleanField(default=False)
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Incident.objects.all(), required=False, allow_null=True
    )

    def to_representation(self, instance: Any) -> Any:
        return IncidentSerializer(instance, context=self.context).data


class IncidentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    channel = serializers.ChoiceField(choices=Incident._meta.get_field("channel").choices, required=False)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Incident._meta.get_field("customer").related_model.objects.all(),
        required=False,
        allow_null=True,
    )
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    is_security = serializers.BooleanField(required=False)
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Incident.objects.all(), required=False, allow_null=True
    )
    exempt = serializers.BooleanField(required=False)
    exemption_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def to_representation(self, instance: Any) -> Any:
        return IncidentSerializer(instance, context=self.context).data


# Transition inputs (each also takes "note").


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ClassifyInput(NoteInput):
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all())
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True))
    impact = serializers.ChoiceField(choices=Impact.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    is_security = serializers.BooleanField(required=False, default=None, allow_null=True)
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Only to depart from the matrix; then 'note' is the reason.",
    )


class AssignInput(NoteInput):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_PEOPLE, required=False, allow_null=True)


class HoldInput(NoteInput):
    reason = serializers.ChoiceField(choices=HoldReason.choices)


class EscalateInput(NoteInput):
    kind = serializers.ChoiceField(choices=EscalationKind.choices)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    to = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_PEOPLE, required=False, allow_null=True)


class ResolveInput(NoteInput):
    code = serializers.ChoiceField(choices=ResolutionCode.choices)
    notes = serializers.CharField(max_length=10000)


class CancelInput(NoteInput):
    reason = serializers.ChoiceField(choices=CancelReason.choices)
    duplicate_of = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )


class DeclareMajorInput(NoteInput):
    manager = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_PEOPLE)


class PrioritiseInput(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


TRANSITION_INPUTS: dict[str, type[serializers.Serializer]] = {
    "classify": ClassifyInput,
    "assign": AssignInput,
    "hold": HoldInput,
    "escalate": EscalateInput,
    "resolve": ResolveInput,
    "cancel": CancelInput,
    "declare_major": DeclareMajorInput,
}


class MajorIncidentReviewSerializer(serializers.ModelSerializer):
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = MajorIncidentReview
        fields = [
            "id",
            "reference",
            "incident",
            "owner",
            "what_happened",
            "timeline",
            "causes",
            "improvements",
            "state",
            "completed_at",
            "completed_by",
            "created_at",
            "updated_at",
            "allowed_transitions",
        ]
        read_only_fields = [
            "reference",
            "incident",
            "state",
            "completed_at",
            "completed_by",
            "created_at",
            "updated_at",
        ]

    def get_allowed_transitions(self, review: MajorIncidentReview) -> list[str]:
        request = self.context.get("request")
        return allowed_transitions(review, request.user) if request is not None else []


@extend_schema_serializer(
    component_name="ServiceRequestRecord"
)  # "ServiceRequest" is the request body of a service
class ServiceRequestSerializer(serializers.ModelSerializer):
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "reference",
            "catalogue_item",
            "title",
            "description",
            "channel",
            "state",
            "priority",
            "requested_by",
            "requested_for",
            "customer",
            "service",
            "assignment_team",
            "assignee",
            "approver",
            "decided_at",
            "decision_note",
            "fulfilment_notes",
            "due_at",
            "fulfilled_at",
            "closed_at",
            "cancel_reason",
            "created_at",
            "updated_at",
            "allowed_transitions",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, service_request: ServiceRequest) -> list[str]:
        request = self.context.get("request")
        return allowed_transitions(service_request, request.user) if request is not None else []


class ServiceRequestCreateSerializer(serializers.Serializer):
    catalogue_item = serializers.PrimaryKeyRelatedField(
        queryset=RequestCatalogueItem.objects.filter(is_active=True)
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    requested_for = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_PEOPLE, required=False, allow_null=True
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.P4)

    def to_representation(self, instance: Any) -> Any:
        return ServiceRequestSerializer(instance, context=self.context).data


class RequestCatalogueItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestCatalogueItem
        fields = [
            "id",
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

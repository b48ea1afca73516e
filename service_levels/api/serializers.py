"""API serializers of service level management: the catalogue, customers, calendars and agreements.

Serializers parse and present; writes go through ``service_levels.services`` (the viewsets call them),
which also give the validation messages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.choices import Priority
from itsm.records import allowed_transitions
from service_levels.models import (
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

# The catalogue ------------------------------------------------------------------------------------------


class ComponentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceComponent
        fields = ["id", "name", "team"]
        read_only_fields = fields


class DependencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceDependency
        fields = ["id", "depends_on", "component", "kind", "description"]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    authorising_change = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=_(
            "Reference of the RFC that authorised this change (kept on the service and in its history)."
        ),
    )
    components = ComponentBriefSerializer(many=True, read_only=True)
    dependencies = DependencyBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "code",
            "name",
            "description",
            "kind",
            "status",
            "owner",
            "team",
            "service_hours",
            "hours_exceptions",
            "contact_interface",
            "security_arrangements",
            "authorising_change",
            "components",
            "dependencies",
        ]


class RetireSerializer(serializers.Serializer):
    authorising_change = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class ServiceComponentSerializer(serializers.ModelSerializer):
    authorising_change = serializers.CharField(
        max_length=40, required=False, allow_blank=True, write_only=True
    )

    class Meta:
        model = ServiceComponent
        fields = ["id", "service", "name", "description", "team", "authorising_change"]
        validators: list[Any] = []  # the service checks the name per service, with a sentence

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["service"].read_only = True  # a component does not move between services
        return fields


class ServiceDependencySerializer(serializers.ModelSerializer):
    authorising_change = serializers.CharField(
        max_length=40, required=False, allow_blank=True, write_only=True
    )

    class Meta:
        model = ServiceDependency
        fields = ["id", "service", "depends_on", "component", "kind", "description", "authorising_change"]
        validators: list[Any] = []  # the service explains duplicates, self-dependencies and cycles


class RemoveSerializer(serializers.Serializer):
    authorising_change = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


# Customers ----------------------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "job_title", "email", "phone", "user", "is_primary"]
        # One primary contact: a new primary takes over (the service demotes the previous one).
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["customer"].read_only = True
        return fields


class ContactBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "job_title", "email", "phone", "is_primary"]
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    contacts = ContactBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "description",
            "is_internal",
            "relationship_owner",
            "services",
            "complaint_definition",
            "is_active",
            "contacts",
        ]
        extra_kwargs = {"relationship_owner": {"required": False}, "services": {"required": False}}


# Business calendars -------------------------------------------------------------------------------------


class CalendarVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarVersion
        fields = [
            "id",
            "number",
            "valid_from",
            "time_zone",
            "always_open",
            "weekly_hours",
            "holiday_country",
            "holiday_subdivision",
            "closed_dates",
            "working_dates",
            "makeup_weekday",
            "note",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields


class CalendarRulesSerializer(serializers.Serializer):
    """The rules of a version, as stored: ``weekly_hours`` is seven lists (Monday first) of
    ``["HH:MM", "HH:MM"]``; dates are ``[{"date": "YYYY-MM-DD", "name": "…"}]`` (or plain dates)."""

    time_zone = serializers.CharField(max_length=64)
    always_open = serializers.BooleanField(required=False, default=False)
    weekly_hours = serializers.JSONField(required=False)
    holiday_country = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")
    holiday_subdivision = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    closed_dates = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    working_dates = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    makeup_weekday = serializers.IntegerField(required=False, default=0)


class CalendarReviseSerializer(CalendarRulesSerializer):
    note = serializers.CharField(max_length=300, help_text=_("What changed and why."))
    valid_from = serializers.DateTimeField(required=False, allow_null=True, help_text=_("Empty: from now."))


class BusinessCalendarSerializer(serializers.ModelSerializer):
    """A calendar; its rules are versions. ``rules`` (write only) gives version 1 on creation; later
    changes go through ``POST …/revise/``."""

    current_version = serializers.SerializerMethodField()
    rules = CalendarRulesSerializer(write_only=True, required=False)

    class Meta:
        model = BusinessCalendar
        fields = ["id", "code", "name", "description", "is_active", "current_version", "rules"]

    def get_current_version(self, calendar: BusinessCalendar) -> dict[str, Any] | None:
        versions = getattr(calendar, "loaded_versions", None)
        if versions is None:
            version = calendar.current_version
        else:
            from django.utils import timezone

            now = timezone.now()
            version = next((v for v in versions if v.valid_from <= now), None)
        return CalendarVersionSerializer(version).data if version is not None else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and "rules" not in attrs:
            raise serializers.ValidationError({"rules": [_("Give the rules of the first version.")]})
        return attrs


# Agreements ---------------------------------------------------------------------------------------------


class AgreementTargetSerializer(serializers.ModelSerializer):
    priority = serializers.ChoiceField(choices=Priority.choices)

    class Meta:
        model = AgreementTarget
        fields = ["priority", "respond_minutes", "resolve_minutes"]
        validators: list[Any] = []


class TargetsInputSerializer(serializers.Serializer):
    targets = AgreementTargetSerializer(many=True, allow_empty=True)


class AgreementSerializer(serializers.ModelSerializer):
    targets = AgreementTargetSerializer(many=True, read_only=True)
    gaps = serializers.SerializerMethodField(
        help_text=_("Priorities without a target (shown, never defaulted).")
    )
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "reference",
            "kind",
            "title",
            "customer",
            "team",
            "services",
            "calendar",
            "owner",
            "customer_signatory",
            "effective_from",
            "effective_to",
            "review_interval_months",
            "next_review",
            "workload",
            "exceptions",
            "availability_percent",
            "warn_percent",
            "critical_percent",
            "state",
            "agreed_by",
            "agreed_at",
            "supersedes",
            "targets",
            "gaps",
            "allowed_transitions",
            "created_at",
            "created_by",
            "updated_at",
        ]
        read_only_fields = [
            "reference",
            "state",
            "agreed_by",
            "agreed_at",
            "supersedes",
            "created_at",
            "created_by",
            "updated_at",
        ]
        extra_kwargs = {"services": {"required": False}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["kind"].read_only = True  # fixed at creation: it sets the reference
        return fields

    def get_gaps(self, agreement: Agreement) -> list[str]:
        return agreement.target_gaps()

    def get_allowed_transitions(self, agreement: Agreement) -> list[str]:
        request = self.context.get("request")
        return allowed_transitions(agreement, request.user) if request is not None else []

"""API serializers of baselines, CMDB audits and the CSV import."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from configuration.choices import AuditVerdict
from configuration.imports import ImportKind
from configuration.models import Baseline, BaselineItem, CIType, CMDBAudit, CMDBAuditItem
from itsm.records import allowed_transitions


class _Transitions(serializers.ModelSerializer):
    allowed_transitions = serializers.SerializerMethodField()

    def get_allowed_transitions(self, record: Any) -> list[str]:
        request = self.context.get("request")
        return allowed_transitions(record, request.user) if request is not None else []


class BaselineSerializer(_Transitions):
    """A baseline. ``scope_filter`` is ``{"mode": "cis", "cis": [ids]}`` or ``{"mode": "filter",
    "service": id|null, "ci_type": id|null, "live_only": bool}``; it is fixed once taken."""

    class Meta:
        model = Baseline
        fields = [
            "id",
            "reference",
            "name",
            "description",
            "scope",
            "scope_filter",
            "state",
            "taken_at",
            "taken_by",
            "superseded_by",
            "created_at",
            "created_by",
            "updated_at",
            "allowed_transitions",
        ]
        read_only_fields = [
            "reference",
            "state",
            "taken_at",
            "taken_by",
            "superseded_by",
            "created_at",
            "created_by",
            "updated_at",
        ]


class BaselineItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaselineItem
        fields = ["id", "ci", "ci_reference", "version", "snapshot"]


class CMDBAuditSerializer(_Transitions):
    """A CMDB audit; creating it draws its sample (every critical CI plus ``sample_percent`` % of the
    others, never CIs the auditor owns)."""

    class Meta:
        model = CMDBAudit
        fields = [
            "id",
            "reference",
            "title",
            "auditor",
            "period_start",
            "period_end",
            "planned_for",
            "scope",
            "sample_percent",
            "sample_minimum",
            "include_critical",
            "random_seed",
            "state",
            "started_at",
            "completed_at",
            "accuracy",
            "report",
            "created_at",
            "created_by",
            "allowed_transitions",
        ]
        read_only_fields = [
            "reference",
            "random_seed",
            "state",
            "started_at",
            "completed_at",
            "accuracy",
            "report",
            "created_at",
            "created_by",
        ]


class CMDBAuditItemSerializer(serializers.ModelSerializer):
    ci_reference = serializers.CharField(source="ci.reference", read_only=True)
    ci_name = serializers.CharField(source="ci.name", read_only=True)
    needs_second_auditor = serializers.SerializerMethodField()

    class Meta:
        model = CMDBAuditItem
        fields = [
            "id",
            "ci",
            "ci_reference",
            "ci_name",
            "sample_reason",
            "verdict",
            "note",
            "corrected",
            "rfc_reference",
            "verified_at",
            "verified_by",
            "needs_second_auditor",
        ]

    def get_needs_second_auditor(self, item: CMDBAuditItem) -> bool:
        """The audit's auditor owns this CI: someone else verifies it."""
        return item.ci.owner_id is not None and item.ci.owner_id == item.audit.auditor_id


class VerifyInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The id of the audit item.")
    verdict = serializers.ChoiceField(choices=[AuditVerdict.CORRECT.value, AuditVerdict.DISCREPANCY.value])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class CorrectInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The id of an audit item with a discrepancy.")
    changes = serializers.DictField(help_text="CI fields to change, as in PATCH /configuration-items/<id>/.")
    rfc_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class RaiseRfcInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The id of an audit item with a discrepancy.")
    rfc_reference = serializers.CharField(max_length=40)


class ImportInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.values)
    file = serializers.FileField()
    commit = serializers.BooleanField(default=False, help_text="False: only check (the default).")
    ci_type = serializers.PrimaryKeyRelatedField(
        queryset=CIType.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )


class ImportResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    committed = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.ListField(child=serializers.DictField())
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]
    file_error = serializers.CharField()

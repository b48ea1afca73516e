"""API serializers of configuration management."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from configuration.models import CIType, ConfigurationItem, Relationship, RelationshipType
from itsm.records import allowed_transitions


class RelationshipTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RelationshipType
        fields = [
            "id",
            "code",
            "name",
            "inverse_name",
            "description",
            "acyclic",
            "propagates_impact",
            "impact_direction",
            "is_active",
        ]


class CITypeSerializer(serializers.ModelSerializer):
    allowed_relationship_types = serializers.PrimaryKeyRelatedField(
        many=True, queryset=RelationshipType.objects.all(), required=False
    )

    class Meta:
        model = CIType
        fields = [
            "id",
            "code",
            "name",
            "description",
            "attribute_schema",
            "change_controlled",
            "allowed_relationship_types",
            "naming_rule",
            "naming_rule_help",
            "owner",
            "icon",
            "color",
            "is_active",
        ]


class ConfigurationItemSerializer(serializers.ModelSerializer):
    """A CI. ``rfc_reference`` is the RFC behind this write (required to change a live CI of a
    controlled type) and reads back as the latest one."""

    ci_type_code = serializers.CharField(source="ci_type.code", read_only=True)

    class Meta:
        model = ConfigurationItem
        fields = [
            "id",
            "reference",
            "name",
            "ci_type",
            "ci_type_code",
            "description",
            "state",
            "version",
            "importance",
            "location",
            "owner",
            "team",
            "asset_tag",
            "supplier_reference",
            "contract_reference",
            "attributes",
            "licence_model",
            "licence_quantity",
            "licence_expires_on",
            "licence_notes",
            "rfc_reference",
            "disposal_note",
            "last_verified_at",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = [
            "reference",
            "state",
            "disposal_note",
            "last_verified_at",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
        ]


class ConfigurationItemDetailSerializer(ConfigurationItemSerializer):
    """One CI, with the transitions the caller may run now (not in lists: guards may query)."""

    allowed_transitions = serializers.SerializerMethodField()

    class Meta(ConfigurationItemSerializer.Meta):
        fields = [*ConfigurationItemSerializer.Meta.fields, "allowed_transitions"]

    def get_allowed_transitions(self, ci: ConfigurationItem) -> list[str]:
        request = self.context.get("request")
        return allowed_transitions(ci, request.user) if request is not None else []


class CITransitionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    rfc_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class RelationshipSerializer(serializers.ModelSerializer):
    """A link from a CI to a CI, a service or a service component (exactly one target)."""

    relationship_name = serializers.CharField(source="relationship_type.name", read_only=True)
    source_reference = serializers.CharField(source="source.reference", read_only=True)
    target_label = serializers.CharField(source="target_display", read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Relationship
        fields = [
            "id",
            "source",
            "source_reference",
            "relationship_type",
            "relationship_name",
            "target",
            "target_service",
            "target_component",
            "target_label",
            "description",
            "rfc_reference",
            "reason",
            "created_at",
            "created_by",
        ]
        read_only_fields = ["created_at", "created_by"]
        # Uniqueness and the one-target rule are checked by the service, with the other rules.
        validators: list[Any] = []


class RelationshipRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    rfc_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class ImpactSerializer(serializers.Serializer):
    """The impact of a CI: ``nodes`` with kind (ci, component, service, customer), depth, label,
    ``via`` (the links one hop closer) and ``path`` (one shortest path from the CI)."""

    root = serializers.DictField()  # type: ignore[assignment]
    max_depth = serializers.IntegerField()
    truncated = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    nodes = serializers.ListField(child=serializers.DictField())

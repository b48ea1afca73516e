"""API serializers of audits and improvement."""

from rest_framework import serializers

from audits.models import Objective


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = [
            "id",
            "code",
            "name",
            "description",
            "comparison",
            "target",
            "unit",
            "measure_key",
            "method",
            "actions",
            "owner",
            "department",
            "review_interval_months",
            "next_review",
            "status",
        ]

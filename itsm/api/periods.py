"""The ``from``/``to`` query parameters of the report endpoints."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

# ``from`` is a Python keyword: the query string says from/to, the code says date_from/date_to.
_TO_CODE = {"from": "date_from", "to": "date_to"}
_TO_QUERY = {code: query for query, code in _TO_CODE.items()}


class PeriodParametersSerializer(serializers.Serializer):
    """``from`` and ``to``: ISO dates, both inclusive, both optional; errors are named as the caller
    wrote them. A subclass adds its filters and sets the longest period it reports on."""

    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    max_days: int = 366
    too_long_message: Any = ""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        mapped = {key: value for key, value in data.items() if key not in _TO_CODE}
        mapped.update({code: data[query] for query, code in _TO_CODE.items() if query in data})
        try:
            return super().to_internal_value(mapped)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            raise serializers.ValidationError({_TO_QUERY.get(k, k): v for k, v in detail.items()}) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError({"to": [_("The period cannot end before it starts.")]})
        if start and end and (end - start).days + 1 > self.max_days:
            raise serializers.ValidationError({"to": [str(self.too_long_message)]})
        return attrs

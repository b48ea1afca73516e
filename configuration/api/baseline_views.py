"""API of baselines (``/api/v1/baselines/``), a CI as of a past date (``/api/v1/ci-history/<id>/``),
CMDB audits (``/api/v1/cmdb-audits/``) and the CSV import (``/api/v1/ci-imports/``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from configuration import audit_selectors, audit_services, baseline_selectors, baseline_services, selectors
from configuration.baseline_filters import BaselineFilter, CMDBAuditFilter
from configuration.choices import BaselineState
from configuration.imports import IMPORT_MAX_BYTES, import_csv
from configuration.models import Baseline, CMDBAudit, ConfigurationItem
from itsm.api.viewsets import PolicyScopedMixin, RecordViewSet
from itsm.policy import policy
from itsm.ui.views import acting_user

from .baseline_serializers import (
    BaselineItemSerializer,
    BaselineSerializer,
    CMDBAuditItemSerializer,
    CMDBAuditSerializer,
    CorrectInputSerializer,
    ImportInputSerializer,
    ImportResultSerializer,
    RaiseRfcInputSerializer,
    VerifyInputSerializer,
)
from .serializers import ConfigurationItemSerializer


class BaselineViewSet(RecordViewSet):
    """Baselines: create and edit drafts, ``POST …/<id>/take/``, ``GET …/<id>/items/`` (the frozen
    snapshots) and ``GET …/<id>/compare/?with=<id>|live``."""

    policy_target = Baseline
    queryset = baseline_selectors.baseline_list()
    serializer_class = BaselineSerializer
    filterset_class = BaselineFilter
    ordering = "-id"
    transition_services = baseline_services.BASELINE_TRANSITIONS
    record_argument = "baseline"
    policy_actions = {"items": "view", "compare": "view"}

    def create_service(self, data: dict[str, Any]) -> Baseline:
        return baseline_services.baseline_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: Baseline, data: dict[str, Any]) -> Baseline:
        return baseline_services.baseline_update(
            baseline=instance, actor=acting_user(self.request), data=data
        )

    @extend_schema(responses={200: BaselineItemSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def items(self, request: Any, pk: Any = None) -> Response:
        """The CIs frozen in the baseline, with their snapshots (cursor-paginated by id)."""
        baseline = self.get_object()
        queryset = baseline.items.order_by("id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(BaselineItemSerializer(page, many=True).data)

    @extend_schema(
        responses={200: dict},
        parameters=[
            OpenApiParameter("with", str, description="Another baseline's id, or live (the default).")
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def compare(self, request: Any, pk: Any = None) -> Response:
        """What was added, removed and changed (field by field, attribute by attribute, relationships)
        between this baseline and another one, or the live CMDB."""
        baseline = self.get_object()
        if baseline.state == BaselineState.DRAFT:
            raise ValidationError({"with": _("A draft has no snapshot yet: take it first.")})
        other_id = request.query_params.get("with", "live")
        if other_id == "live":
            return Response(baseline_selectors.compare_with_live(baseline).as_dict())
        try:
            other_pk = int(other_id)
        except ValueError:
            raise ValidationError({"with": _("Give another baseline's id, or live.")}) from None
        visible = self.get_queryset().exclude(state=BaselineState.DRAFT)
        other = get_object_or_404(visible, pk=other_pk)
        return Response(baseline_selectors.compare_baselines(baseline, other).as_dict())


class CIHistoryViewSet(PolicyScopedMixin, viewsets.GenericViewSet):
    """``GET /api/v1/ci-history/<id>/?date=YYYY-MM-DD`` (the end of that day) or an ISO date-time: the
    CI as it was then, with its attributes and relationships both ways."""

    policy_target = ConfigurationItem
    queryset = selectors.ci_detail()
    serializer_class = serializers.Serializer
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(
        responses={200: dict},
        parameters=[OpenApiParameter("date", str, required=True, description="YYYY-MM-DD or ISO date-time")],
    )
    def retrieve(self, request: Any, pk: Any = None) -> Response:
        ci = self.get_object()
        at = baseline_selectors.parse_as_of(request.query_params.get("date"))
        if at is None:
            raise ValidationError({"date": _("Give a date as YYYY-MM-DD or an ISO date-time.")})
        then = baseline_selectors.ci_as_of(ci, at)
        if then is None:
            raise ValidationError({"date": _("The CI did not exist yet at that time.")})
        return Response(then.as_dict())


class CMDBAuditViewSet(RecordViewSet):
    """CMDB audits: plan one (its sample is drawn), ``POST …/<id>/start/``, ``…/verify/`` per item,
    ``…/correct/`` and ``…/raise-rfc/`` for discrepancies, ``…/complete/``; ``GET …/<id>/items/``
    and ``…/report/``."""

    policy_target = CMDBAudit
    queryset = audit_selectors.cmdbaudit_list()
    serializer_class = CMDBAuditSerializer
    filterset_class = CMDBAuditFilter
    ordering = "-id"
    transition_services = audit_services.CMDBAUDIT_TRANSITIONS
    record_argument = "audit"
    # Item actions are decided per item by the services (the item's own policy rules).
    policy_actions = {
        "items": "view",
        "report": "view",
        "verify": "view",
        "correct": "view",
        "raise_rfc": "view",
    }

    def create_service(self, data: dict[str, Any]) -> CMDBAudit:
        return audit_services.cmdbaudit_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: CMDBAudit, data: dict[str, Any]) -> CMDBAudit:
        return audit_services.cmdbaudit_update(audit=instance, actor=acting_user(self.request), data=data)

    def _item(self, audit: CMDBAudit, pk: int) -> Any:
        items = policy.scope(self.request.user, "view", audit_selectors.cmdbaudit_items(audit))
        item = get_object_or_404(items, pk=pk)
        item.audit = audit
        return item

    def _items_response(self, audit: CMDBAudit, items: Any) -> Response:
        rows = list(items)
        for row in rows:
            row.audit = audit
        return Response(CMDBAuditItemSerializer(rows, many=True).data)

    @extend_schema(responses={200: CMDBAuditItemSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def items(self, request: Any, pk: Any = None) -> Response:
        """The sample: critical CIs first, each with its verdict."""
        audit = self.get_object()
        return self._items_response(audit, audit_selectors.cmdbaudit_items(audit))

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def report(self, request: Any, pk: Any = None) -> Response:
        """Counts by verdict, the accuracy rate (correct ÷ verified) and the discrepancies."""
        audit = self.get_object()
        counts = audit_services.verdict_counts(audit)
        verified = counts["correct"] + counts["discrepancy"]
        accuracy = (
            audit.accuracy
            if audit.accuracy is not None
            else audit_services.accuracy_of(counts["correct"], verified)
        )
        discrepancies = self._items_response(audit, audit_selectors.discrepancies(audit)).data
        return Response(
            {
                "counts": counts,
                "verified": verified,
                "accuracy": str(accuracy) if accuracy is not None else None,
                "report": audit.report,
                "discrepancies": discrepancies,
            }
        )

    @extend_schema(request=VerifyInputSerializer, responses={200: CMDBAuditItemSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request: Any, pk: Any = None) -> Response:
        """The verdict on one sampled CI: ``correct`` or ``discrepancy`` (with a ``note``). Only the
        audit's auditor or a second auditor, while the audit is in progress, never the CI's owner."""
        audit = self.get_object()
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = self._item(audit, data.validated_data["item"])
        audit_services.cmdbaudit_item_verify(
            item=item,
            actor=acting_user(request),
            verdict=data.validated_data["verdict"],
            note=data.validated_data["note"],
        )
        return Response(CMDBAuditItemSerializer(item).data)

    @extend_schema(request=CorrectInputSerializer, responses={200: CMDBAuditItemSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request: Any, pk: Any = None) -> Response:
        """Correct the CI of a discrepancy (``changes`` as for a CI update; history reason "cmdb audit
        correction")."""
        audit = self.get_object()
        data = CorrectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = self._item(audit, data.validated_data["item"])
        if not policy.allows(request.user, "resolve", item):
            raise PermissionDenied
        changes = ConfigurationItemSerializer(item.ci, data=data.validated_data["changes"], partial=True)
        changes.is_valid(raise_exception=True)
        values = dict(changes.validated_data)
        rfc = values.pop("rfc_reference", "") or data.validated_data["rfc_reference"]
        values.pop("ci_type", None)
        audit_services.cmdbaudit_item_correct(
            item=item, actor=acting_user(request), data=values, rfc_reference=rfc
        )
        return Response(CMDBAuditItemSerializer(item).data)

    @extend_schema(request=RaiseRfcInputSerializer, responses={200: CMDBAuditItemSerializer})
    @action(detail=True, methods=["post"], url_path="raise-rfc", url_name="raise-rfc")
    def raise_rfc(self, request: Any, pk: Any = None) -> Response:
        """Record the RFC raised for a discrepancy."""
        audit = self.get_object()
        data = RaiseRfcInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = self._item(audit, data.validated_data["item"])
        audit_services.cmdbaudit_item_raise_rfc(
            item=item, actor=acting_user(request), rfc_reference=data.validated_data["rfc_reference"]
        )
        return Response(CMDBAuditItemSerializer(item).data)


class CIImportViewSet(viewsets.ViewSet):
    """``POST /api/v1/ci-imports/`` (multipart: ``kind`` cis|relationships, ``file``, ``commit``,
    optional ``ci_type``): checks the CSV file, and with ``commit=true`` imports it all or nothing.

    A check answers 200 with the rows it would create and every row error. A file that cannot be read
    answers 400 with ``fields.file``; a commit with row errors imports nothing and answers 400 with
    ``fields.rows`` (``{"<row>": {"<column>": ["…"]}}``)."""

    policy_target = "configuration_import"
    policy_action = "view"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer}, responses={200: ImportResultSerializer}
    )
    def create(self, request: Any) -> Response:
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = import_csv(
            actor=acting_user(request),
            kind=data.validated_data["kind"],
            content=upload.read(IMPORT_MAX_BYTES + 1),
            commit=data.validated_data["commit"],
            default_type=data.validated_data["ci_type"],
        )
        if result.file_error:
            raise ValidationError({"file": [result.file_error]})
        if data.validated_data["commit"] and result.errors:
            rows: dict[str, dict[str, list[str]]] = {}
            for error in result.errors:
                rows.setdefault(str(error.row), {}).setdefault(error.column or "row", []).append(
                    error.message
                )
            raise exceptions.ValidationError({"rows": rows})
        return Response(result.as_dict())

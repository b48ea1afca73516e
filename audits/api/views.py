"""API views of audits and improvement."""

from __future__ import annotations

from typing import Any

from audits import selectors, services
from audits.filters import DocumentFilter, ObjectiveFilter
from audits.models import Document, Objective
from itsm.api.viewsets import RecordViewSet, ServiceWriteViewSet
from itsm.ui.views import acting_user

from .serializers import DocumentSerializer, ObjectiveSerializer


class ObjectiveViewSet(ServiceWriteViewSet):
    policy_target = Objective
    queryset = selectors.objective_list()
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    ordering = "code"

    def create_service(self, data: dict[str, Any]) -> Objective:
        return services.objective_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: Objective, data: dict[str, Any]) -> Objective:
        return services.objective_update(objective=instance, actor=acting_user(self.request), data=data)


class DocumentViewSet(RecordViewSet):
    policy_target = Document
    queryset = selectors.document_list()
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    ordering = "-reference"
    transition_services = services.DOCUMENT_TRANSITIONS
    record_argument = "document"

    def create_service(self, data: dict[str, Any]) -> Document:
        return services.document_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: Document, data: dict[str, Any]) -> Document:
        return services.document_update(document=instance, actor=acting_user(self.request), data=data)

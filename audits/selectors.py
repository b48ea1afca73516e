"""Reads of audits and improvement: joins and policy scoping live here."""

from __future__ import annotations

from django.db.models import QuerySet

from .choices import ObjectiveStatus
from .models import Document, Objective


def objective_list() -> QuerySet[Objective]:
    return Objective.objects.select_related("owner", "department")


def active_objectives() -> QuerySet[Objective]:
    return objective_list().filter(status=ObjectiveStatus.ACTIVE).order_by("code")


def document_list() -> QuerySet[Document]:
    return Document.objects.select_related("owner", "approved_by")

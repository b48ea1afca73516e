"""Reads of audits and improvement: joins and policy scoping live here."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from itsm.models import User

from .choices import ObjectiveStatus
from .models import Document, Objective


def objective_list() -> QuerySet[Objective]:
    return Objective.objects.select_related("owner", "department")


def active_objectives() -> QuerySet[Objective]:
    return objective_list().filter(status=ObjectiveStatus.ACTIVE).order_by("code")


def document_list() -> QuerySet[Document]:
    return Document.objects.select_related("owner", "approved_by")


def document_approvers() -> QuerySet[User]:
    """Active people who may review and approve controlled documents."""
    granted = Q(
        groups__permissions__codename="approve_document",
        groups__permissions__content_type__app_label="audits",
    )
    direct = Q(
        user_permissions__codename="approve_document", user_permissions__content_type__app_label="audits"
    )
    return User.objects.filter(
        granted | direct | Q(is_superuser=True), is_active=True, is_system=False
    ).distinct()

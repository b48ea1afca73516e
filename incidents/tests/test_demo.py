"""The incident demo: realistic, through the services, idempotent."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from incidents.models import Category, Incident, MajorIncidentCriteria
from itsm.demo import seed_demo
from service_levels.models import Clock

pytestmark = pytest.mark.django_db


def test_demo_incidents_with_clocks_and_a_second_run_adds_nothing(demo: dict[str, Any]) -> None:
    assert Category.objects.filter(is_security=True).exists()
    assert MajorIncidentCriteria.objects.filter(customer__isnull=True, is_active=True).count() == 1
    incidents = Incident.objects.count()
    assert incidents >= 10
    assert Incident.objects.exclude(state="new").exists()
    assert Clock.objects.exists()
    before = Incident.objects.order_by("pk").last().pk
    seed_demo(today=datetime.date(2026, 11, 21), compact=True)
    assert Incident.objects.count() == incidents
    assert Incident.objects.order_by("pk").last().pk == before

"""A token caller gets their own time zone and language, as a signed-in user does on the pages."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from itsm.choices import Role

EAST, WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"  # UTC+14 and UTC-11: never the same date


def _token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _local_dates(zone: str) -> set[str]:
    now = datetime.datetime.now(tz=zoneinfo.ZoneInfo(zone))
    return {now.date().isoformat(), (now + datetime.timedelta(seconds=5)).date().isoformat()}


def test_report_days_are_the_token_callers_days(make_user: Any) -> None:
    east = _token_client(make_user(Role.INCIDENT_MANAGER, time_zone=EAST))
    west = _token_client(make_user(Role.INCIDENT_MANAGER, time_zone=WEST))
    east_to = east.get("/api/v1/incident-reports/summary/").json()["period"]["to"]
    west_to = west.get("/api/v1/incident-reports/summary/").json()["period"]["to"]
    assert east_to in _local_dates(EAST)
    assert west_to in _local_dates(WEST)
    assert east_to > west_to
    # Nothing of the caller's zone stays on the thread for the next request.
    assert timezone.get_current_timezone_name() == timezone.get_default_timezone_name()


def test_errors_speak_the_token_callers_language(make_user: Any) -> None:
    client = _token_client(make_user(Role.SERVICE_LEVEL_MANAGER, language="zh-hans"))
    response = client.get("/api/v1/sla-reports/attainment/", {"from": "2026-11-05", "to": "2026-11-01"})
    assert response.status_code == 400
    assert response.json()["fields"]["to"] == ["期间的结束不能早于开始。"]
    assert translation.get_language() != "zh-hans"
    english = _token_client(make_user(Role.SERVICE_LEVEL_MANAGER))
    response = english.get("/api/v1/sla-reports/attainment/", {"from": "2026-11-05", "to": "2026-11-01"})
    assert response.json()["fields"]["to"] == ["The period cannot end before it starts."]

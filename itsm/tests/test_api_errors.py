"""One JSON error shape for 400/401/403/404/409/413/415/429/500."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.test import override_settings
from django_fsm import ConcurrentTransition
from rest_framework.authtoken.models import Token

from itsm.choices import Role
from itsm.models import Team

SHAPE = {"status", "code", "message", "fields"}


def body(response: Any) -> dict[str, Any]:
    data = json.loads(response.content)
    assert set(data) == SHAPE
    assert data["status"] == response.status_code
    return data


@pytest.fixture
def admin_api(api_client: Any, make_user: Any) -> Any:
    user = make_user(Role.ADMINISTRATOR)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api_client


def test_400_names_each_invalid_field_and_creates_nothing(admin_api: Any) -> None:
    response = admin_api.post("/api/v1/teams/", {"name": "", "code": "not a slug!"}, format="json")
    data = body(response)
    assert response.status_code == 400
    assert data["code"] == "validation_error"
    assert set(data["fields"]) == {"name", "code"}
    assert Team.objects.count() == 0


def test_401_without_credentials(api_client: Any, db: Any) -> None:
    response = api_client.get("/api/v1/teams/")
    assert body(response)["code"] == "not_authenticated"
    assert response.status_code == 401


def test_401_with_a_wrong_token(api_client: Any, db: Any) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get("/api/v1/teams/")
    assert response.status_code == 401
    assert body(response)["code"] == "authentication_failed"


def test_403_without_permission_changes_nothing(api_client: Any, make_user: Any) -> None:
    agent = make_user(Role.SERVICE_DESK_AGENT)
    api_client.force_authenticate(agent)
    response = api_client.post("/api/v1/teams/", {"name": "Night shift", "code": "night"}, format="json")
    assert response.status_code == 403
    assert body(response)["code"] == "permission_denied"
    assert not Team.objects.exists()


def test_404_for_a_missing_object_and_an_unknown_path(admin_api: Any) -> None:
    assert body(admin_api.get("/api/v1/teams/999999/"))["code"] == "not_found"
    response = admin_api.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert body(response)["code"] == "not_found"


def test_405_for_a_method_the_resource_does_not_have(admin_api: Any) -> None:
    response = admin_api.delete("/api/v1/users/1/")
    assert response.status_code in (404, 405)
    body(response)


def test_409_when_the_record_changed_meanwhile(admin_api: Any) -> None:
    team = Team.objects.create(name="Ops", code="ops")
    with mock.patch("itsm.services.team_update", side_effect=ConcurrentTransition("changed")):
        response = admin_api.patch(f"/api/v1/teams/{team.pk}/", {"name": "Operations"}, format="json")
    assert response.status_code == 409
    assert body(response)["code"] == "conflict"


@override_settings(ITSM_MAX_REQUEST_BYTES=100)
def test_413_for_a_body_over_the_limit(admin_api: Any) -> None:
    response = admin_api.post("/api/v1/teams/", {"name": "x" * 500, "code": "big"}, format="json")
    assert response.status_code == 413
    assert body(response)["code"] == "request_too_large"
    assert not Team.objects.exists()


def test_415_for_an_unsupported_content_type(admin_api: Any) -> None:
    response = admin_api.post("/api/v1/teams/", "<team/>", content_type="application/xml")
    assert response.status_code == 415
    assert body(response)["code"] == "unsupported_media_type"


def test_400_for_malformed_json(admin_api: Any) -> None:
    response = admin_api.post("/api/v1/teams/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert body(response)["code"] == "parse_error"


def test_429_with_retry_after(api_client: Any, make_user: Any) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    api_client.force_authenticate(make_user(Role.SERVICE_DESK_AGENT))
    with mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "2/min"}):
        statuses = [api_client.get("/api/v1/teams/").status_code for _ in range(3)]
        response = api_client.get("/api/v1/teams/")
    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert body(response)["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1


def test_500_is_json_on_the_api(admin_api: Any) -> None:
    admin_api.raise_request_exception = False
    with mock.patch("itsm.api.views.TeamViewSet.list", side_effect=RuntimeError("boom")):
        response = admin_api.get("/api/v1/teams/")
    assert response.status_code == 500
    data = body(response)
    assert data["code"] == "server_error"
    assert "boom" not in data["message"]

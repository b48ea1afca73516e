"""Test helpers every app's tests share: the permission matrix checks for pages and endpoints.

Each app keeps its own matrix (``<app>/tests/test_permission_matrix.py``) as a list of
``(url, denied, allowed)`` rows, where ``denied`` is a demo username that must get 403/404 (or ``None``
when every signed-in user may) and ``allowed`` one that must get 200; anonymous users are always
checked too (redirect to sign-in for pages, 401 for endpoints).
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.authtoken.models import Token


def check_page(client: Any, demo: dict[str, Any], url: str, denied: str | None, allowed: str) -> None:
    response = client.get(url)
    assert response.status_code == 302, f"anonymous {url}: {response.status_code}"
    assert response["Location"].startswith("/login/?next=")

    if denied is not None:
        client.force_login(demo[denied])
        response = client.get(url)
        assert response.status_code in (403, 404), f"{denied} {url}: {response.status_code}"
        assert b"Access denied" in response.content or response.status_code == 404

    client.force_login(demo[allowed])
    response = client.get(url)
    assert response.status_code == 200, f"{allowed} {url}: {response.status_code}"


def check_endpoint(api_client: Any, demo: dict[str, Any], url: str, denied: str | None, allowed: str) -> None:
    response = api_client.get(url)
    assert response.status_code == 401, f"anonymous {url}: {response.status_code}"
    assert json.loads(response.content)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"

    if denied is not None:
        api_client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=demo[denied])[0].key}"
        )
        response = api_client.get(url)
        assert response.status_code in (403, 404), f"{denied} {url}: {response.status_code}"
        assert json.loads(response.content)["code"] in ("permission_denied", "not_found")

    api_client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=demo[allowed])[0].key}"
    )
    response = api_client.get(url)
    assert response.status_code == 200, f"{allowed} {url}: {response.status_code}"

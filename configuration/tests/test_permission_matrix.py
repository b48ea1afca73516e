"""Every page and endpoint of configuration management for anonymous, unpermitted and permitted users.

Configuration managers write; everyone with the configuration area (agents, resolvers, managers of
other processes) and auditors read; requesters see nothing. Rows are ``(url, user who is denied or
None, user who is allowed)`` with ``{placeholders}`` filled from the demo CMDB by ``fill``; helpers
adding pages append rows here (and placeholders to ``fill``). Writes are checked below the matrix:
a refused write changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from configuration.choices import CIState
from configuration.models import CIType, ConfigurationItem, Relationship, RelationshipType
from itsm.testing import check_endpoint, check_page

PAGES = [
    ("/configuration/cis/", "requester", "agent"),
    ("/configuration/cis/?state=live&importance=critical&attribute=role%3Dcore", "requester", "resolver"),
    ("/configuration/cis/?format=csv", "requester", "auditor"),
    ("/configuration/cis/new/", "agent", "config.manager"),
    ("/configuration/cis/new/?type={ci_type}", "auditor", "config.manager"),
    ("/configuration/cis/{ci}/", "requester", "agent"),
    ("/configuration/cis/{ci}/?tab=relationships", "requester", "resolver"),
    ("/configuration/cis/{ci}/?tab=impact", "requester", "change.manager"),
    ("/configuration/cis/{ci}/?tab=related", "requester", "agent"),
    ("/configuration/cis/{ci}/?tab=timeline", "requester", "auditor"),
    ("/configuration/cis/{ci}/?tab=notes", "requester", "agent"),
    ("/configuration/cis/{ci}/?tab=attachments", "requester", "agent"),
    ("/configuration/cis/{ci}/impact/", "requester", "cab"),
    ("/configuration/cis/{ci}/edit/", "agent", "config.manager"),
    ("/configuration/cis/{ci}/relationships/new/", "change.manager", "config.manager"),
    ("/configuration/relationships/{relationship}/remove/", "auditor", "config.manager"),
    ("/configuration/ci-types/", "requester", "agent"),
    ("/configuration/ci-types/{ci_type}/", "requester", "auditor"),
    ("/configuration/ci-types/new/", "agent", "config.manager"),
    ("/configuration/ci-types/{ci_type}/edit/", "auditor", "config.manager"),
    ("/configuration/relationship-types/", "requester", "resolver"),
    ("/configuration/relationship-types/{relationship_type}/", "requester", "agent"),
    ("/configuration/relationship-types/new/", "agent", "config.manager"),
    ("/configuration/relationship-types/{relationship_type}/edit/", "auditor", "config.manager"),
]

ENDPOINTS = [
    ("/api/v1/configuration-items/", "requester", "agent"),
    ("/api/v1/configuration-items/?state=live&ci_type={ci_type}", "requester", "auditor"),
    ("/api/v1/configuration-items/{ci}/", "requester", "agent"),
    ("/api/v1/configuration-items/{ci}/impact/", "requester", "change.manager"),
    ("/api/v1/configuration-items/{ci}/relationships/", "requester", "resolver"),
    ("/api/v1/configuration-items/{ci}/timeline/", "requester", "auditor"),
    ("/api/v1/configuration-items/{ci}/notes/", "requester", "agent"),
    ("/api/v1/configuration-items/{ci}/attachments/", "requester", "agent"),
    ("/api/v1/ci-types/", "requester", "agent"),
    ("/api/v1/ci-types/{ci_type}/", "requester", "auditor"),
    ("/api/v1/ci-relationship-types/", "requester", "agent"),
    ("/api/v1/ci-relationship-types/{relationship_type}/", "requester", "agent"),
    ("/api/v1/ci-relationships/", "requester", "agent"),
    ("/api/v1/ci-relationships/?ci={ci}", "requester", "auditor"),
    ("/api/v1/ci-relationships/{relationship}/", "requester", "agent"),
]


def fill(url: str, demo: dict[str, Any]) -> str:
    values = {
        "ci": lambda: ConfigurationItem.objects.get(name="sw-core-01").pk,
        "ci_type": lambda: CIType.objects.get(code="server").pk,
        "relationship_type": lambda: RelationshipType.objects.get(code="runs-on").pk,
        "relationship": lambda: Relationship.objects.filter(source__name="vm-dev-01").first().pk,
    }
    return url.format(**{name: value() for name, value in values.items() if f"{{{name}}}" in url})


@pytest.mark.parametrize(("url", "denied", "allowed"), PAGES)
def test_page_permissions(
    client: Client, demo: dict[str, Any], url: str, denied: str | None, allowed: str
) -> None:
    check_page(client, demo, fill(url, demo), denied, allowed)


@pytest.mark.parametrize(("url", "denied", "allowed"), ENDPOINTS)
def test_endpoint_permissions(
    api_client: Any, demo: dict[str, Any], url: str, denied: str | None, allowed: str
) -> None:
    check_endpoint(api_client, demo, fill(url, demo), denied, allowed)


def _token(api_client: Any, user: Any) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")


def test_page_writes_are_refused_to_readers_and_change_nothing(client: Client, demo: dict[str, Any]) -> None:
    ci = ConfigurationItem.objects.get(name="vm-shop-web-07")  # planned
    link = Relationship.objects.filter(source__name="vm-dev-01").first()
    posts = [
        (f"/configuration/cis/{ci.pk}/start_build/", {"note": "x"}),
        (f"/configuration/cis/{ci.pk}/edit/", {"name": "vm-hacked"}),
        (f"/configuration/cis/{ci.pk}/relationships/new/", {"relationship_type": 1, "reason": "x"}),
        (f"/configuration/relationships/{link.pk}/remove/", {"reason": "x"}),
        ("/configuration/ci-types/new/", {"code": "x", "name": "X", "description": "x"}),
    ]
    links = Relationship.objects.count()
    for url, data in posts:
        assert client.post(url, data).status_code == 302  # anonymous: to the sign-in page
        client.force_login(demo["agent"])
        assert client.post(url, data).status_code == 403, url
        client.logout()
    ci.refresh_from_db()
    assert (ci.state, ci.name) == (CIState.PLANNED, "vm-shop-web-07")
    assert Relationship.objects.count() == links
    assert not CIType.objects.filter(code="x").exists()
    client.force_login(demo["requester"])
    assert client.post(f"/configuration/cis/{ci.pk}/start_build/", {"note": "x"}).status_code == 403


def test_api_writes_are_refused_to_readers_and_change_nothing(api_client: Any, demo: dict[str, Any]) -> None:
    ci = ConfigurationItem.objects.get(name="vm-shop-web-07")
    link = Relationship.objects.filter(source__name="vm-dev-01").first()
    server = CIType.objects.get(code="server")
    writes = [
        ("post", "/api/v1/configuration-items/", {"ci_type": server.pk, "name": "srv-x-01"}),
        ("patch", f"/api/v1/configuration-items/{ci.pk}/", {"location": "x"}),
        ("post", f"/api/v1/configuration-items/{ci.pk}/start_build/", {"note": "x"}),
        (
            "post",
            "/api/v1/ci-relationships/",
            {"source": ci.pk, "relationship_type": 1, "target": link.target_id},
        ),
        ("delete", f"/api/v1/ci-relationships/{link.pk}/", {"reason": "x"}),
        ("patch", f"/api/v1/ci-types/{server.pk}/", {"name": "Tin box"}),
        ("post", "/api/v1/ci-relationship-types/", {"code": "x", "name": "x", "inverse_name": "y"}),
    ]
    for method, url, data in writes:
        api_client.credentials()
        assert getattr(api_client, method)(url, data, format="json").status_code == 401
        _token(api_client, demo["agent"])
        response = getattr(api_client, method)(url, data, format="json")
        assert response.status_code in (403, 404), (url, response.status_code)
    ci.refresh_from_db()
    assert (ci.state, ci.location) == (CIState.PLANNED, "")
    assert Relationship.objects.filter(pk=link.pk).exists()
    assert CIType.objects.get(pk=server.pk).name == "Physical server"
    _token(api_client, demo["config.manager"])
    response = api_client.post(f"/api/v1/configuration-items/{ci.pk}/start_build/", {"note": "ordered"})
    assert response.status_code == 200
    assert response.json()["state"] == "in_build"

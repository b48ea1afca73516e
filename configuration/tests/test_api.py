"""The CMDB over the API: CIs through the services, lifecycle actions with the RFC, impact,
relationships both ways, the error shape, and list queries that do not grow with rows."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from configuration import services
from configuration.choices import CIState
from configuration.models import ConfigurationItem, Relationship

from .factories import CITypeFactory, make_ci


@pytest.fixture
def api(api_client: Any, cfg: Any) -> Any:
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=cfg)[0].key}")
    return api_client


@pytest.fixture
def db_type(rel: dict[str, Any]) -> Any:
    return CITypeFactory(
        code="database",
        name="Database",
        change_controlled=True,
        attribute_schema=[{"key": "engine", "label": "Engine", "type": "choice", "choices": ["PostgreSQL"]}],
        relationship_types=list(rel.values()),
    )


def test_create_validates_attributes_per_field_and_answers_the_error_shape(api: Any, db_type: Any) -> None:
    response = api.post(
        "/api/v1/configuration-items/",
        {"ci_type": db_type.pk, "name": "db-1", "attributes": {"engine": "Oracle", "size": 3}},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert "Engine: Choose one of PostgreSQL." in body["fields"]["attributes"]
    response = api.post(
        "/api/v1/configuration-items/",
        {"ci_type": db_type.pk, "name": "db-1", "attributes": {"engine": "PostgreSQL"}},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["reference"].startswith("CI-")
    assert response.json()["state"] == "planned"


def test_lifecycle_actions_and_the_rfc_of_controlled_cis(api: Any, cfg: Any, db_type: Any) -> None:
    ci = make_ci(cfg, db_type, "db-1", state=CIState.IN_TEST)
    response = api.post(f"/api/v1/configuration-items/{ci.pk}/go_live/", {"note": "tested"}, format="json")
    assert response.status_code == 400
    assert "rfc_reference" in response.json()["fields"]
    response = api.post(
        f"/api/v1/configuration-items/{ci.pk}/go_live/", {"rfc_reference": "RFC-000005"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "live"
    assert "start_maintenance" in response.json()["allowed_transitions"]
    response = api.patch(f"/api/v1/configuration-items/{ci.pk}/", {"version": "16"}, format="json")
    assert response.status_code == 400
    response = api.patch(
        f"/api/v1/configuration-items/{ci.pk}/",
        {"version": "16", "rfc_reference": "RFC-000006"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["rfc_reference"] == "RFC-000006"
    response = api.post(f"/api/v1/configuration-items/{ci.pk}/start_build/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_relationships_impact_and_removal(api: Any, cfg: Any, db_type: Any, rel: dict[str, Any]) -> None:
    a, b = make_ci(cfg, db_type, "db-a"), make_ci(cfg, db_type, "db-b")
    response = api.post(
        "/api/v1/ci-relationships/",
        {"source": a.pk, "relationship_type": rel["runs_on"].pk, "target": b.pk, "reason": "replica"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    link = response.json()
    assert link["target_label"] == str(b)
    response = api.post(
        "/api/v1/ci-relationships/",
        {"source": b.pk, "relationship_type": rel["runs_on"].pk, "target": a.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "close a loop" in response.json()["fields"]["target"][0]
    both = api.get(f"/api/v1/configuration-items/{b.pk}/relationships/").json()
    assert [r["id"] for r in both["incoming"]] == [link["id"]]
    assert both["outgoing"] == []
    impact = api.get(f"/api/v1/configuration-items/{b.pk}/impact/").json()
    assert impact["counts"] == {"ci": 1, "component": 0, "service": 0, "customer": 0}
    assert impact["nodes"][0]["code"] == a.reference
    assert impact["nodes"][0]["path"] == [f"ci:{b.pk}", f"ci:{a.pk}"]
    assert api.delete(f"/api/v1/ci-relationships/{link['id']}/", {}, format="json").status_code == 400
    response = api.delete(f"/api/v1/ci-relationships/{link['id']}/", {"reason": "wrong"}, format="json")
    assert response.status_code == 204
    assert not Relationship.objects.exists()


def test_ci_types_with_their_allowed_relationships(api: Any, rel: dict[str, Any]) -> None:
    response = api.post(
        "/api/v1/ci-types/",
        {
            "code": "router",
            "name": "Router",
            "description": "Routes packets.",
            "attribute_schema": [{"key": "Bad", "label": "x", "type": "text"}],
            "allowed_relationship_types": [rel["runs_on"].pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "attribute_schema" in response.json()["fields"]
    response = api.post(
        "/api/v1/ci-types/",
        {
            "code": "router",
            "name": "Router",
            "description": "Routes packets.",
            "attribute_schema": [{"key": "model", "label": "Model", "type": "text"}],
            "allowed_relationship_types": [rel["runs_on"].pk],
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["allowed_relationship_types"] == [rel["runs_on"].pk]


def test_the_ci_list_queries_do_not_grow_with_rows(
    api: Any, cfg: Any, db_type: Any, django_assert_num_queries: Any
) -> None:
    make_ci(cfg, db_type, "db-0")
    api.get("/api/v1/configuration-items/")

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/configuration-items/?state=planned").status_code == 200
        return len(queries)

    few = count()
    for n in range(1, 10):
        make_ci(cfg, db_type, f"db-{n}", owner=cfg)
    assert count() == few
    with django_assert_num_queries(few):
        api.get("/api/v1/configuration-items/?state=planned")
    assert ConfigurationItem.objects.count() == 10


def test_the_impact_endpoint_is_one_query_for_the_graph(
    api: Any, cfg: Any, db_type: Any, rel: dict[str, Any]
) -> None:
    hub = make_ci(cfg, db_type, "db-hub")
    for n in range(5):
        services.relationship_add(
            actor=cfg,
            source=make_ci(cfg, db_type, f"db-{n}"),
            relationship_type=rel["depends_on"],
            target=hub,
            reason="t",
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        body = api.get(f"/api/v1/configuration-items/{hub.pk}/impact/?max_depth=3").json()
    assert body["counts"]["ci"] == 5
    assert sum("WITH RECURSIVE" in q["sql"] for q in queries.captured_queries) == 1

"""Permission matrix of baselines, CMDB audits, the CI "as of" view and the CSV import: configuration
managers write; staff with the configuration area and auditors read; auditors verify CMDB audits;
requesters see nothing. Writes refused also leave everything unchanged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from configuration import audit_services, baseline_services
from configuration.choices import AuditVerdict, BaselineState, CIState, Importance
from configuration.models import Baseline, CMDBAudit, CMDBAuditItem, ConfigurationItem
from itsm.testing import check_endpoint, check_page

from .factories import CITypeFactory, make_ci


@pytest.fixture
def objects(demo: dict[str, Any]) -> dict[str, Any]:
    cfg, auditor, resolver = demo["config.manager"], demo["auditor"], demo["resolver"]
    kind = CITypeFactory(
        code="matrix-server",
        name="Matrix server",
        attribute_schema=[{"key": "ram_gb", "label": "RAM", "type": "number", "required": False}],
    )
    cis = [
        make_ci(cfg, kind, f"matrix-{n}", state=CIState.LIVE, owner=resolver, importance=Importance.CRITICAL)
        for n in range(3)
    ]
    own = make_ci(cfg, kind, "matrix-own", state=CIState.LIVE, owner=auditor, importance=Importance.CRITICAL)
    baseline = baseline_services.baseline_create(
        actor=cfg, data={"name": "Matrix", "scope_filter": {"mode": "cis", "cis": [c.pk for c in cis]}}
    )
    baseline_services.baseline_take(baseline=baseline, actor=cfg)
    draft = baseline_services.baseline_create(
        actor=cfg, data={"name": "Draft", "scope_filter": {"mode": "filter"}}
    )
    period = {"period_start": datetime.date(2026, 8, 1), "period_end": datetime.date(2026, 10, 31)}
    audit = audit_services.cmdbaudit_create(
        actor=cfg, data={"title": "Matrix audit", "auditor": auditor, "sample_minimum": 0, **period}
    )
    audit_services.cmdbaudit_start(audit=audit, actor=auditor)
    items = {i.ci_id: i for i in CMDBAuditItem.objects.filter(audit=audit)}
    wrong = items[cis[0].pk]
    audit_services.cmdbaudit_item_verify(
        item=wrong, actor=auditor, verdict=AuditVerdict.DISCREPANCY, note="moved"
    )
    planned_audit = audit_services.cmdbaudit_create(
        actor=cfg, data={"title": "Planned", "auditor": auditor, "sample_minimum": 0, **period}
    )
    return {
        "ci": cis[1].pk,
        "baseline": baseline.pk,
        "draft": draft.pk,
        "audit": audit.pk,
        "planned_audit": planned_audit.pk,
        "discrepancy": wrong.pk,
        "pending": items[cis[2].pk].pk,
        "own_item": items[own.pk].pk,
        "type": kind.pk,
    }


PAGES = [
    ("/configuration/baselines/", "requester", "agent"),
    ("/configuration/baselines/", "requester", "auditor"),
    ("/configuration/baselines/new/", "auditor", "config.manager"),
    ("/configuration/baselines/{baseline}/", "requester", "auditor"),
    ("/configuration/baselines/{baseline}/?tab=timeline", "requester", "resolver"),
    ("/configuration/baselines/{baseline}/?format=csv", "requester", "auditor"),
    ("/configuration/baselines/{draft}/", "requester", "agent"),
    ("/configuration/baselines/{draft}/edit/", "auditor", "config.manager"),
    ("/configuration/baselines/{baseline}/compare/", "requester", "auditor"),
    ("/configuration/baselines/{baseline}/compare/?with={baseline}", "requester", "agent"),
    ("/configuration/ci-history/{ci}/", "requester", "agent"),
    ("/configuration/ci-history/{ci}/?date=2099-01-01", "requester", "auditor"),
    ("/configuration/cmdb-audits/", "requester", "auditor"),
    ("/configuration/cmdb-audits/new/", "auditor", "config.manager"),
    ("/configuration/cmdb-audits/{audit}/", "requester", "auditor"),
    ("/configuration/cmdb-audits/{audit}/?tab=report", "requester", "agent"),
    ("/configuration/cmdb-audits/{audit}/?tab=timeline", "requester", "config.manager"),
    ("/configuration/cmdb-audits/{planned_audit}/edit/", "auditor", "config.manager"),
    ("/configuration/cmdb-audits/{audit}/items/{discrepancy}/correct/", "auditor", "config.manager"),
    ("/configuration/imports/", "auditor", "config.manager"),
    ("/configuration/imports/template/?kind=cis&ci_type={type}", "agent", "config.manager"),
    ("/configuration/imports/template/?kind=relationships", "requester", "config.manager"),
]

ENDPOINTS = [
    ("/api/v1/baselines/", "requester", "auditor"),
    ("/api/v1/baselines/{baseline}/", "requester", "agent"),
    ("/api/v1/baselines/{baseline}/items/", "requester", "auditor"),
    ("/api/v1/baselines/{baseline}/compare/?with=live", "requester", "config.manager"),
    ("/api/v1/baselines/{baseline}/compare/?with={baseline}", "requester", "auditor"),
    ("/api/v1/baselines/{baseline}/timeline/", "requester", "auditor"),
    ("/api/v1/ci-history/{ci}/?date=2099-01-01", "requester", "auditor"),
    ("/api/v1/cmdb-audits/", "requester", "auditor"),
    ("/api/v1/cmdb-audits/{audit}/", "requester", "agent"),
    ("/api/v1/cmdb-audits/{audit}/items/", "requester", "auditor"),
    ("/api/v1/cmdb-audits/{audit}/report/", "requester", "config.manager"),
]


@pytest.mark.parametrize(("url", "denied", "allowed"), PAGES)
def test_pages(
    client: Any, demo: dict[str, Any], objects: dict[str, Any], url: str, denied: str, allowed: str
) -> None:
    check_page(client, demo, url.format(**objects), denied, allowed)


@pytest.mark.parametrize(("url", "denied", "allowed"), ENDPOINTS)
def test_endpoints(
    api_client: Any, demo: dict[str, Any], objects: dict[str, Any], url: str, denied: str, allowed: str
) -> None:
    check_endpoint(api_client, demo, url.format(**objects), denied, allowed)


def _as(api_client: Any, user: Any) -> Any:
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api_client


def test_only_configuration_managers_create_and_take_baselines(
    client: Any, api_client: Any, demo: dict[str, Any], objects: dict[str, Any]
) -> None:
    draft = objects["draft"]
    for name in ("auditor", "agent"):
        client.force_login(demo[name])
        assert client.post(f"/configuration/baselines/{draft}/take/").status_code == 403
        response = _as(api_client, demo[name]).post(f"/api/v1/baselines/{draft}/take/", {}, format="json")
        assert response.status_code == 403
        response = api_client.post("/api/v1/baselines/", {"name": "x", "scope_filter": {}}, format="json")
        assert response.status_code == 403
    assert Baseline.objects.get(pk=draft).state == BaselineState.DRAFT
    assert not Baseline.objects.filter(name="x").exists()

    client.force_login(demo["config.manager"])
    response = client.post(f"/configuration/baselines/{draft}/take/")
    assert response.status_code == 302
    assert Baseline.objects.get(pk=draft).state == BaselineState.TAKEN


def test_requesters_see_nothing_of_the_cmdb_history(
    api_client: Any, demo: dict[str, Any], objects: dict[str, Any]
) -> None:
    response = _as(api_client, demo["requester"]).get(f"/api/v1/ci-history/{objects['ci']}/?date=2099-01-01")
    assert response.status_code == 404


def test_the_assigned_auditor_verifies_a_configuration_manager_does_not(
    client: Any, api_client: Any, demo: dict[str, Any], objects: dict[str, Any]
) -> None:
    url = f"/api/v1/cmdb-audits/{objects['audit']}/verify/"
    body = {"item": objects["pending"], "verdict": "correct"}
    assert _as(api_client, demo["config.manager"]).post(url, body, format="json").status_code == 403
    assert _as(api_client, demo["requester"]).post(url, body, format="json").status_code == 404
    assert CMDBAuditItem.objects.get(pk=objects["pending"]).verdict == AuditVerdict.PENDING

    response = _as(api_client, demo["auditor"]).post(url, body, format="json")
    assert response.status_code == 200
    assert response.json()["verdict"] == "correct"

    page = f"/configuration/cmdb-audits/{objects['audit']}/items/{objects['own_item']}/verify/"
    client.force_login(demo["auditor"])
    response = client.post(page, {"verdict": "correct"})
    assert response.status_code == 403  # the auditor owns this CI
    assert CMDBAuditItem.objects.get(pk=objects["own_item"]).verdict == AuditVerdict.PENDING


def test_configuration_managers_correct_auditors_do_not(
    client: Any, api_client: Any, demo: dict[str, Any], objects: dict[str, Any]
) -> None:
    url = f"/api/v1/cmdb-audits/{objects['audit']}/correct/"
    body = {"item": objects["discrepancy"], "changes": {"location": "Rack B4"}}
    assert _as(api_client, demo["auditor"]).post(url, body, format="json").status_code == 403
    item = CMDBAuditItem.objects.select_related("ci").get(pk=objects["discrepancy"])
    assert item.ci.location == ""
    response = _as(api_client, demo["config.manager"]).post(url, body, format="json")
    assert response.status_code == 200
    item.ci.refresh_from_db()
    assert item.ci.location == "Rack B4"
    assert item.ci.history.order_by("-history_id").first().history_change_reason == "cmdb audit correction"


def test_only_configuration_managers_import(
    api_client: Any, demo: dict[str, Any], objects: dict[str, Any]
) -> None:
    before = ConfigurationItem.objects.count()
    for name, expected in (("auditor", 403), ("agent", 403), ("requester", 403)):
        upload = SimpleUploadedFile(
            "cis.csv", b"type,name\nmatrix-server,imported\n", content_type="text/csv"
        )
        response = _as(api_client, demo[name]).post(
            "/api/v1/ci-imports/", {"kind": "cis", "file": upload, "commit": "true"}, format="multipart"
        )
        assert response.status_code == expected
    assert ConfigurationItem.objects.count() == before
    upload = SimpleUploadedFile("cis.csv", b"type,name\nmatrix-server,imported\n", content_type="text/csv")
    response = _as(api_client, demo["config.manager"]).post(
        "/api/v1/ci-imports/", {"kind": "cis", "file": upload, "commit": "true"}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["committed"] is True
    assert ConfigurationItem.objects.filter(name="imported").exists()


def test_only_configuration_managers_plan_audits(
    api_client: Any, demo: dict[str, Any], objects: dict[str, Any]
) -> None:
    body = {
        "title": "By API",
        "auditor": demo["auditor"].pk,
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "sample_minimum": 0,
    }
    assert (
        _as(api_client, demo["auditor"]).post("/api/v1/cmdb-audits/", body, format="json").status_code == 403
    )
    assert not CMDBAudit.objects.filter(title="By API").exists()
    response = _as(api_client, demo["config.manager"]).post("/api/v1/cmdb-audits/", body, format="json")
    assert response.status_code == 201
    assert response.json()["sample_percent"] == 10

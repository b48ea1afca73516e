"""Baselines: scopes, taking (one bulk insert, constant queries), superseding, comparison and "as of"."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from configuration import services
from configuration.baseline_selectors import (
    ci_as_of,
    compare_baselines,
    compare_with_live,
    parse_as_of,
    scope_queryset,
)
from configuration.baseline_services import baseline_create, baseline_take, baseline_update
from configuration.choices import BaselineState, CIState
from configuration.models import Baseline, BaselineItem
from itsm.choices import Role
from service_levels.models import Service, ServiceComponent

from .factories import CITypeFactory, make_ci

SCHEMA = [
    {"key": "ram_gb", "label": "RAM (GB)", "type": "number", "required": False},
    {"key": "os", "label": "Operating system", "type": "choice", "choices": ["Linux", "Windows"]},
]


@pytest.fixture
def cmdb(cfg: Any, rel: dict[str, Any]) -> dict[str, Any]:
    """app —depends on→ db —runs on→ srv; app is part of the ERP service; spare is live but unrelated;
    draft is only planned."""
    server = CITypeFactory(
        code="server", name="Server", attribute_schema=SCHEMA, relationship_types=list(rel.values())
    )
    ci = {
        "srv": make_ci(
            cfg, server, "srv", state=CIState.LIVE, version="1", attributes={"ram_gb": 32, "os": "Linux"}
        ),
        "db": make_ci(cfg, server, "db", state=CIState.LIVE, version="14"),
        "app": make_ci(cfg, server, "app", state=CIState.LIVE, version="2.0"),
        "spare": make_ci(cfg, server, "spare", state=CIState.LIVE),
        "draft": make_ci(cfg, server, "draft"),
    }
    services.relationship_add(actor=cfg, source=ci["db"], relationship_type=rel["runs_on"], target=ci["srv"])
    services.relationship_add(
        actor=cfg, source=ci["app"], relationship_type=rel["depends_on"], target=ci["db"]
    )
    erp = Service.objects.create(code="erp", name="ERP", owner=cfg)
    component = ServiceComponent.objects.create(service=erp, name="application")
    services.relationship_add(
        actor=cfg, source=ci["app"], relationship_type=rel["part_of"], target_component=component
    )
    return {"cfg": cfg, "type": server, "erp": erp, **ci}


def _take(cfg: Any, name: str, scope: dict[str, Any]) -> Baseline:
    baseline = baseline_create(actor=cfg, data={"name": name, "scope_filter": scope})
    return baseline_take(baseline=baseline, actor=cfg)


def test_scopes_select_named_cis_a_service_with_what_it_runs_on_a_type_or_everything_live(cmdb: Any) -> None:
    def refs(scope: dict[str, Any]) -> set[str]:
        return set(scope_queryset(scope).values_list("name", flat=True))

    assert refs({"mode": "cis", "cis": [cmdb["db"].pk, cmdb["draft"].pk]}) == {"db", "draft"}
    assert refs({"mode": "filter", "service": cmdb["erp"].pk}) == {"app", "db", "srv"}
    assert refs({"mode": "filter"}) == {"srv", "db", "app", "spare"}
    assert refs({"mode": "filter", "live_only": False}) == {"srv", "db", "app", "spare", "draft"}
    other = CITypeFactory(code="other")
    assert refs({"mode": "filter", "ci_type": other.pk}) == set()


def test_taking_freezes_fields_attributes_version_state_and_relationships_both_ways(cmdb: Any) -> None:
    cfg = cmdb["cfg"]
    baseline = _take(cfg, "ERP production", {"mode": "filter", "service": cmdb["erp"].pk})

    assert baseline.state == BaselineState.TAKEN
    assert baseline.taken_by == cfg
    assert baseline.taken_at is not None
    items = {item.ci_reference: item for item in BaselineItem.objects.filter(baseline=baseline)}
    assert set(items) == {cmdb["app"].reference, cmdb["db"].reference, cmdb["srv"].reference}
    srv = items[cmdb["srv"].reference]
    assert srv.version == "1"
    assert srv.snapshot["fields"]["state"] == "live"
    assert srv.snapshot["fields"]["type"] == "server"
    assert srv.snapshot["attributes"] == {"ram_gb": 32, "os": "Linux"}
    assert [r["key"] for r in srv.snapshot["relationships"]] == [f"in:runs-on:{cmdb['db'].reference}"]
    db = items[cmdb["db"].reference].snapshot["relationships"]
    assert {r["key"] for r in db} == {
        f"in:depends-on:{cmdb['app'].reference}",
        f"out:runs-on:{cmdb['srv'].reference}",
    }
    assert {r["label"] for r in db} == {"is used by", "runs on"}
    app = items[cmdb["app"].reference].snapshot["relationships"]
    assert any(r["other_name"] == "ERP / application" for r in app)
    last = baseline.history.order_by("-history_id").first()
    assert last.history_change_reason == "take"
    assert last.history_user == cfg


def test_taking_costs_the_same_queries_for_three_or_thirty_cis(cfg: Any, rel: dict[str, Any]) -> None:
    kind = CITypeFactory(code="vm", relationship_types=list(rel.values()))
    host = make_ci(cfg, kind, "host", state=CIState.LIVE)

    def queries_for(count: int, prefix: str) -> int:
        cis = [make_ci(cfg, kind, f"{prefix}-{n}", state=CIState.LIVE) for n in range(count)]
        for ci in cis:
            services.relationship_add(actor=cfg, source=ci, relationship_type=rel["runs_on"], target=host)
        baseline = baseline_create(
            actor=cfg, data={"name": prefix, "scope_filter": {"mode": "cis", "cis": [c.pk for c in cis]}}
        )
        with CaptureQueriesContext(connection) as captured:
            baseline_take(baseline=baseline, actor=cfg)
        assert BaselineItem.objects.filter(baseline=baseline).count() == count
        return len(captured)

    assert queries_for(3, "small") == queries_for(30, "large")


def test_a_new_baseline_with_the_same_name_and_scope_supersedes_the_old_one(cmdb: Any) -> None:
    cfg = cmdb["cfg"]
    scope = {"mode": "filter", "service": cmdb["erp"].pk}
    first = _take(cfg, "ERP production", scope)
    other_scope = _take(cfg, "ERP production", {"mode": "filter"})
    second = _take(cfg, "erp PRODUCTION", scope)

    first.refresh_from_db()
    other_scope.refresh_from_db()
    assert first.state == BaselineState.SUPERSEDED
    assert first.superseded_by == second
    assert other_scope.state == BaselineState.TAKEN
    assert first.history.order_by("-history_id").first().history_change_reason == "superseded"


def test_an_empty_scope_cannot_be_taken_and_nothing_changes(cmdb: Any) -> None:
    cfg = cmdb["cfg"]
    empty = baseline_create(
        actor=cfg, data={"name": "Nothing", "scope_filter": {"ci_type": CITypeFactory(code="none").pk}}
    )
    with pytest.raises(ValidationError):
        baseline_take(baseline=empty, actor=cfg)
    empty.refresh_from_db()
    assert empty.state == BaselineState.DRAFT
    assert not empty.items.exists()


def test_a_taken_baseline_is_frozen(cmdb: Any) -> None:
    cfg = cmdb["cfg"]
    baseline = _take(cfg, "Frozen", {"mode": "filter"})
    with pytest.raises(PermissionDenied):
        baseline_update(baseline=baseline, actor=cfg, data={"name": "Changed"})
    with pytest.raises(TransitionNotAllowed):
        baseline_take(baseline=baseline, actor=cfg)


@pytest.mark.parametrize(
    "scope",
    [
        "all",
        {"mode": "cis", "cis": []},
        {"mode": "cis", "cis": [999999]},
        {"mode": "cis", "cis": ["x"]},
        {"mode": "filter", "service": 999999},
        {"mode": "filter", "live_only": "yes"},
        {"mode": "other"},
    ],
)
def test_bad_scopes_are_refused_with_a_message(cfg: Any, scope: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        baseline_create(actor=cfg, data={"name": "Bad", "scope_filter": scope})
    assert "scope_filter" in caught.value.message_dict
    assert not Baseline.objects.exists()


def test_people_who_may_not_write_baselines_create_and_take_none(cmdb: Any, make_user: Any) -> None:
    auditor = make_user(Role.INTERNAL_AUDITOR)
    with pytest.raises(PermissionDenied):
        baseline_create(actor=auditor, data={"name": "Mine", "scope_filter": {"mode": "filter"}})
    draft = baseline_create(actor=cmdb["cfg"], data={"name": "Draft", "scope_filter": {"mode": "filter"}})
    with pytest.raises(PermissionDenied):
        baseline_take(baseline=draft, actor=auditor)
    draft.refresh_from_db()
    assert draft.state == BaselineState.DRAFT
    assert not BaselineItem.objects.exists()


def _change_the_cmdb(cmdb: Any, rel: dict[str, Any]) -> dict[str, Any]:
    """srv gets more RAM and a new version; app moves from db to a new database db2 (on srv); spare
    is retired."""
    cfg = cmdb["cfg"]
    services.ci_update(
        ci=cmdb["srv"], actor=cfg, data={"version": "2", "attributes": {"ram_gb": 64, "os": "Linux"}}
    )
    db2 = make_ci(cfg, cmdb["type"], "db2", state=CIState.LIVE)
    services.relationship_add(actor=cfg, source=db2, relationship_type=rel["runs_on"], target=cmdb["srv"])
    link = cmdb["app"].outgoing_relationships.get(target=cmdb["db"])
    services.relationship_remove(relationship=link, actor=cfg, reason="moved to db2")
    services.relationship_add(actor=cfg, source=cmdb["app"], relationship_type=rel["depends_on"], target=db2)
    services.ci_retire(ci=cmdb["spare"], actor=cfg, note="no longer needed")
    return {"db2": db2}


def test_comparing_two_baselines_lists_added_removed_and_changed_attribute_by_attribute(
    cmdb: Any, rel: dict[str, Any]
) -> None:
    cfg = cmdb["cfg"]
    before = _take(cfg, "All live", {"mode": "filter"})
    new = _change_the_cmdb(cmdb, rel)
    after = _take(cfg, "All live", {"mode": "filter"})

    comparison = compare_baselines(after, before)  # the older one is "before" whatever the order

    assert comparison.old_label.startswith(before.reference)
    assert [a["reference"] for a in comparison.added] == [new["db2"].reference]
    assert [r["reference"] for r in comparison.removed] == [cmdb["spare"].reference]
    changed = {c.reference: c for c in comparison.changed}
    assert set(changed) == {cmdb["srv"].reference, cmdb["app"].reference, cmdb["db"].reference}
    srv = changed[cmdb["srv"].reference]
    assert [(f.key, f.old, f.new) for f in srv.fields] == [("version", "1", "2")]
    assert [(a.label, a.old, a.new) for a in srv.attributes] == [("RAM (GB)", 32, 64)]
    app = changed[cmdb["app"].reference]
    assert [r["other"] for r in app.relationships_added] == [new["db2"].reference]
    assert [r["other"] for r in app.relationships_removed] == [cmdb["db"].reference]
    assert app.fields == []
    assert app.attributes == []
    db = changed[cmdb["db"].reference]
    assert [r["key"] for r in db.relationships_removed] == [f"in:depends-on:{cmdb['app'].reference}"]
    assert comparison.unchanged == 0
    assert comparison.as_dict()["changed"][0]["reference"] == sorted(changed)[0]


def test_comparing_a_baseline_with_the_live_cmdb(cmdb: Any, rel: dict[str, Any]) -> None:
    cfg = cmdb["cfg"]
    baseline = _take(cfg, "ERP", {"mode": "filter", "service": cmdb["erp"].pk})
    assert compare_with_live(baseline).is_empty
    assert compare_with_live(baseline).unchanged == 3

    new = _change_the_cmdb(cmdb, rel)
    comparison = compare_with_live(baseline)
    # db2 now supports the service, db no longer does: one added, one removed.
    assert [a["reference"] for a in comparison.added] == [new["db2"].reference]
    assert [r["reference"] for r in comparison.removed] == [cmdb["db"].reference]
    assert {c.reference for c in comparison.changed} == {cmdb["srv"].reference, cmdb["app"].reference}


def test_a_ci_as_of_a_past_date_shows_its_fields_attributes_and_relationships_then(
    cmdb: Any, rel: dict[str, Any]
) -> None:
    cfg = cmdb["cfg"]
    srv, app, db = cmdb["srv"], cmdb["app"], cmdb["db"]
    moment = timezone.now()
    _change_the_cmdb(cmdb, rel)

    then = ci_as_of(srv, moment)
    assert then is not None
    assert then.snapshot["fields"]["version"] == "1"
    assert then.snapshot["attributes"] == {"ram_gb": 32, "os": "Linux"}
    assert ci_as_of(srv, timezone.now()).snapshot["fields"]["version"] == "2"

    app_then = ci_as_of(app, moment)
    assert app_then is not None
    assert f"out:depends-on:{db.reference}" in {r["key"] for r in app_then.snapshot["relationships"]}
    app_now = ci_as_of(app, timezone.now())
    assert f"out:depends-on:{db.reference}" not in {r["key"] for r in app_now.snapshot["relationships"]}

    assert ci_as_of(srv, srv.created_at - timezone.timedelta(days=1)) is None
    assert then.as_dict()["reference"] == srv.reference
    assert then.history_user == str(cfg)


def test_as_of_dates_are_days_or_moments() -> None:
    end_of_day = parse_as_of("2026-03-01")
    assert end_of_day is not None
    assert timezone.localtime(end_of_day).hour == 23
    assert parse_as_of("2026-03-01T10:00:00+00:00") is not None
    assert parse_as_of("yesterday") is None
    assert parse_as_of("") is None


# Pages and API --------------------------------------------------------------------------------------


def test_the_baseline_pages_show_the_frozen_cis_and_the_comparison(
    client: Any, cmdb: Any, rel: dict[str, Any]
) -> None:
    cfg = cmdb["cfg"]
    client.force_login(cfg)
    response = client.post(
        "/configuration/baselines/new/",
        {"name": "ERP production", "mode": "filter", "service": cmdb["erp"].pk, "live_only": "on"},
    )
    baseline = Baseline.objects.get(name="ERP production")
    assert response.status_code == 302
    assert baseline.scope_filter == {
        "mode": "filter",
        "service": cmdb["erp"].pk,
        "ci_type": None,
        "live_only": True,
    }
    draft_page = client.get(baseline.get_absolute_url())
    assert b'data-testid="in-scope"' in draft_page.content
    assert b"3 CIs now" in draft_page.content

    client.post(f"/configuration/baselines/{baseline.pk}/take/")
    page = client.get(baseline.get_absolute_url())
    assert cmdb["srv"].reference.encode() in page.content
    assert b'data-testid="compare-form"' in page.content

    _change_the_cmdb(cmdb, rel)
    compare = client.get(f"/configuration/baselines/{baseline.pk}/compare/?with=live")
    assert compare.status_code == 200
    assert b"RAM (GB)" in compare.content
    partial = client.get(f"/configuration/baselines/{baseline.pk}/compare/?with=live", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert b'data-testid="changed"' in partial.content
    assert "HX-Request" in partial["Vary"]
    csv_rows = b"".join(client.get(f"{baseline.get_absolute_url()}?format=csv").streaming_content)
    assert cmdb["srv"].reference.encode() in csv_rows


def test_named_cis_are_given_by_reference_and_bad_ones_are_shown_inline(client: Any, cmdb: Any) -> None:
    client.force_login(cmdb["cfg"])
    response = client.post(
        "/configuration/baselines/new/", {"name": "Two", "mode": "cis", "cis": "CI-999999, nonsense"}
    )
    assert response.status_code == 400
    assert b"CI-999999" in response.content
    assert not Baseline.objects.exists()
    response = client.post(
        "/configuration/baselines/new/",
        {"name": "Two", "mode": "cis", "cis": f"{cmdb['db'].reference}\n{cmdb['app'].reference}"},
    )
    assert response.status_code == 302
    assert Baseline.objects.get().scope_filter == {
        "mode": "cis",
        "cis": sorted([cmdb["db"].pk, cmdb["app"].pk]),
    }


def test_comparing_a_draft_is_refused(client: Any, cmdb: Any) -> None:
    draft = baseline_create(actor=cmdb["cfg"], data={"name": "Draft", "scope_filter": {"mode": "filter"}})
    client.force_login(cmdb["cfg"])
    assert client.get(f"/configuration/baselines/{draft.pk}/compare/").status_code == 400
    assert client.get(f"/configuration/baselines/{draft.pk}/compare/?with=x").status_code == 400


def test_the_as_of_page_shows_the_ci_then_and_what_changed_since(
    client: Any, cmdb: Any, rel: dict[str, Any]
) -> None:
    srv = cmdb["srv"]
    client.force_login(cmdb["cfg"])
    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    response = client.get(f"/configuration/ci-history/{srv.pk}/?date={yesterday}")
    assert b'data-testid="not-yet"' in response.content
    _change_the_cmdb(cmdb, rel)
    history = srv.history.order_by("history_id")
    first = history.first()
    first.history_date = timezone.now() - timezone.timedelta(days=3)
    first.save()
    three_days_ago = (timezone.localdate() - timezone.timedelta(days=3)).isoformat()
    response = client.get(f"/configuration/ci-history/{srv.pk}/?date={three_days_ago}")
    assert response.status_code == 200
    assert b'data-testid="changed-since"' in response.content
    assert b"RAM (GB)" in response.content
    assert client.get(f"/configuration/ci-history/{srv.pk}/?date=soon").status_code == 400
    assert client.get(f"/configuration/ci-history/{srv.pk}/").status_code == 200


def test_the_baseline_api_takes_compares_and_lists_items(
    api_client: Any, cmdb: Any, rel: dict[str, Any]
) -> None:
    api_client.force_authenticate(cmdb["cfg"])
    created = api_client.post(
        "/api/v1/baselines/",
        {"name": "API", "scope_filter": {"mode": "filter", "service": cmdb["erp"].pk}},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["allowed_transitions"] == ["take"]
    assert api_client.get(f"/api/v1/baselines/{pk}/compare/").status_code == 400
    taken = api_client.post(f"/api/v1/baselines/{pk}/take/", {}, format="json")
    assert taken.status_code == 200
    assert taken.json()["state"] == "taken"
    assert api_client.patch(f"/api/v1/baselines/{pk}/", {"name": "x"}, format="json").status_code == 403
    items = api_client.get(f"/api/v1/baselines/{pk}/items/").json()["results"]
    assert {i["ci_reference"] for i in items} == {
        cmdb["app"].reference,
        cmdb["db"].reference,
        cmdb["srv"].reference,
    }
    _change_the_cmdb(cmdb, rel)
    comparison = api_client.get(f"/api/v1/baselines/{pk}/compare/?with=live").json()
    assert [a["reference"] for a in comparison["added"]] == [ci["reference"] for ci in comparison["added"]]
    assert {c["reference"] for c in comparison["changed"]} == {cmdb["srv"].reference, cmdb["app"].reference}
    assert api_client.get(f"/api/v1/baselines/{pk}/compare/?with=abc").status_code == 400
    assert api_client.get(f"/api/v1/baselines/{pk}/compare/?with=999999").status_code == 404
    bad = api_client.post(
        "/api/v1/baselines/", {"name": "Bad", "scope_filter": {"mode": "cis", "cis": []}}, format="json"
    )
    assert bad.status_code == 400
    assert "scope_filter" in bad.json()["fields"]


def test_the_ci_history_api(api_client: Any, cmdb: Any, rel: dict[str, Any]) -> None:
    srv = cmdb["srv"]
    api_client.force_authenticate(cmdb["cfg"])
    moment = timezone.now().isoformat()
    _change_the_cmdb(cmdb, rel)
    then = api_client.get(f"/api/v1/ci-history/{srv.pk}/", {"date": moment})
    assert then.status_code == 200
    assert then.json()["fields"]["version"] == "1"
    assert then.json()["attributes"] == {"ram_gb": 32, "os": "Linux"}
    assert api_client.get(f"/api/v1/ci-history/{srv.pk}/").json()["fields"] == {
        "date": ["Give a date as YYYY-MM-DD or an ISO date-time."]
    }
    assert api_client.get(f"/api/v1/ci-history/{srv.pk}/?date=1999-01-01").status_code == 400


def test_the_baseline_list_costs_the_same_queries_for_few_or_many_baselines(
    client: Any, api_client: Any, cmdb: Any
) -> None:
    cfg = cmdb["cfg"]
    client.force_login(cfg)
    api_client.force_authenticate(cfg)
    _take(cfg, "One", {"mode": "filter"})

    def count(url: str, api: bool = False) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = (api_client if api else client).get(url)
            assert response.status_code == 200
        return len(captured)

    page, endpoint = count("/configuration/baselines/"), count("/api/v1/baselines/", api=True)
    for n in range(6):
        _take(cfg, f"More {n}", {"mode": "filter"})
    assert count("/configuration/baselines/") == page
    assert count("/api/v1/baselines/", api=True) == endpoint

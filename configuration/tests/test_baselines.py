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

"""Impact analysis on a known graph: exactly what is affected, at which depth, in one query."""

from __future__ import annotations

from typing import Any

import pytest

from configuration import selectors, services
from configuration.choices import CIState
from configuration.models import ConfigurationItem
from service_levels.models import Customer, Service, ServiceComponent, ServiceDependency

from .factories import CITypeFactory, make_ci


@pytest.fixture
def graph(cfg: Any, rel: dict[str, Any]) -> dict[str, Any]:
    """net2 —connects to— net1 ← srv1 (depends on) ← vm1, vm2 (run on) ← db1 (runs on vm1)
    ← app1 (depends on db1, runs on vm2) ← app2 (depends on app1); app3 (retired) depends on db1;
    doc1 documents app1 (no impact). app1 is part of the component "ERP: application", app2 part
    of the Email service; the Portal service requires ERP. Acme receives ERP, Gamma Email, Beta Portal.
    """
    kind = CITypeFactory(code="thing", name="Thing", relationship_types=list(rel.values()))
    ci = {
        name: make_ci(cfg, kind, name, state=CIState.LIVE)
        for name in ["net1", "net2", "srv1", "vm1", "vm2", "db1", "app1", "app2", "app3", "doc1", "lonely"]
    }

    def link(source: str, relation: str, target: str) -> None:
        services.relationship_add(
            actor=cfg, source=ci[source], relationship_type=rel[relation], target=ci[target], reason="test"
        )

    link("net2", "connects_to", "net1")
    link("srv1", "depends_on", "net1")
    link("vm1", "runs_on", "srv1")
    link("vm2", "runs_on", "srv1")
    link("db1", "runs_on", "vm1")
    link("app1", "depends_on", "db1")
    link("app1", "runs_on", "vm2")
    link("app2", "depends_on", "app1")
    link("app3", "depends_on", "db1")
    link("doc1", "documents", "app1")
    services.ci_retire(ci=ci["app3"], actor=cfg, note="replaced", rfc_reference="RFC-000002")

    owner = cfg
    erp = Service.objects.create(code="erp", name="ERP", owner=owner)
    email = Service.objects.create(code="email", name="Email", owner=owner)
    portal = Service.objects.create(code="portal", name="Portal", owner=owner)
    Service.objects.create(code="unrelated", name="Unrelated", owner=owner)
    component = ServiceComponent.objects.create(service=erp, name="application")
    ServiceDependency.objects.create(service=portal, depends_on=erp)
    for code, service in [("acme", erp), ("gamma", email), ("beta", portal)]:
        Customer.objects.create(code=code, name=code.title(), relationship_owner=owner).services.add(service)
    services.relationship_add(
        actor=cfg, source=ci["app1"], relationship_type=rel["part_of"], target_component=component, reason="t"
    )
    services.relationship_add(
        actor=cfg, source=ci["app2"], relationship_type=rel["part_of"], target_service=email, reason="t"
    )
    return {"ci": ci, "erp": erp, "email": email, "portal": portal, "component": component}


def _summary(impact: selectors.Impact) -> set[tuple[str, str, int]]:
    return {(n.kind, n.code or n.label, n.depth) for n in impact.nodes}


def test_impact_of_a_server_reaches_services_and_customers(
    graph: dict[str, Any], django_assert_num_queries: Any
) -> None:
    ci = selectors.ci_detail().get(pk=graph["ci"]["srv1"].pk)
    ref = {name: c.reference for name, c in graph["ci"].items()}
    with django_assert_num_queries(1):
        impact = selectors.impact_of(ci)
    assert _summary(impact) == {
        ("ci", ref["vm1"], 1),
        ("ci", ref["vm2"], 1),
        ("ci", ref["db1"], 2),
        ("ci", ref["app1"], 2),
        ("ci", ref["app2"], 3),
        ("component", "application", 3),
        ("service", "erp", 4),
        ("service", "email", 4),
        ("service", "portal", 5),
        ("customer", "acme", 5),
        ("customer", "gamma", 5),
        ("customer", "beta", 6),
    }
    app2 = next(n for n in impact.nodes if n.code == ref["app2"])
    assert [n.code for n in app2.path] == [ref["srv1"], ref["vm2"], ref["app1"], ref["app2"]]
    app1 = next(n for n in impact.nodes if n.code == ref["app1"])
    assert app1.parents == [("ci", graph["ci"]["vm2"].pk, "runs on")]
    beta = impact.customers[-1]
    assert [n.kind for n in beta.path] == ["ci", "ci", "ci", "component", "service", "service", "customer"]


def test_impact_travels_both_ways_on_symmetric_links_and_stops_at_retired_cis(graph: dict[str, Any]) -> None:
    ci = graph["ci"]
    impact = selectors.impact_of(selectors.ci_detail().get(pk=ci["net1"].pk))
    codes = {n.code for n in impact.cis}
    assert ci["net2"].reference in codes
    assert ci["srv1"].reference in codes
    assert ci["app3"].reference not in codes  # retired
    assert ci["doc1"].reference not in codes  # "documents" carries no impact
    impact = selectors.impact_of(selectors.ci_detail().get(pk=ci["net2"].pk))
    assert {n.code for n in impact.cis} >= {ci["net1"].reference, ci["app2"].reference}


def test_a_ci_nothing_depends_on_has_no_impact(graph: dict[str, Any]) -> None:
    impact = selectors.impact_of(selectors.ci_detail().get(pk=graph["ci"]["app2"].pk))
    assert _summary(impact) == {("service", "email", 1), ("customer", "gamma", 2)}
    assert selectors.impact_of(selectors.ci_detail().get(pk=graph["ci"]["lonely"].pk)).nodes == []


def test_max_depth_bounds_the_walk(graph: dict[str, Any]) -> None:
    impact = selectors.impact_of(selectors.ci_detail().get(pk=graph["ci"]["srv1"].pk), max_depth=1)
    assert {n.code for n in impact.cis} == {graph["ci"]["vm1"].reference, graph["ci"]["vm2"].reference}
    assert impact.truncated


def test_impact_query_count_does_not_grow_with_the_graph(
    graph: dict[str, Any], cfg: Any, rel: dict[str, Any], django_assert_num_queries: Any
) -> None:
    kind = ConfigurationItem.objects.get(pk=graph["ci"]["vm1"].pk).ci_type
    for n in range(20):
        extra = make_ci(cfg, kind, f"extra{n}")
        services.relationship_add(
            actor=cfg, source=extra, relationship_type=rel["runs_on"], target=graph["ci"]["vm1"], reason="t"
        )
    ci = selectors.ci_detail().get(pk=graph["ci"]["srv1"].pk)
    with django_assert_num_queries(1):
        impact = selectors.impact_of(ci)
    assert len(impact.cis) == 5 + 20

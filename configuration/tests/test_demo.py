"""The demo CMDB: a few hundred valid CIs behind the demo services, idempotent, with history."""

from __future__ import annotations

import datetime
from typing import Any

from configuration import demo, selectors
from configuration.attributes import validate_attributes
from configuration.models import CIType, ConfigurationItem, Relationship
from itsm.audit import AuditEntry


def test_the_demo_cmdb_is_valid_linked_to_the_catalogue_and_idempotent(demo: dict[str, Any]) -> None:
    assert CIType.objects.count() == len(demo_module().CI_TYPES)
    cis = list(ConfigurationItem.objects.select_related("ci_type"))
    assert 150 <= len(cis) <= 400  # the compact demo; the full one has about 260
    for ci in cis:
        assert validate_attributes(ci.ci_type.attributes, ci.attributes)[1] == {}, ci
        assert ci.ci_type.name_matches(ci.name), ci
    assert len({ci.reference for ci in cis}) == len(cis)
    assert Relationship.objects.filter(target_component__isnull=False).exists()
    # Every CI and link has its history row and audit-trail entry.
    assert ConfigurationItem.history.filter(history_change_reason="seed_demo").count() == len(cis)
    assert AuditEntry.objects.filter(
        reason="seed_demo", content_type__model="configurationitem"
    ).count() == len(cis)

    links = Relationship.objects.count()
    again = demo_module().seed(users=demo, today=datetime.date(2026, 11, 21), compact=True)
    assert {kind: n for kind, n in again.items() if n} == {}
    assert Relationship.objects.count() == links


def test_a_core_switch_failure_reaches_services_and_customers(demo: dict[str, Any]) -> None:
    core = selectors.ci_detail().get(name="sw-core-01")
    impact = selectors.impact_of(core)
    assert {s.code for s in impact.services} >= {
        "network",
        "hosting",
        "email",
        "erp",
        "sales-platform",
        "service-desk",
    }
    assert impact.customers
    shop = selectors.impact_of(selectors.ci_detail().get(name="UnionPay online payment"))
    assert {s.code for s in shop.services} == {"sales-platform"}


def demo_module() -> Any:
    return demo

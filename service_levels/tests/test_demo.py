"""The demo catalogue loads, is idempotent and shows what the pages are meant to show."""

from __future__ import annotations

import datetime
from typing import Any

from service_levels import demo as sl_demo
from service_levels import selectors
from service_levels.models import Agreement, BusinessCalendar, Customer, Service


def test_demo_is_complete_and_idempotent(demo: dict[str, Any]) -> None:
    assert set(BusinessCalendar.objects.values_list("code", flat=True)) >= {"china-business-hours", "24x7"}
    assert Service.objects.count() >= 6
    assert Customer.objects.count() >= 3
    finance = Agreement.objects.get(title="IT services for the finance department")
    assert finance.state == "agreed"
    assert finance.target_gaps() == ["P4"]
    assert Agreement.objects.filter(kind="ola", state="agreed").count() == 3
    office = BusinessCalendar.objects.get(code="china-business-hours")
    assert office.versions.count() == 2
    users = {u.username: u for u in demo.values()}
    again = sl_demo.seed(users=users, today=datetime.date(2026, 11, 21))
    assert set(again.values()) == {0}
    erp = Service.objects.get(code="erp")
    retail = Customer.objects.get(code="huaxin-retail")
    found = selectors.applicable_agreements(
        customer=retail,
        service=Service.objects.get(code="sales-platform"),
        team=erp.team,
        at=datetime.date(2026, 6, 1),
    )
    assert [a.kind for a in found] == ["sla", "ola"]

"""The service catalogue: services, components, dependencies (no self, no cycle), retirement, customers
and contacts; every write a history row with its actor and reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from service_levels import selectors, services
from service_levels.choices import ServiceStatus
from service_levels.models import Contact, Customer, Service, ServiceComponent, ServiceDependency


def _service(demo: dict[str, Any], code: str, actor: str = "slm", **extra: Any) -> Service:
    return services.service_create(
        actor=demo[actor], data={"code": code, "name": code.title(), "owner": demo["slm"], **extra}
    )


@pytest.fixture
def chain(demo: dict[str, Any]) -> tuple[Service, Service, Service]:
    """shop → erp → hosting."""
    shop, erp, hosting = (_service(demo, c) for c in ("t-shop", "t-erp", "t-hosting"))
    services.dependency_add(service=shop, depends_on=erp, actor=demo["slm"])
    services.dependency_add(service=erp, depends_on=hosting, actor=demo["slm"])
    return shop, erp, hosting


def test_create_and_update_write_history_with_actor_and_the_authorising_change(demo: dict[str, Any]) -> None:
    service = _service(demo, "t-mail")
    services.service_update(
        service=service, actor=demo["slm"], data={"name": "Mail"}, authorising_change="rfc-000042"
    )
    service.refresh_from_db()
    assert service.authorising_change == "RFC-000042"
    rows = list(service.history.order_by("history_id"))
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in rows] == [
        ("+", demo["slm"], "create"),
        ("~", demo["slm"], "update: RFC-000042"),
    ]
    assert rows[-1].name == "Mail"


def test_a_malformed_change_reference_is_refused(demo: dict[str, Any]) -> None:
    service = _service(demo, "t-mail")
    with pytest.raises(ValidationError) as error:
        services.service_update(service=service, actor=demo["slm"], data={}, authorising_change="the rfc")
    assert error.value.message_dict == {
        "authorising_change": ["Give the reference of the authorising change, e.g. RFC-000123."]
    }


def test_only_service_level_managers_write_the_catalogue(demo: dict[str, Any]) -> None:
    for username in ("agent", "auditor", "requester", "incident.manager"):
        with pytest.raises(PermissionDenied):
            _service(demo, f"t-{username}", actor=username)
    assert not Service.objects.filter(code__startswith="t-").exists()


def test_a_service_cannot_depend_on_itself(demo: dict[str, Any]) -> None:
    service = _service(demo, "t-mail")
    with pytest.raises(ValidationError) as error:
        services.dependency_add(service=service, depends_on=service, actor=demo["slm"])
    assert error.value.message_dict == {"depends_on": ["A service cannot depend on itself."]}


def test_a_dependency_cycle_is_refused_however_long(
    demo: dict[str, Any], chain: tuple[Service, Service, Service]
) -> None:
    shop, _erp, hosting = chain
    with pytest.raises(ValidationError) as error:
        services.dependency_add(service=hosting, depends_on=shop, actor=demo["slm"])
    assert error.value.message_dict["depends_on"] == [
        "This would make a cycle: T-Shop already depends on T-Hosting, directly or through other services."
    ]
    assert not ServiceDependency.objects.filter(service=hosting).exists()


def test_a_cycle_through_a_component_is_refused_too(
    demo: dict[str, Any], chain: tuple[Service, Service, Service]
) -> None:
    shop, _erp, hosting = chain
    checkout = services.component_add(service=shop, actor=demo["slm"], data={"name": "Checkout"})
    with pytest.raises(ValidationError) as error:
        services.dependency_add(service=hosting, component=checkout, actor=demo["slm"])
    assert "cycle" in error.value.message_dict["component"][0]
    # Depending on its own component is no cycle.
    services.dependency_add(service=shop, component=checkout, actor=demo["slm"])


def test_cycle_check_is_one_query(
    demo: dict[str, Any], chain: tuple[Service, Service, Service], django_assert_num_queries: Any
) -> None:
    shop, _erp, hosting = chain
    with django_assert_num_queries(1):
        assert selectors.service_depends_on(service=shop, other=hosting)
    with django_assert_num_queries(1):
        assert not selectors.service_depends_on(service=hosting, other=shop)


def test_dependency_needs_exactly_one_target_and_is_not_recorded_twice(
    demo: dict[str, Any], chain: tuple[Service, Service, Service]
) -> None:
    shop, erp, _hosting = chain
    with pytest.raises(ValidationError, match="either a service or a component"):
        services.dependency_add(service=shop, actor=demo["slm"])
    with pytest.raises(ValidationError) as error:
        services.dependency_add(service=shop, depends_on=erp, actor=demo["slm"])
    assert error.value.message_dict == {"depends_on": ["This dependency is already recorded."]}


def test_dependency_tree_both_ways(demo: dict[str, Any], chain: tuple[Service, Service, Service]) -> None:
    shop, erp, hosting = chain
    down = selectors.dependency_tree(service=shop, direction="down")
    assert [c.service for c in down.children] == [erp]
    assert [c.service for c in down.children[0].children] == [hosting]
    up = selectors.dependency_tree(service=hosting, direction="up")
    assert [c.service for c in up.children] == [erp]
    assert [c.service for c in up.children[0].children] == [shop]


def test_retiring_a_service_others_still_need_is_refused(
    demo: dict[str, Any], chain: tuple[Service, Service, Service]
) -> None:
    shop, erp, _hosting = chain
    with pytest.raises(ValidationError) as error:
        services.service_retire(service=erp, actor=demo["slm"])
    assert "T-Shop" in error.value.messages[0]
    services.service_retire(service=shop, actor=demo["slm"], authorising_change="RFC-7", note="replaced")
    services.service_retire(service=erp, actor=demo["slm"])
    erp.refresh_from_db()
    assert erp.status == ServiceStatus.RETIRED
    assert shop.history.first().history_change_reason == "retire: RFC-7 — replaced"


def test_component_remove_takes_its_dependencies_with_history(demo: dict[str, Any]) -> None:
    shop, erp = _service(demo, "t-shop"), _service(demo, "t-erp")
    ledger = services.component_add(service=erp, actor=demo["slm"], data={"name": "Ledger"})
    with pytest.raises(ValidationError) as error:
        services.component_add(service=erp, actor=demo["slm"], data={"name": "ledger"})
    assert error.value.message_dict == {"name": ["This service already has a component with this name."]}
    dependency = services.dependency_add(service=shop, component=ledger, actor=demo["slm"])
    services.component_remove(component=ledger, actor=demo["slm"], authorising_change="RFC-9")
    assert not ServiceComponent.objects.filter(pk=ledger.pk).exists()
    deleted = ServiceDependency.history.get(id=dependency.pk, history_type="-")
    assert (deleted.history_user, deleted.history_change_reason) == (demo["slm"], "remove: RFC-9")


def test_customer_needs_a_staff_relationship_owner(demo: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        services.customer_create(actor=demo["slm"], data={"code": "t-acme", "name": "Acme"})
    assert error.value.message_dict == {
        "relationship_owner": ["Name the relationship owner: the person responsible for this customer."]
    }
    with pytest.raises(ValidationError) as error:
        services.customer_create(
            actor=demo["slm"],
            data={"code": "t-acme", "name": "Acme", "relationship_owner": demo["requester"]},
        )
    assert error.value.message_dict == {
        "relationship_owner": ["The relationship owner must be an active member of staff."]
    }


def test_customer_services_received_are_history(demo: dict[str, Any]) -> None:
    mail = _service(demo, "t-mail")
    customer = services.customer_create(
        actor=demo["slm"],
        data={"code": "t-acme", "name": "Acme", "relationship_owner": demo["slm"]},
        services=[mail],
    )
    assert list(customer.services.all()) == [mail]
    latest = customer.history.first()
    assert latest.history_user == demo["slm"]
    assert [m.service for m in latest.services.all()] == [mail]
    services.customer_update(customer=customer, actor=demo["slm"], data={}, services=[])
    assert customer.history.first().services.count() == 0


def test_one_primary_contact_per_customer(demo: dict[str, Any]) -> None:
    customer = services.customer_create(
        actor=demo["slm"], data={"code": "t-acme", "name": "Acme", "relationship_owner": demo["slm"]}
    )
    first = services.contact_add(
        customer=customer, actor=demo["slm"], data={"name": "Ann", "email": "a@x.cn", "is_primary": True}
    )
    second = services.contact_add(
        customer=customer, actor=demo["slm"], data={"name": "Bo", "phone": "123", "is_primary": True}
    )
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    assert first.history.first().history_change_reason == "primary contact changed"
    with pytest.raises(ValidationError) as error:
        services.contact_add(customer=customer, actor=demo["slm"], data={"name": "Cy"})
    assert list(error.value.message_dict) == ["email"]
    services.contact_remove(contact=first, actor=demo["slm"])
    assert list(Contact.objects.filter(customer=customer)) == [second]
    with pytest.raises(PermissionDenied):
        services.contact_remove(contact=second, actor=demo["agent"])


def test_customers_are_hidden_from_requesters(demo: dict[str, Any]) -> None:
    from itsm.policy import policy

    assert policy.scope(demo["requester"], "view", Customer.objects.all()).count() == 0
    assert policy.allows(demo["agent"], "view", Customer)
    assert policy.allows(demo["auditor"], "view", Customer)
    assert not policy.allows(demo["resolver"], "view", Customer)
    assert policy.allows(demo["resolver"], "view", Service)  # the catalogue is for all staff

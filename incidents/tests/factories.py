"""Factories and helpers of incident tests."""

from __future__ import annotations

from typing import Any

from incidents import services
from incidents.models import Category, Incident
from itsm.choices import Role
from itsm.models import User
from itsm.tests.factories import TeamFactory, UserFactory
from service_levels.models import Contact, Customer, Service


def make_people() -> dict[str, Any]:
    """One person per incident role, a support team and the service desk team."""
    return {
        "requester": UserFactory(roles=[Role.REQUESTER]),
        "other_requester": UserFactory(roles=[Role.REQUESTER]),
        "agent": UserFactory(roles=[Role.SERVICE_DESK_AGENT]),
        "resolver": UserFactory(roles=[Role.RESOLVER]),
        "manager": UserFactory(roles=[Role.INCIDENT_MANAGER]),
        "auditor": UserFactory(roles=[Role.INTERNAL_AUDITOR]),
        "gm": UserFactory(roles=[Role.TOP_MANAGEMENT]),
    }


def make_team(*members: User, **kwargs: Any) -> Any:
    return TeamFactory(members=list(members), **kwargs)


def make_service(owner: User, **kwargs: Any) -> Service:
    n = Service.objects.count() + 1
    kwargs.setdefault("code", f"svc-{n}")
    kwargs.setdefault("name", f"Service {n}")
    return Service.objects.create(owner=owner, **kwargs)


def make_customer(
    owner: User, *services_: Service, contacts: tuple[User, ...] = (), **kwargs: Any
) -> Customer:
    n = Customer.objects.count() + 1
    kwargs.setdefault("code", f"cust-{n}")
    kwargs.setdefault("name", f"Customer {n}")
    customer = Customer.objects.create(relationship_owner=owner, **kwargs)
    customer.services.set(services_)
    for person in contacts:
        Contact.objects.create(customer=customer, name=str(person), user=person)
    return customer


def make_category(**kwargs: Any) -> Category:
    n = Category.objects.count() + 1
    kwargs.setdefault("code", f"cat-{n}")
    kwargs.setdefault("name", f"Category {n}")
    return Category.objects.create(**kwargs)


def log(actor: User, **data: Any) -> Incident:
    data.setdefault("title", "Mail does not arrive")
    return services.incident_log(actor=actor, data=data)

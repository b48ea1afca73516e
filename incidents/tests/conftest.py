"""Fixtures of the incident tests: people in each role, a support team, a service and its customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from incidents.models import Category
from itsm.models import Team, User
from service_levels.models import Customer, Service

from .factories import make_category, make_customer, make_people, make_service, make_team


@dataclass
class World:
    people: dict[str, User]
    team: Team
    other_team: Team
    service: Service
    customer: Customer
    category: Category
    security_category: Category

    def __getitem__(self, name: str) -> User:
        return self.people[name]


@pytest.fixture
def world(db: Any, settings: Any) -> World:
    people = make_people()
    team = make_team(people["resolver"], people["agent"], code="app-support", name="Application support")
    other_team = make_team(people["manager"], code="infrastructure", name="Infrastructure")
    service = make_service(people["manager"], name="E-mail", team=team)
    customer = make_customer(people["manager"], service, contacts=(people["requester"],), name="Finance")
    category = make_category(name="Software", default_team=team)
    security = make_category(name="Security", is_security=True)
    return World(people, team, other_team, service, customer, category, security)

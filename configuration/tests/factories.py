"""Factories of configuration management: CI types, relationship types and CIs.

CIs are created through the services (``ci_create``), so their references, history and validation
are the real ones; ``make_ci`` is a shortcut that also moves the CI to the wanted state.
"""

from __future__ import annotations

from typing import Any

import factory

from configuration import services
from configuration.choices import CIState, ImpactDirection
from configuration.models import CIType, ConfigurationItem, RelationshipType


class RelationshipTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelationshipType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"rel-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " "))
    inverse_name = factory.LazyAttribute(lambda o: f"inverse of {o.name}")
    acyclic = True
    propagates_impact = True
    impact_direction = ImpactDirection.TO_SOURCE


class CITypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CIType
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    description = "A kind of configuration item used in tests."
    attribute_schema: Any = factory.LazyFunction(list)

    @factory.post_generation
    def relationship_types(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.allowed_relationship_types.set(extracted)


PATH_TO = {
    CIState.PLANNED: [],
    CIState.IN_BUILD: ["start_build"],
    CIState.IN_TEST: ["start_build", "start_test"],
    CIState.LIVE: ["start_build", "start_test", "go_live"],
    CIState.MAINTENANCE: ["start_build", "start_test", "go_live", "start_maintenance"],
    CIState.RETIRED: ["retire"],
}


def make_ci(
    actor: Any, ci_type: CIType, name: str, *, state: str = CIState.PLANNED, **data: Any
) -> ConfigurationItem:
    ci = services.ci_create(actor=actor, data={"ci_type": ci_type, "name": name, **data})
    for step in PATH_TO[CIState(state)]:
        services.CI_TRANSITIONS[step](ci=ci, actor=actor, note="test step", rfc_reference="RFC-000001")
    return ci

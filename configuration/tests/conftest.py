"""Fixtures of configuration management tests: a configuration manager and the relationship types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from configuration.choices import ImpactDirection
from itsm.choices import Role

from .factories import RelationshipTypeFactory


@pytest.fixture
def cfg(make_user: Callable[..., Any]) -> Any:
    """A configuration manager."""
    return make_user(Role.CONFIGURATION_MANAGER, username="cfg")


@pytest.fixture
def rel(db: Any) -> dict[str, Any]:
    """runs on (acyclic, the source depends on the target), depends on (acyclic), connects to (loops
    allowed, both ends depend on each other), part of (the target depends on the source), documents
    (no impact)."""
    return {
        "runs_on": RelationshipTypeFactory(code="runs-on", name="runs on", inverse_name="hosts"),
        "depends_on": RelationshipTypeFactory(
            code="depends-on", name="depends on", inverse_name="is used by"
        ),
        "connects_to": RelationshipTypeFactory(
            code="connects-to",
            name="connects to",
            inverse_name="connects to",
            acyclic=False,
            impact_direction=ImpactDirection.BOTH,
        ),
        "part_of": RelationshipTypeFactory(
            code="part-of",
            name="part of",
            inverse_name="consists of",
            impact_direction=ImpactDirection.TO_TARGET,
        ),
        "documents": RelationshipTypeFactory(
            code="documents", name="documents", inverse_name="documented by", propagates_impact=False
        ),
    }

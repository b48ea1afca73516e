"""Relationship rules: allowed types, no self-links, no duplicates, no loops where the type forbids
them, RFCs for controlled CIs, removal with a reason."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from configuration import selectors, services
from configuration.choices import CIState
from configuration.models import Relationship
from itsm.choices import Role
from service_levels.models import Service

from .factories import CITypeFactory, make_ci


@pytest.fixture
def kind(rel: dict[str, Any]) -> Any:
    return CITypeFactory(code="thing", name="Thing", relationship_types=list(rel.values()))


def _add(cfg: Any, source: Any, relation: Any, target: Any = None, **kwargs: Any) -> Relationship:
    return services.relationship_add(
        actor=cfg, source=source, relationship_type=relation, target=target, reason="test", **kwargs
    )


def test_a_type_not_allowed_for_the_source_type_is_refused(cfg: Any, rel: dict[str, Any]) -> None:
    document = CITypeFactory(code="document", name="Document", relationship_types=[rel["documents"]])
    doc = make_ci(cfg, document, "d1")
    other = make_ci(cfg, document, "d2")
    with pytest.raises(ValidationError) as error:
        _add(cfg, doc, rel["runs_on"], other)
    assert "may not start" in error.value.message_dict["relationship_type"][0]
    _add(cfg, doc, rel["documents"], other)


def test_self_links_duplicates_and_missing_targets_are_refused(
    cfg: Any, kind: Any, rel: dict[str, Any]
) -> None:
    a, b = make_ci(cfg, kind, "a"), make_ci(cfg, kind, "b")
    with pytest.raises(ValidationError):
        _add(cfg, a, rel["runs_on"], a)
    _add(cfg, a, rel["runs_on"], b)
    with pytest.raises(ValidationError) as error:
        _add(cfg, a, rel["runs_on"], b)
    assert "already exists" in str(error.value)
    with pytest.raises(ValidationError):
        _add(cfg, a, rel["runs_on"])
    service = Service.objects.create(code="erp", name="ERP", owner=cfg)
    with pytest.raises(ValidationError):
        _add(cfg, a, rel["part_of"], b, target_service=service)
    assert Relationship.objects.count() == 1


def test_a_loop_is_refused_for_acyclic_types_only(cfg: Any, kind: Any, rel: dict[str, Any]) -> None:
    a, b, c, d = (make_ci(cfg, kind, n) for n in "abcd")
    _add(cfg, a, rel["depends_on"], b)
    _add(cfg, b, rel["depends_on"], c)
    _add(cfg, c, rel["depends_on"], d)
    assert selectors.creates_cycle(source_id=d.pk, target_id=a.pk, relationship_type_id=rel["depends_on"].pk)
    with pytest.raises(ValidationError) as error:
        _add(cfg, d, rel["depends_on"], a)
    assert "close a loop" in error.value.message_dict["target"][0]
    # A loop through another type is no loop of this type.
    _add(cfg, d, rel["runs_on"], a)
    # Types that allow loops take them.
    _add(cfg, a, rel["connects_to"], b)
    _add(cfg, b, rel["connects_to"], a)
    # A shortcut that closes no loop is fine.
    _add(cfg, a, rel["depends_on"], d)


def test_the_cycle_check_is_one_query(
    cfg: Any, kind: Any, rel: dict[str, Any], django_assert_num_queries: Any
) -> None:
    cis = [make_ci(cfg, kind, f"n{i}") for i in range(8)]
    for first, second in itertools.pairwise(cis):
        _add(cfg, first, rel["depends_on"], second)
    with django_assert_num_queries(1):
        assert selectors.creates_cycle(
            source_id=cis[-1].pk, target_id=cis[0].pk, relationship_type_id=rel["depends_on"].pk
        )
    with django_assert_num_queries(1):
        assert not selectors.creates_cycle(
            source_id=cis[0].pk, target_id=cis[-1].pk, relationship_type_id=rel["depends_on"].pk
        )


def test_links_to_services_and_components(cfg: Any, kind: Any, rel: dict[str, Any]) -> None:
    a = make_ci(cfg, kind, "a")
    service = Service.objects.create(code="erp", name="ERP", owner=cfg)
    link = _add(cfg, a, rel["part_of"], target_service=service)
    assert link.target_object == service
    with pytest.raises(ValidationError):
        _add(cfg, a, rel["part_of"], target_service=service)


def test_a_controlled_live_ci_needs_an_rfc_for_its_links(cfg: Any, rel: dict[str, Any]) -> None:
    db = CITypeFactory(
        code="database", name="Database", change_controlled=True, relationship_types=[rel["runs_on"]]
    )
    a = make_ci(cfg, db, "a", state=CIState.LIVE)
    b = make_ci(cfg, db, "b")
    with pytest.raises(ValidationError) as error:
        _add(cfg, a, rel["runs_on"], b)
    assert "rfc_reference" in error.value.message_dict
    link = _add(cfg, a, rel["runs_on"], b, rfc_reference="RFC-000042")
    assert link.rfc_reference == "RFC-000042"
    with pytest.raises(ValidationError):
        services.relationship_remove(relationship=link, actor=cfg, reason="wrong host")
    services.relationship_remove(
        relationship=link, actor=cfg, reason="wrong host", rfc_reference="RFC-000043"
    )
    assert not Relationship.objects.exists()


def test_removal_needs_a_reason_and_is_kept_in_history(cfg: Any, kind: Any, rel: dict[str, Any]) -> None:
    a, b = make_ci(cfg, kind, "a"), make_ci(cfg, kind, "b")
    link = _add(cfg, a, rel["runs_on"], b)
    with pytest.raises(ValidationError):
        services.relationship_remove(relationship=link, actor=cfg, reason=" ")
    pk = link.pk
    services.relationship_remove(relationship=link, actor=cfg, reason="moved to another host")
    deleted = Relationship.history.filter(id=pk, history_type="-").get()
    assert deleted.history_user == cfg
    assert deleted.history_change_reason == "moved to another host"


def test_only_configuration_managers_link(make_user: Any, cfg: Any, kind: Any, rel: dict[str, Any]) -> None:
    a, b = make_ci(cfg, kind, "a"), make_ci(cfg, kind, "b")
    agent = make_user(Role.SERVICE_DESK_AGENT)
    with pytest.raises(PermissionDenied):
        _add(agent, a, rel["runs_on"], b)
    link = _add(cfg, a, rel["runs_on"], b)
    with pytest.raises(PermissionDenied):
        services.relationship_remove(relationship=link, actor=agent, reason="x")

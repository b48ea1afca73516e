"""The CI lifecycle: allowed and refused moves, the RFC rule of controlled types, retirement guard."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from configuration import services
from configuration.choices import CIState
from configuration.models import ConfigurationItem
from itsm.choices import Role
from itsm.records import TransitionLog

from .factories import CITypeFactory, make_ci


@pytest.fixture
def server(rel: dict[str, Any]) -> Any:
    return CITypeFactory(code="server", name="Server", relationship_types=list(rel.values()))


@pytest.fixture
def controlled(rel: dict[str, Any]) -> Any:
    return CITypeFactory(
        code="database", name="Database", change_controlled=True, relationship_types=list(rel.values())
    )


def test_the_whole_lifecycle_with_history_and_transition_log(cfg: Any, server: Any) -> None:
    ci = make_ci(cfg, server, "s1")
    assert ci.reference.startswith("CI-")
    assert ci.state == CIState.PLANNED
    services.ci_start_build(ci=ci, actor=cfg)
    services.ci_start_test(ci=ci, actor=cfg)
    services.ci_return_to_build(ci=ci, actor=cfg, note="disk errors")
    services.ci_start_test(ci=ci, actor=cfg)
    services.ci_go_live(ci=ci, actor=cfg)
    services.ci_start_maintenance(ci=ci, actor=cfg)
    services.ci_end_maintenance(ci=ci, actor=cfg)
    services.ci_retire(ci=ci, actor=cfg, note="replaced by s2")
    services.ci_dispose(ci=ci, actor=cfg, note="disks shredded, licence returned")
    ci.refresh_from_db()
    assert ci.state == CIState.DISPOSED
    assert ci.disposal_note == "disks shredded, licence returned"
    log = list(TransitionLog.objects.filter(reference=ci.reference).values_list("transition", flat=True))
    assert log[0] == "start_build"
    assert log[-1] == "dispose"
    latest = ci.history.first()
    assert latest.history_user == cfg
    assert latest.history_change_reason == "dispose"


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (CIState.PLANNED, "go_live"),
        (CIState.PLANNED, "start_test"),
        (CIState.IN_BUILD, "go_live"),
        (CIState.LIVE, "start_build"),
        (CIState.LIVE, "end_maintenance"),
        (CIState.LIVE, "dispose"),
        (CIState.RETIRED, "go_live"),
    ],
)
def test_moves_not_allowed_from_a_state_are_refused(cfg: Any, server: Any, state: str, step: str) -> None:
    ci = make_ci(cfg, server, "s1", state=state)
    with pytest.raises(TransitionNotAllowed):
        services.CI_TRANSITIONS[step](ci=ci, actor=cfg, note="why not", rfc_reference="RFC-1")
    assert ConfigurationItem.objects.get(pk=ci.pk).state == state


def test_a_controlled_ci_goes_live_and_changes_only_with_an_rfc(cfg: Any, controlled: Any) -> None:
    ci = make_ci(cfg, controlled, "db1", state=CIState.IN_TEST)
    with pytest.raises(ValidationError) as error:
        services.ci_go_live(ci=ci, actor=cfg)
    assert "under change control" in error.value.message_dict["rfc_reference"][0]
    with pytest.raises(ValidationError):
        services.ci_go_live(ci=ci, actor=cfg, rfc_reference="change 12")
    services.ci_go_live(ci=ci, actor=cfg, rfc_reference="rfc-000012")
    ci.refresh_from_db()
    assert ci.state == CIState.LIVE
    assert ci.rfc_reference == "RFC-000012"

    with pytest.raises(ValidationError) as error:
        services.ci_update(ci=ci, actor=cfg, data={"version": "15.2"})
    assert "rfc_reference" in error.value.message_dict
    assert ConfigurationItem.objects.get(pk=ci.pk).version == ""
    services.ci_update(ci=ci, actor=cfg, data={"version": "15.2", "rfc_reference": "RFC-000013"})
    ci.refresh_from_db()
    assert (ci.version, ci.rfc_reference) == ("15.2", "RFC-000013")
    # Saving without a change needs no RFC and writes no history.
    rows = ci.history.count()
    services.ci_update(ci=ci, actor=cfg, data={"version": "15.2"})
    assert ci.history.count() == rows


def test_an_uncontrolled_ci_changes_without_an_rfc(cfg: Any, server: Any) -> None:
    ci = make_ci(cfg, server, "s1", state=CIState.LIVE)
    services.ci_update(ci=ci, actor=cfg, data={"location": "Room 2"})
    assert ConfigurationItem.objects.get(pk=ci.pk).location == "Room 2"


def test_a_ci_keeps_its_type(cfg: Any, server: Any, controlled: Any) -> None:
    ci = make_ci(cfg, server, "s1")
    with pytest.raises(ValidationError):
        services.ci_update(ci=ci, actor=cfg, data={"ci_type": controlled})


def test_retiring_is_refused_while_live_cis_depend_on_it(cfg: Any, server: Any, rel: dict[str, Any]) -> None:
    host = make_ci(cfg, server, "host", state=CIState.LIVE)
    guest = make_ci(cfg, server, "guest", state=CIState.LIVE)
    services.relationship_add(
        actor=cfg, source=guest, relationship_type=rel["runs_on"], target=host, reason="t"
    )
    with pytest.raises(ValidationError) as error:
        services.ci_retire(ci=host, actor=cfg, note="old")
    assert guest.reference in error.value.message_dict["note"][0]
    assert host.live_dependants().get() == guest
    services.ci_retire(ci=guest, actor=cfg, note="moved")
    services.ci_retire(ci=host, actor=cfg, note="old")
    assert ConfigurationItem.objects.get(pk=host.pk).state == CIState.RETIRED


def test_links_without_impact_do_not_block_retirement(cfg: Any, server: Any, rel: dict[str, Any]) -> None:
    host = make_ci(cfg, server, "host", state=CIState.LIVE)
    doc = make_ci(cfg, server, "doc", state=CIState.LIVE)
    services.relationship_add(
        actor=cfg, source=doc, relationship_type=rel["documents"], target=host, reason="t"
    )
    services.ci_retire(ci=host, actor=cfg, note="old")


def test_notes_that_are_records_are_required(cfg: Any, server: Any) -> None:
    ci = make_ci(cfg, server, "s1", state=CIState.RETIRED)
    with pytest.raises(ValidationError):
        services.ci_dispose(ci=ci, actor=cfg, note=" ")
    with pytest.raises(ValidationError):
        services.ci_retire(ci=make_ci(cfg, server, "s2"), actor=cfg, note="")


def test_only_configuration_managers_write(make_user: Any, cfg: Any, server: Any) -> None:
    ci = make_ci(cfg, server, "s1")
    agent = make_user(Role.SERVICE_DESK_AGENT)
    with pytest.raises(PermissionDenied):
        services.ci_create(actor=agent, data={"ci_type": server, "name": "x"})
    with pytest.raises(PermissionDenied):
        services.ci_update(ci=ci, actor=agent, data={"location": "x"})
    with pytest.raises(PermissionDenied):
        services.ci_start_build(ci=ci, actor=agent)
    assert ConfigurationItem.objects.get(pk=ci.pk).state == CIState.PLANNED


def test_a_disposed_ci_is_frozen(cfg: Any, server: Any) -> None:
    ci = make_ci(cfg, server, "s1", state=CIState.RETIRED)
    services.ci_dispose(ci=ci, actor=cfg, note="shredded")
    with pytest.raises(PermissionDenied):
        services.ci_update(ci=ci, actor=cfg, data={"location": "x"})


def test_names_are_unique_per_type_among_cis_in_use(cfg: Any, server: Any) -> None:
    old = make_ci(cfg, server, "mail01")
    with pytest.raises(ValidationError):
        make_ci(cfg, server, "MAIL01")
    services.ci_retire(ci=old, actor=cfg, note="replaced")
    assert make_ci(cfg, server, "mail01").pk != old.pk

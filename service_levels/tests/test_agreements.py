"""SLAs and OLAs: drafts, targets per priority with visible gaps, agreeing, revising (a new draft that
supersedes the old one once agreed), expiring, and which agreements apply to a record."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from itsm.models import Team
from itsm.records import TransitionLog
from service_levels import selectors, services
from service_levels.choices import AgreementState
from service_levels.models import Agreement, Customer

TARGETS = [
    {"priority": "P1", "respond_minutes": 15, "resolve_minutes": 240},
    {"priority": "P2", "respond_minutes": 30, "resolve_minutes": 480},
    {"priority": "P3", "respond_minutes": 120, "resolve_minutes": 1440},
]


@pytest.fixture
def scope(demo: dict[str, Any]) -> dict[str, Any]:
    slm = demo["slm"]
    calendar = services.calendar_create(
        actor=slm,
        data={"code": "t-office", "name": "Office"},
        rules={"time_zone": "Asia/Shanghai", "weekly_hours": [[["09:00", "18:00"]]] * 5 + [[], []]},
        valid_from=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    mail = services.service_create(actor=slm, data={"code": "t-mail", "name": "Mail", "owner": slm})
    erp = services.service_create(actor=slm, data={"code": "t-erp", "name": "ERP", "owner": slm})
    customer = services.customer_create(
        actor=slm,
        data={"code": "t-acme", "name": "Acme", "relationship_owner": slm},
        services=[mail, erp],
    )
    return {"calendar": calendar, "mail": mail, "erp": erp, "customer": customer, "slm": slm}


def _sla(scope: dict[str, Any], **extra: Any) -> Agreement:
    data = {
        "kind": "sla",
        "title": "Acme mail",
        "customer": scope["customer"],
        "calendar": scope["calendar"],
        "owner": scope["slm"],
        "effective_from": datetime.date(2026, 1, 1),
        **extra,
    }
    return services.agreement_create(actor=scope["slm"], data=data, services=[scope["mail"]], targets=TARGETS)


def test_references_per_kind_and_gaps_are_visible(demo: dict[str, Any], scope: dict[str, Any]) -> None:
    sla = _sla(scope)
    assert sla.reference.startswith("SLA-")
    assert sla.state == AgreementState.DRAFT
    assert sla.target_gaps() == ["P4"]
    ola = services.agreement_create(
        actor=scope["slm"],
        data={
            "kind": "ola",
            "title": "Service desk",
            "team": Team.objects.get(code="service-desk"),
            "calendar": scope["calendar"],
            "owner": scope["slm"],
        },
    )
    assert ola.reference.startswith("OLA-")
    assert ola.target_gaps() == ["P1", "P2", "P3", "P4"]


def test_kind_rules_have_sentences(demo: dict[str, Any], scope: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=scope["slm"],
            data={
                "kind": "sla",
                "title": "x",
                "team": Team.objects.get(code="service-desk"),
                "calendar": scope["calendar"],
                "owner": scope["slm"],
                "effective_from": datetime.date(2026, 2, 1),
                "effective_to": datetime.date(2026, 1, 1),
                "warn_percent": 90,
                "critical_percent": 80,
            },
            services=[],
        )
    assert error.value.message_dict == {
        "customer": ["An SLA is agreed with a customer: choose one."],
        "team": ["An SLA is agreed with a customer, not a team; use an OLA for a team."],
        "effective_to": ["The end date is before the start date."],
        "critical_percent": ["The critical threshold must be above the warning threshold."],
        "services": ["Choose the services this SLA covers."],
    }
    hosting = services.service_create(
        actor=scope["slm"], data={"code": "t-hosting", "name": "Hosting", "owner": scope["slm"]}
    )
    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=scope["slm"],
            data={
                "title": "x",
                "customer": scope["customer"],
                "calendar": scope["calendar"],
                "owner": scope["slm"],
            },
            services=[hosting],
        )
    assert error.value.message_dict == {
        "services": ["Acme does not receive Hosting; add the service to the customer first."]
    }
    assert not Agreement.objects.filter(title="x").exists()


def test_target_validation(demo: dict[str, Any], scope: dict[str, Any]) -> None:
    sla = _sla(scope)
    with pytest.raises(ValidationError) as error:
        services.agreement_targets_set(
            agreement=sla,
            actor=scope["slm"],
            targets=[
                {"priority": "P1", "respond_minutes": 60, "resolve_minutes": 30},
                {"priority": "P2", "respond_minutes": 0},
                {"priority": "P9", "respond_minutes": 5},
            ],
        )
    assert error.value.message_dict == {
        "P1": ["P1: the time to resolve cannot be shorter than the time to respond."],
        "P2": ["Targets are whole minutes, at least 1."],
        "targets": ["P9 is not a priority (P1 to P4)."],
    }
    assert sla.targets.count() == 3  # nothing changed


def test_targets_replace_with_history(demo: dict[str, Any], scope: dict[str, Any]) -> None:
    sla = _sla(scope)
    services.agreement_targets_set(
        agreement=sla,
        actor=scope["slm"],
        targets=[
            {"priority": "P1", "respond_minutes": 10, "resolve_minutes": 240},
            {"priority": "P4", "respond_minutes": None, "resolve_minutes": 4800},
        ],
    )
    assert {t.priority: (t.respond_minutes, t.resolve_minutes) for t in sla.targets.all()} == {
        "P1": (10, 240),
        "P4": (None, 4800),
    }
    assert sla.target_gaps() == ["P2", "P3"]
    p2 = sla.targets.model.history.filter(agreement_id=sla.pk, priority="P2").order_by("history_id")
    assert [(r.history_type, r.history_change_reason) for r in p2] == [("+", "targets"), ("-", "targets")]


def test_agree_guard_explains_what_is_missing(demo: dict[str, Any], scope: dict[str, Any]) -> None:
    sla = services.agreement_create(
        actor=scope["slm"],
        data={
            "title": "x",
            "customer": scope["customer"],
            "calendar": scope["calendar"],
            "owner": scope["slm"],
        },
        services=[scope["mail"]],
    )
    with pytest.raises(ValidationError) as error:
        services.agreement_agree(agreement=sla, actor=scope["slm"])
    assert error.value.message_dict == {
        "effective_from": ["Set the date the agreement takes effect."],
        "targets": ["Set at least one target."],
    }
    sla.refresh_from_db()
    assert sla.state == AgreementState.DRAFT


def test_agree_records_who_and_when_and_locks_the_draft(demo: dict[str, Any], scope: dict[str, Any]) -> None:
    sla = _sla(scope)
    with pytest.raises(PermissionDenied):
        services.agreement_agree(agreement=sla, actor=demo["agent"])
    services.agreement_agree(agreement=sla, actor=scope["slm"], note="signed 2025-12-20")
    sla.refresh_from_db()
    assert (sla.state, sla.agreed_by) == (AgreementState.AGREED, scope["slm"])
    assert sla.agreed_at is not None
    log = TransitionLog.objects.get(reference=sla.reference)
    assert (log.transition, log.comment) == ("agree", "signed 2025-12-20")
    with pytest.raises(PermissionDenied):  # no edits after agreement: revise instead
        services.agreement_update(agreement=sla, actor=scope["slm"], data={"title": "changed"})
    with pytest.raises(PermissionDenied):
        services.agreement_targets_set(agreement=sla, actor=scope["slm"], targets=[])
    with pytest.raises(TransitionNotAllowed):
        services.agreement_agree(agreement=sla, actor=scope["slm"])


def test_revise_copies_and_agreeing_the_revision_supersedes(
    demo: dict[str, Any], scope: dict[str, Any]
) -> None:
    old = _sla(scope)
    services.agreement_agree(agreement=old, actor=scope["slm"])
    new = services.agreement_revise(agreement=old, actor=scope["slm"])
    assert (new.state, new.supersedes, new.title, new.customer) == (
        AgreementState.DRAFT,
        old,
        old.title,
        old.customer,
    )
    assert list(new.services.all()) == [scope["mail"]]
    assert {t.priority for t in new.targets.all()} == {"P1", "P2", "P3"}
    assert new.effective_from is None
    with pytest.raises(ValidationError, match="already exists"):
        services.agreement_revise(agreement=old, actor=scope["slm"])
    services.agreement_update(
        agreement=new, actor=scope["slm"], data={"effective_from": datetime.date(2026, 1, 1)}
    )
    with pytest.raises(ValidationError) as error:
        services.agreement_agree(agreement=new, actor=scope["slm"])
    assert "must take effect after" in error.value.message_dict["effective_from"][0]
    services.agreement_update(
        agreement=new, actor=scope["slm"], data={"effective_from": datetime.date(2026, 7, 1)}
    )
    services.agreement_targets_set(
        agreement=new, actor=scope["slm"], targets=[*TARGETS, {"priority": "P4", "resolve_minutes": 4800}]
    )
    services.agreement_agree(agreement=new, actor=scope["slm"])
    old.refresh_from_db()
    assert old.state == AgreementState.SUPERSEDED
    assert old.effective_to == datetime.date(2026, 6, 30)
    assert old.targets.count() == 3  # the old one is never edited
    log = TransitionLog.objects.get(reference=old.reference, transition="supersede")
    assert (log.reason, log.comment) == ("superseded", new.reference)

    # Which agreement applies depends on the day: the old one before the revision took effect.
    def applies(day: datetime.date) -> list[Agreement]:
        return selectors.applicable_agreements(
            customer=scope["customer"], service=scope["mail"], team=None, at=day
        )

    assert applies(datetime.date(2026, 6, 30)) == [old]
    assert applies(datetime.date(2026, 7, 1)) == [new]
    assert applies(datetime.date(2025, 12, 31)) == []


def test_expire_ends_the_agreement_today(demo: dict[str, Any], scope: dict[str, Any]) -> None:
    from django.utils import timezone

    sla = _sla(scope)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_expire(agreement=sla, actor=scope["slm"])
    services.agreement_agree(agreement=sla, actor=scope["slm"])
    services.agreement_expire(agreement=sla, actor=scope["slm"], note="contract ended")
    sla.refresh_from_db()
    assert (sla.state, sla.effective_to) == (AgreementState.EXPIRED, timezone.localdate())


def test_applicable_agreements(
    demo: dict[str, Any], scope: dict[str, Any], django_assert_num_queries: Any
) -> None:
    team = Team.objects.get(code="cab")  # a team without a demo OLA
    sla = _sla(scope)
    draft = _sla(scope, title="Draft only")
    ola = services.agreement_create(
        actor=scope["slm"],
        data={
            "kind": "ola",
            "title": "Desk",
            "team": team,
            "calendar": scope["calendar"],
            "owner": scope["slm"],
            "effective_from": datetime.date(2026, 3, 1),
        },
        targets=TARGETS,
    )
    for agreement in (sla, ola):
        services.agreement_agree(agreement=agreement, actor=scope["slm"])
    at = datetime.datetime(2026, 3, 2, 8, tzinfo=datetime.UTC)
    with django_assert_num_queries(2):
        found = selectors.applicable_agreements(
            customer=scope["customer"], service=scope["mail"], team=team, at=at
        )
        target = selectors.target_for(agreement=found[0], priority="P1")
        gap = selectors.target_for(agreement=found[0], priority="P4")
    assert found == [sla, ola]
    assert draft not in found
    assert (target.respond_minutes, target.resolve_minutes, gap) == (15, 240, None)
    # ERP is not covered by the SLA; the OLA still applies through the team.
    assert selectors.applicable_agreements(
        customer=scope["customer"], service=scope["erp"], team=team, at=at
    ) == [ola]
    # Before the OLA took effect, only the SLA.
    assert selectors.applicable_agreements(
        customer=scope["customer"], service=scope["mail"], team=team, at=datetime.date(2026, 2, 1)
    ) == [sla]
    assert selectors.applicable_agreements(customer=None, service=None, team=None, at=at) == []
    other = Customer.objects.exclude(pk=scope["customer"].pk).first()
    assert selectors.applicable_agreements(customer=other, service=scope["mail"], team=None, at=at) == []


def test_draft_edits_write_history(demo: dict[str, Any], scope: dict[str, Any]) -> None:
    sla = _sla(scope)
    services.agreement_update(
        agreement=sla,
        actor=scope["slm"],
        data={"title": "Acme mail and ERP"},
        services=[scope["mail"], scope["erp"]],
    )
    assert set(sla.services.all()) == {scope["mail"], scope["erp"]}
    rows = list(sla.history.order_by("history_id"))
    assert rows[-1].history_user == scope["slm"]
    assert any(r.title == "Acme mail and ERP" and r.history_change_reason == "update" for r in rows)
    with pytest.raises(ValidationError) as error:
        services.agreement_update(agreement=sla, actor=scope["slm"], data={"kind": "ola"})
    assert list(error.value.message_dict) == ["kind"]

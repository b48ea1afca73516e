"""The record core on its first real model, the controlled document: numbers, transitions, concurrency."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from audits import services
from audits.models import Document
from itsm.choices import Role
from itsm.records import TransitionLog, allowed_transitions, next_reference


@pytest.fixture
def people(make_user: Any) -> dict[str, Any]:
    return {
        "owner": make_user(Role.MANAGEMENT_REPRESENTATIVE),
        "approver": make_user(Role.TOP_MANAGEMENT),
        "agent": make_user(Role.SERVICE_DESK_AGENT),
    }


def new_document(owner: Any, **data: Any) -> Document:
    return services.document_create(actor=owner, data={"title": "Incident procedure", "owner": owner, **data})


def test_references_are_sequential_per_type(people: dict[str, Any]) -> None:
    first = new_document(people["owner"])
    second = new_document(people["owner"])
    assert (first.reference, second.reference) == ("DOC-000001", "DOC-000002")
    assert next_reference("TST") == "TST-000001"


def test_a_rolled_back_creation_gives_its_number_back(people: dict[str, Any]) -> None:
    new_document(people["owner"])
    with pytest.raises(ValidationError):
        services.document_create(actor=people["owner"], data={"title": "", "owner": people["owner"]})
    assert new_document(people["owner"]).reference == "DOC-000002"


def test_lifecycle_with_history_and_transition_log(people: dict[str, Any]) -> None:
    owner, approver = people["owner"], people["approver"]
    document = new_document(owner, code="ZBX-ITSM-B-07")
    services.document_submit(document=document, actor=owner)
    services.document_approve(document=document, actor=approver, note="Fits the 2018 edition.")
    services.document_publish(document=document, actor=approver)
    document.refresh_from_db()
    assert document.state == "effective"
    assert document.approved_by == approver
    assert document.effective_from is not None
    log = list(
        TransitionLog.objects.filter(reference=document.reference).values_list(
            "transition", "actor", "comment"
        )
    )
    assert log == [
        ("submit", owner.pk, ""),
        ("approve", approver.pk, "Fits the 2018 edition."),
        ("publish", approver.pk, ""),
    ]
    history = [(r.history_user, r.history_change_reason) for r in document.history.order_by("history_id")]
    assert history == [(owner, "create"), (owner, "submit"), (approver, "approve"), (approver, "publish")]


def test_the_owner_never_approves_their_own_document(people: dict[str, Any], make_user: Any) -> None:
    owner = make_user(Role.ADMINISTRATOR)
    document = new_document(owner)
    services.document_submit(document=document, actor=owner)
    assert "approve" not in allowed_transitions(document, owner)
    with pytest.raises(PermissionDenied):
        services.document_approve(document=document, actor=owner)
    document.refresh_from_db()
    assert document.state == "in_review"


def test_illegal_moves_and_missing_reasons_change_nothing(people: dict[str, Any]) -> None:
    document = new_document(people["owner"])
    with pytest.raises(TransitionNotAllowed):
        services.document_publish(document=document, actor=people["approver"])
    services.document_submit(document=document, actor=people["owner"])
    with pytest.raises(ValidationError):
        services.document_reject(document=document, actor=people["approver"], note="  ")
    document.refresh_from_db()
    assert document.state == "in_review"
    assert TransitionLog.objects.count() == 1


def test_of_two_people_acting_on_the_same_version_exactly_one_wins(people: dict[str, Any]) -> None:
    document = new_document(people["owner"])
    services.document_submit(document=document, actor=people["owner"])
    mine = Document.objects.get(pk=document.pk)
    theirs = Document.objects.get(pk=document.pk)
    services.document_approve(document=mine, actor=people["approver"])
    with pytest.raises(ConcurrentTransition):
        services.document_reject(document=theirs, actor=people["approver"], note="Too late")
    assert Document.objects.get(pk=document.pk).state == "approved"
    assert list(TransitionLog.objects.values_list("transition", flat=True)) == ["submit", "approve"]
    assert document.history.count() == 3


def test_publishing_a_new_version_withdraws_the_old_one(people: dict[str, Any]) -> None:
    owner, approver = people["owner"], people["approver"]
    versions = []
    for version in ("1.0", "2.0"):
        document = new_document(owner, code="ZBX-ITSM-B-01", version=version)
        services.document_submit(document=document, actor=owner)
        services.document_approve(document=document, actor=approver)
        services.document_publish(document=document, actor=approver)
        versions.append(document)
    states = dict(Document.objects.values_list("version", "state"))
    assert states == {"1.0": "obsolete", "2.0": "effective"}
    assert (
        TransitionLog.objects.get(reference=versions[0].reference, transition="withdraw").reason
        == "superseded"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_in_threads_only_one_succeeds(make_user: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is proven on PostgreSQL (CI runs the suite there)")
    owner, approver = make_user(Role.MANAGEMENT_REPRESENTATIVE), make_user(Role.TOP_MANAGEMENT)
    document = new_document(owner)
    services.document_submit(document=document, actor=owner)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def act(index: int) -> None:
        from django.db import connection as thread_connection

        loaded = Document.objects.get(pk=document.pk)
        barrier.wait()
        try:
            if index % 2:
                services.document_approve(document=loaded, actor=approver)
            else:
                services.document_reject(document=loaded, actor=approver, note="no")
            outcomes.append("won")
        except ConcurrentTransition:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "won"]
    assert TransitionLog.objects.filter(reference=document.reference).count() == 2
    assert Document.history.filter(id=document.pk).count() == 3


def test_transitions_are_in_the_audit_trail_and_the_chain_verifies(people: dict[str, Any]) -> None:
    from itsm.audit import AuditEntry, verify_chain

    document = new_document(people["owner"])
    services.document_submit(document=document, actor=people["owner"], note="Ready for review")
    entry = AuditEntry.objects.filter(action="transition:submit").get()
    assert entry.actor == people["owner"]
    assert '"comment":"Ready for review"' in entry.payload
    assert verify_chain().ok


def test_the_timeline_shows_times_as_people_read_them(people: dict[str, Any]) -> None:
    from itsm.timeline import timeline_for

    document = new_document(people["owner"])
    services.document_submit(document=document, actor=people["owner"])
    services.document_approve(document=document, actor=people["approver"])
    changes = {c.label: c.new for e in timeline_for(document) for c in e.changes}
    assert len(changes["approved"]) == len("2026-11-22 00:43")


def test_the_timeline_names_the_people_a_change_points_to(
    people: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """A changed owner reads as the people's names, old and new, with the labels read along with the
    history (no query per referenced model)."""
    from itsm.timeline import timeline_for

    document = new_document(people["owner"])
    services.document_update(document=document, actor=people["owner"], data={"owner": people["approver"]})
    changes = [(c.label, c.old, c.new) for e in timeline_for(document) for c in e.changes]
    assert ("owner", str(people["owner"]), str(people["approver"])) in changes
    with django_assert_num_queries(4):  # history with the people, transitions, notes, attachments
        timeline_for(document)

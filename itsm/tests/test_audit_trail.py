"""The tamper-evident audit trail: one chained entry per history row, refused edits, detected tampering."""

from __future__ import annotations

import datetime
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django_celery_beat.models import PeriodicTask

from audits.models import Objective
from audits.services import objective_create, objective_update
from itsm import audit
from itsm.audit import (
    GENESIS_HASH,
    AuditCheckpoint,
    AuditEntry,
    append_history_rows,
    chain_hash,
    chain_head,
    record_checkpoint,
    verify_chain,
)
from itsm.choices import Role
from itsm.history import save_with_history, system_user
from itsm.models import Team
from itsm.services import team_create, team_update
from itsm.tasks import audit_checkpoint_record_task
from itsm.tests.audit_triggers import create_triggers, drop_triggers

Raw = Callable[..., None]


def entries_for(model: type[Any], pk: Any) -> list[AuditEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return list(AuditEntry.objects.filter(content_type=content_type, object_id=str(pk)).order_by("seq"))


def verify_command(*args: str) -> tuple[int, str]:
    """Run ``verify_audit_trail``: its exit status and everything it printed."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit_trail", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def chain(admin: Any, make_user: Callable[..., Any]) -> list[AuditEntry]:
    """A chain of several entries: a team created, renamed twice, members changed."""
    member = make_user()
    team = team_create(actor=admin, data={"name": "Network", "code": "network"})
    team_update(team=team, actor=admin, data={"name": "Network operations"}, reason="rename")
    team_update(team=team, actor=admin, data={"name": "NetOps"}, members=[member], reason="restructure")
    entries = list(AuditEntry.objects.order_by("seq"))
    assert len(entries) >= 6
    return entries


@pytest.fixture
def raw_sql_as_superuser() -> Iterator[Raw]:
    """Tamper as a database superuser would: the append-only triggers are dropped first, and put back
    (by the migration's own function) when the test ends."""
    drop_triggers()

    def run(sql: str, params: list[Any] | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])

    yield run
    create_triggers()


# Appending -----------------------------------------------------------------------------------------


def test_each_history_row_of_a_team_gets_one_chained_entry_with_actor_and_reason(
    admin: Any, make_user: Callable[..., Any]
) -> None:
    member = make_user()
    team = team_create(actor=admin, data={"name": "Network", "code": "network"})
    team_update(team=team, actor=admin, data={"name": "NetOps"}, members=[member], reason="restructure")

    history = list(team.history.order_by("history_date", "history_id"))
    entries = entries_for(Team, team.pk)
    assert len(entries) == len(history) == 3  # created, renamed, members changed
    for row, entry in zip(history, entries, strict=True):
        assert entry.actor == admin
        assert entry.reason == row.history_change_reason
        assert entry.action == row.history_type
        assert entry.recorded_at == row.history_date
        payload = json.loads(entry.payload)
        assert payload["model"] == "itsm.team"
        assert payload["pk"] == str(team.pk)
        assert payload["fields"]["name"] == row.name
        assert not any(key.startswith("history_") for key in payload["fields"])
    assert [e.reason for e in entries] == ["create", "restructure", "restructure"]
    assert json.loads(entries[-1].payload)["fields"]["members"] == [member.pk]

    everything = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in everything] == list(range(1, len(everything) + 1))
    assert everything[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(everything):
        assert entry.prev_hash == previous.hash
        assert entry.hash == chain_hash(previous.hash, entry.seq, entry.payload)
    assert verify_chain().ok


def test_an_objective_saved_through_its_services_is_on_the_trail(make_user: Callable[..., Any]) -> None:
    mr = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    objective = objective_create(
        actor=mr,
        data={"code": "csat", "name": "Satisfaction", "target": Decimal("85"), "unit": "points", "owner": mr},
    )
    objective_update(objective=objective, actor=mr, data={"target": Decimal("90")}, reason="annual review")
    objective_update(objective=objective, actor=mr, data={"target": Decimal("90")}, reason="nothing changed")

    entries = entries_for(Objective, objective.pk)
    assert [(e.action, e.actor, e.reason) for e in entries] == [
        ("+", mr, "create"),
        ("~", mr, "annual review"),
    ]
    assert json.loads(entries[-1].payload)["fields"]["target"] == "90"
    assert entries[-1].object_repr == str(objective)
    assert verify_chain().ok


def test_saves_outside_a_request_and_transaction_name_the_system_user(db: Any) -> None:
    team = Team(name="Night shift", code="night")
    save_with_history(team, actor=system_user(), reason="import")
    (entry,) = entries_for(Team, team.pk)
    assert entry.actor == system_user()
    assert entry.reason == "import"


def test_bulk_written_history_rows_are_appended_in_order(admin: Any) -> None:
    teams = [Team.objects.create(name=f"Bulk {n}", code=f"bulk-{n}") for n in range(3)]
    before = AuditEntry.objects.count()
    rows = Team.history.bulk_history_create(teams, default_user=admin, default_change_reason="bulk load")
    append_history_rows(rows)
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [e.object_id for e in entries] == [str(t.pk) for t in teams]
    assert {e.reason for e in entries} == {"bulk load"}
    assert verify_chain().ok


# The database refuses changes ------------------------------------------------------------------------


def test_the_orm_cannot_update_or_delete_entries(chain: list[AuditEntry]) -> None:
    entry = AuditEntry.objects.get(seq=chain[2].seq)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="covered up")
    entry.reason = "covered up"
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.reason, stored.payload, stored.hash) == (chain[2].reason, chain[2].payload, chain[2].hash)
    assert AuditEntry.objects.count() == len(chain)
    assert verify_chain().ok


def test_raw_sql_cannot_update_or_delete_entries_or_checkpoints(chain: list[AuditEntry]) -> None:
    record_checkpoint()
    statements = [
        "UPDATE itsm_auditentry SET payload = '{}' WHERE seq = 2",
        "DELETE FROM itsm_auditentry WHERE seq = 2",
        "DELETE FROM itsm_auditentry",
        "UPDATE itsm_auditcheckpoint SET seq = 1",
        "DELETE FROM itsm_auditcheckpoint",
    ]
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks of this test's own inserts would block TRUNCATE: run them first.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        statements += ["TRUNCATE itsm_auditentry CASCADE", "TRUNCATE itsm_auditcheckpoint"]
    for sql in statements:
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql)

    assert AuditEntry.objects.get(seq=2).payload == chain[1].payload
    assert AuditEntry.objects.count() == len(chain)
    assert AuditCheckpoint.objects.count() == 1
    assert verify_chain().ok


# Tampering is detected -----------------------------------------------------------------------------


def test_an_intact_chain_verifies_whole_and_in_ranges(chain: list[AuditEntry]) -> None:
    result = verify_chain()
    assert (result.ok, result.checked, result.head_seq, result.head_hash) == (
        True,
        len(chain),
        chain[-1].seq,
        chain[-1].hash,
    )
    assert verify_chain(3, 5).checked == 3
    assert verify_chain(start_seq=4).checked == len(chain) - 3
    status, output = verify_command()
    assert status == 0
    assert f"{len(chain)} entries checked" in output
    assert chain[-1].hash in output
    status, output = verify_command("--from", "2", "--to", "3")
    assert status == 0
    assert "2 entries checked" in output


def test_an_edited_payload_is_detected_and_named(chain: list[AuditEntry], raw_sql_as_superuser: Raw) -> None:
    edited = next(e for e in chain if "Network operations" in e.payload and '"action":"~"' in e.payload)
    raw_sql_as_superuser(
        "UPDATE itsm_auditentry SET payload = REPLACE(payload, 'Network operations', 'Network') WHERE seq = %s",
        [edited.seq],
    )
    assert AuditEntry.objects.get(seq=edited.seq).payload != edited.payload
    result = verify_chain()
    assert not result.ok
    assert result.first_broken_seq == edited.seq
    assert result.checked == edited.seq - 1
    assert "altered" in result.problem
    status, output = verify_command()
    assert status == 1
    assert f"BROKEN at entry {edited.seq}" in output
    assert "altered" in output
    # A range that ends before the edit is still intact.
    assert verify_chain(end_seq=edited.seq - 1).ok


def test_an_edited_column_outside_the_payload_is_detected(
    chain: list[AuditEntry], raw_sql_as_superuser: Raw
) -> None:
    raw_sql_as_superuser("UPDATE itsm_auditentry SET reason = 'routine' WHERE seq = %s", [chain[4].seq])
    result = verify_chain()
    assert (result.ok, result.first_broken_seq) == (False, chain[4].seq)
    assert "columns" in result.problem


def test_a_deleted_entry_is_detected_and_named(chain: list[AuditEntry], raw_sql_as_superuser: Raw) -> None:
    raw_sql_as_superuser("DELETE FROM itsm_auditentry WHERE seq = %s", [chain[2].seq])
    result = verify_chain()
    assert (result.ok, result.first_broken_seq) == (False, chain[2].seq)
    assert "missing" in result.problem
    status, output = verify_command()
    assert status == 1
    assert f"BROKEN at entry {chain[2].seq}" in output
    # Checking from just after the gap cannot link the first entry to its predecessor.
    assert verify_chain(start_seq=chain[3].seq).first_broken_seq == chain[2].seq


def test_a_deleted_entry_relinked_by_hand_is_still_detected(
    chain: list[AuditEntry], raw_sql_as_superuser: Raw
) -> None:
    """Deleting an entry and renumbering the rest keeps seq gap-free but breaks the hash links."""
    raw_sql_as_superuser("DELETE FROM itsm_auditentry WHERE seq = %s", [chain[2].seq])
    for entry in chain[3:]:
        raw_sql_as_superuser("UPDATE itsm_auditentry SET seq = %s WHERE id = %s", [entry.seq - 1, entry.pk])
    result = verify_chain()
    assert (result.ok, result.first_broken_seq) == (False, chain[2].seq)


def test_two_swapped_entries_are_detected_and_the_first_named(
    chain: list[AuditEntry], raw_sql_as_superuser: Raw
) -> None:
    first, second = chain[2], chain[3]
    raw_sql_as_superuser("UPDATE itsm_auditentry SET seq = 1000000 WHERE id = %s", [first.pk])
    raw_sql_as_superuser("UPDATE itsm_auditentry SET seq = %s WHERE id = %s", [first.seq, second.pk])
    raw_sql_as_superuser("UPDATE itsm_auditentry SET seq = %s WHERE id = %s", [second.seq, first.pk])
    result = verify_chain()
    assert (result.ok, result.first_broken_seq) == (False, first.seq)
    assert "reordered" in result.problem
    status, output = verify_command()
    assert status == 1
    assert f"BROKEN at entry {first.seq}" in output


def test_a_rewritten_tail_is_caught_by_an_earlier_checkpoint(
    chain: list[AuditEntry], raw_sql_as_superuser: Raw
) -> None:
    """Removing the newest entries leaves a valid chain; the checkpoint that saw them does not agree."""
    record_checkpoint(date=datetime.date(2026, 11, 20))
    raw_sql_as_superuser("DELETE FROM itsm_auditentry WHERE seq >= %s", [chain[-2].seq])
    result = verify_chain()
    assert (result.ok, result.first_broken_seq) == (False, chain[-2].seq)
    assert "2026-11-20" in result.problem


def test_the_triggers_are_back_after_tampering(chain: list[AuditEntry], raw_sql_as_superuser: Raw) -> None:
    raw_sql_as_superuser("UPDATE itsm_auditentry SET reason = 'x' WHERE seq = 1")
    create_triggers()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(reason="y")


# Concurrency -----------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(make_user: Callable[..., Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are proven on PostgreSQL (CI runs the suite there)")
    from django.db import connections

    admin = make_user(Role.ADMINISTRATOR)
    teams = [team_create(actor=admin, data={"name": f"Team {n}", "code": f"team-{n}"}) for n in range(4)]
    before = AuditEntry.objects.count()
    barrier = threading.Barrier(len(teams))
    errors: list[BaseException] = []

    def work(team_pk: int) -> None:
        try:
            team = Team.objects.get(pk=team_pk)
            barrier.wait()
            for n in range(10):
                team_update(team=team, actor=admin, data={"description": f"change {n}"}, reason=f"step {n}")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(team.pk,)) for team in teams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, before + 40 + 1))
    assert AuditEntry.objects.values("prev_hash").distinct().count() == len(seqs)
    assert verify_chain().ok
    for team in teams:
        assert len(entries_for(Team, team.pk)) == 11


# Checkpoints -----------------------------------------------------------------------------------------


def test_the_checkpoint_task_records_the_head_once_a_day(chain: list[AuditEntry], admin: Any) -> None:
    first = audit_checkpoint_record_task.delay().get()
    assert first["created"] is True
    assert (first["seq"], first["hash"]) == chain_head()
    team_create(actor=admin, data={"name": "Later", "code": "later"})
    second = audit_checkpoint_record_task.delay().get()
    assert second["created"] is False
    assert AuditCheckpoint.objects.count() == 1
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.hash) == (chain[-1].seq, chain[-1].hash)
    assert verify_chain().ok


def test_the_checkpoint_is_scheduled_daily(db: Any) -> None:
    call_command("sync_schedule", stdout=StringIO())
    task = PeriodicTask.objects.get(task="itsm.tasks.audit_checkpoint_record_task")
    assert task.interval is not None
    assert (task.interval.every, task.interval.period) == (86400, "seconds")


def test_the_command_records_a_checkpoint_now(chain: list[AuditEntry]) -> None:
    status, output = verify_command("--checkpoint")
    assert status == 0
    assert "Checkpoint recorded" in output
    status, output = verify_command("--checkpoint")
    assert "already recorded" in output
    assert AuditCheckpoint.objects.get().seq == chain[-1].seq


# The auditor's page ----------------------------------------------------------------------------------


def test_an_auditor_sees_an_intact_chain_its_head_and_the_latest_entries(
    client: Client, chain: list[AuditEntry], make_user: Callable[..., Any]
) -> None:
    record_checkpoint()
    client.force_login(make_user(Role.INTERNAL_AUDITOR))
    page = client.get("/audit-trail/").content.decode()
    assert 'hx-get="?verify=1"' in page  # the page comes at once; the check follows
    response = client.get("/audit-trail/?verify=1")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-result="intact"' in content
    partial = client.get("/audit-trail/?verify=1", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'data-result="intact"' in partial
    assert "The chain is intact." in content
    assert f"#{chain[-1].seq}" in content
    assert chain[-1].hash in content
    assert "NetOps" in content
    assert chain[-1].short_hash in content


def test_the_page_names_the_first_broken_entry(
    client: Client, chain: list[AuditEntry], make_user: Callable[..., Any], raw_sql_as_superuser: Raw
) -> None:
    raw_sql_as_superuser("DELETE FROM itsm_auditentry WHERE seq = %s", [chain[1].seq])
    client.force_login(make_user(Role.INTERNAL_AUDITOR))
    content = client.get("/audit-trail/?verify=1").content.decode()
    assert 'data-result="broken"' in content
    assert f"The chain is broken at entry {chain[1].seq}." in content


def test_an_agent_may_not_see_the_audit_trail(
    client: Client, chain: list[AuditEntry], make_user: Callable[..., Any]
) -> None:
    client.force_login(make_user(Role.SERVICE_DESK_AGENT))
    response = client.get("/audit-trail/")
    assert response.status_code == 403
    assert chain[-1].hash not in response.content.decode()


def test_the_page_checks_from_the_last_checkpoint_and_the_whole_chain_on_request(
    client: Client, chain: list[AuditEntry], make_user: Callable[..., Any], raw_sql_as_superuser: Raw
) -> None:
    record_checkpoint()
    raw_sql_as_superuser("DELETE FROM itsm_auditentry WHERE seq = %s", [chain[0].seq])
    client.force_login(make_user(Role.INTERNAL_AUDITOR))
    since = client.get("/audit-trail/?verify=1").content.decode()
    assert 'data-testid="verified-since"' in since
    assert 'data-result="intact"' in since
    full = client.get("/audit-trail/?verify=full").content.decode()
    assert 'data-result="broken"' in full
    assert f"The chain is broken at entry {chain[0].seq}." in full


def test_the_daily_task_records_no_checkpoint_for_a_broken_chain(
    chain: list[AuditEntry], raw_sql_as_superuser: Raw
) -> None:
    from itsm.tasks import audit_checkpoint_record_task

    raw_sql_as_superuser("DELETE FROM itsm_auditentry WHERE seq = %s", [chain[1].seq])
    assert audit_checkpoint_record_task() == {"ok": False, "first_broken_seq": chain[1].seq}
    assert not AuditCheckpoint.objects.exists()


def test_a_broken_chain_is_reported_at_once_to_those_who_answer_for_it(
    chain: list[AuditEntry], raw_sql_as_superuser: Raw, make_user: Callable[..., Any]
) -> None:
    from itsm.notifications import Notification
    from itsm.tasks import audit_checkpoint_record_task

    auditor = make_user(Role.INTERNAL_AUDITOR)
    representative = make_user(Role.MANAGEMENT_REPRESENTATIVE, language="zh-hans")
    agent = make_user(Role.SERVICE_DESK_AGENT)
    raw_sql_as_superuser("DELETE FROM itsm_auditentry WHERE seq = %s", [chain[1].seq])
    audit_checkpoint_record_task()
    audit_checkpoint_record_task()  # the check runs again the same day: no second message
    sent = Notification.objects.filter(event="audit.chain_broken")
    recipients = [n.recipient for n in sent]
    assert auditor in recipients
    assert representative in recipients
    assert agent not in recipients
    assert len(recipients) == len(set(recipients))
    assert all(person.has_role(*audit.CHAIN_WATCHERS) for person in recipients)
    message = sent.get(recipient=auditor)
    assert message.subject == f"The audit trail is broken at entry {chain[1].seq}"
    assert "No checkpoint was recorded" in message.body
    assert message.url == "/audit-trail/?verify=full"
    assert str(chain[1].seq) in sent.get(recipient=representative).subject
    assert sent.get(recipient=representative).subject != message.subject  # in Chinese

"""Batch writes keep history and the audit trail complete."""

from __future__ import annotations

from typing import Any

from itsm.audit import AuditEntry, verify_chain
from itsm.choices import Role
from itsm.history import bulk_update_audited
from itsm.models import Team
from itsm.tests.factories import TeamFactory


def test_bulk_update_writes_one_history_row_and_one_audit_entry_per_object(make_user: Any) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    teams = TeamFactory.create_batch(5)
    before = AuditEntry.objects.count()
    for team in teams:
        team.description = "Covered 24x7"
    assert bulk_update_audited(teams, fields=["description"], actor=admin, reason="night cover") == 5
    assert set(Team.objects.values_list("description", flat=True)) == {"Covered 24x7"}
    rows = Team.history.filter(history_change_reason="night cover")
    assert rows.count() == 5
    assert {r.history_user for r in rows} == {admin}
    assert AuditEntry.objects.count() == before + 5
    assert verify_chain().ok


def test_bulk_update_keeps_the_members_in_history_and_the_trail(make_user: Any) -> None:
    import json

    admin = make_user(Role.ADMINISTRATOR)
    member = make_user(Role.RESOLVER)
    team = TeamFactory(members=[member])
    team.description = "Follows the sun"
    bulk_update_audited([team], fields=["description"], actor=admin, reason="rota")
    row = Team.history.filter(history_change_reason="rota").get()
    assert list(row.members.values_list("user_id", flat=True)) == [member.pk]
    entry = AuditEntry.objects.filter(reason="rota").get()
    assert json.loads(entry.payload)["fields"]["members"] == [member.pk]
    assert verify_chain().ok

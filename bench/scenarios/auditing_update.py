"""S7-update: what history and the audit trail add to one update of one record.

Product: ``itsm.services.team_update`` changing a team's description (a new value every call), which
goes through ``update_audited`` (permission, read of the stored row, validation, save), writes the
simple-history row and, from its signal, appends one hash-chained ``AuditEntry`` (lock, head read,
insert).
Baseline: the same service call with the same kind of change on an instance carrying
``skip_history_when_saving = True``: the same permission check, read, validation and UPDATE, but no
history row and so no audit entry. Auditing toggled in the run, nothing else different.

Both sides run inside ``transaction.atomic()`` (one transaction each, the service's own atomic a
savepoint inside it). The chain is seeded first with ``rows`` entries so the head lookup runs on a
realistic table; the product adds one entry per call on top.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from django.db import transaction

from bench.audit_fixtures import expect_delta, remove_teams, seed_chain
from bench.fixtures import count_queries, create_user, run_prefix
from bench.harness import BenchError, Scenario
from itsm.audit import AuditEntry, verify_chain
from itsm.models import Team
from itsm.services import team_update


def build(*, rows: int) -> Scenario:
    tag = run_prefix()
    admin = create_user(tag=tag)
    seeded = seed_chain(rows)
    team = Team(name=f"Bench {tag} S7 team", code=f"bench-{tag}-s7")
    team.skip_history_when_saving = True  # type: ignore[attr-defined]
    team.save()
    product_team = Team.objects.get(pk=team.pk)
    baseline_team = Team.objects.get(pk=team.pk)
    baseline_team.skip_history_when_saving = True  # type: ignore[attr-defined]
    counter = itertools.count(1)

    def product() -> object:
        with transaction.atomic():
            return team_update(
                team=product_team, actor=admin, data={"description": f"Audited change {next(counter)}"}
            )

    def baseline() -> object:
        with transaction.atomic():
            return team_update(
                team=baseline_team, actor=admin, data={"description": f"Unaudited change {next(counter)}"}
            )

    _check(product, baseline, team_pk=team.pk)
    if not verify_chain(seeded.first_seq).ok:
        raise BenchError("S7-update: the audit trail does not verify after the product's appends.")
    queries = f"product {count_queries(product)}, baseline {count_queries(baseline)} per update"
    return Scenario(
        name="S7-update",
        title=f"one audited team update vs the same update unaudited ({rows:,} entries in the chain)",
        product_label="team_update(): UPDATE + history row + audit entry (lock, head read, insert)",
        baseline_label="team_update() with skip_history_when_saving: same UPDATE, no history or entry",
        product=product,
        baseline=baseline,
        teardown=lambda: remove_teams(tag=tag),
        info={"rows": f"{rows:,} audit entries seeded before the run", "queries": queries},
    )


def _check(product: Callable[[], object], baseline: Callable[[], object], *, team_pk: int) -> None:
    """The product writes one history row and one entry per call, the baseline none; both change the row."""
    history = Team.history.filter(id=team_pk)
    for side, call, expected in (("product", product, 1), ("baseline", baseline, 0)):
        expect_delta(f"S7-update {side} history", history.count, expected, call)
        expect_delta(f"S7-update {side} audit trail", AuditEntry.objects.count, expected, call)
        description = Team.objects.values_list("description", flat=True).get(pk=team_pk)
        label = "Audited" if expected else "Unaudited"
        if not description.startswith(f"{label} change "):
            raise BenchError(f"S7-update {side}: the team's description was not changed ({description!r}).")

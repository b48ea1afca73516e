"""S7-bulk: what history and the audit trail add to a batch update of many records.

Product: ``itsm.history.bulk_update_audited`` changing the description of ``rows`` teams: one
``bulk_update``, ``bulk_history_create`` (a history row per team) and one hash-chained audit entry per
history row. Baseline: ``Team.objects.bulk_update(objs, ["description"], batch_size=1000)``, the same
change without history or audit trail. Both inside ``transaction.atomic()``; before every call (untimed)
each team gets a new description, so both sides always write a real change.

One product call takes many seconds, so this scenario runs 5 rounds and no warm-up round unless
``--rounds`` / ``--warmup`` say otherwise. Before timing, both sides run once on the first 1,000 teams
(checks that the product writes a history row and an entry per team and the baseline none, statement
counts, and the warm-up of code paths); after timing, the full-size product calls are checked the same
way and the chain is verified. Every product call adds ``rows`` history rows and audit entries.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from django.db import transaction

from bench.audit_fixtures import count_statements, remove_teams
from bench.fixtures import create_user, run_prefix, seed_teams
from bench.harness import BenchError, Scenario
from itsm.audit import AuditEntry, chain_head, verify_chain
from itsm.history import bulk_update_audited
from itsm.models import Team

BATCH_SIZE = 1000
CHECK_ROWS = 1000
REASON = "bench bulk"


def build(*, rows: int) -> Scenario:
    tag = run_prefix()
    admin = create_user(tag=tag)
    seed_teams(tag=tag, count=rows)
    teams = list(Team.objects.filter(code__startswith=f"bench-{tag}-").order_by("pk"))
    if len(teams) != rows:
        raise BenchError(f"S7-bulk: seeded {rows:,} teams but found {len(teams):,}.")
    calls = itertools.count(1)
    product_calls = 0

    def change_descriptions() -> None:
        call = next(calls)
        for team in teams:
            team.description = f"Bulk change {call} of team {team.pk}"

    def product_on(objs: list[Team]) -> Callable[[], object]:
        def call() -> object:
            with transaction.atomic():
                return bulk_update_audited(
                    objs, fields=["description"], actor=admin, reason=REASON, batch_size=BATCH_SIZE
                )

        return call

    def baseline_on(objs: list[Team]) -> Callable[[], object]:
        def call() -> object:
            with transaction.atomic():
                return Team.objects.bulk_update(objs, ["description"], batch_size=BATCH_SIZE)

        return call

    full_product = product_on(teams)

    def product() -> object:
        nonlocal product_calls
        product_calls += 1
        return full_product()

    first_seq = chain_head()[0] + 1
    subset = teams[:CHECK_ROWS]
    statements = {
        side: _check(side, call, objs=subset, tag=tag, audited=audited, before=change_descriptions)
        for side, call, audited in (
            ("product", product_on(subset), True),
            ("baseline", baseline_on(subset), False),
        )
    }
    entries_before = AuditEntry.objects.count()
    history_before = _history().count()

    def check_after() -> None:
        """The timed product calls wrote ``rows`` history rows and entries each; the chain still holds."""
        expected = rows * product_calls
        grown = (_history().count() - history_before, AuditEntry.objects.count() - entries_before)
        if grown != (expected, expected):
            raise BenchError(
                f"S7-bulk: {product_calls} product calls should have written {expected:,} history rows and"
                f" audit entries, got {grown[0]:,} and {grown[1]:,}."
            )
        if not verify_chain(first_seq).ok:
            raise BenchError("S7-bulk: the audit trail does not verify after bulk_update_audited.")
        remove_teams(tag=tag)

    return Scenario(
        name="S7-bulk",
        title=f"bulk update of {rows:,} teams with history + audit trail vs plain bulk_update",
        product_label=f"bulk_update_audited(): bulk_update + {rows:,} history rows + {rows:,} audit entries",
        baseline_label=f'Team.objects.bulk_update(objs, ["description"], batch_size={BATCH_SIZE})',
        product=product,
        baseline=baseline_on(teams),
        before_each=change_descriptions,
        teardown=check_after,
        info={
            "rows": f"{rows:,} teams",
            "queries": f"product {statements['product']:,}, baseline {statements['baseline']:,}"
            f" SQL statements per {len(subset):,} teams (checked before timing)",
        },
    )


def _history() -> Any:
    """The history rows this scenario writes (a fresh queryset each time)."""
    return Team.history.filter(history_change_reason=REASON)


def _check(
    side: str,
    call: Callable[[], object],
    *,
    objs: list[Team],
    tag: str,
    audited: bool,
    before: Callable[[], None],
) -> int:
    """Run one call on ``objs``: one history row and entry per team (or none), the new values stored."""
    before()
    history = _history()
    counts = (history.count(), AuditEntry.objects.count())
    statements = count_statements(call)
    grown = (history.count() - counts[0], AuditEntry.objects.count() - counts[1])
    expected = len(objs) if audited else 0
    if grown != (expected, expected):
        raise BenchError(
            f"S7-bulk {side}: expected {expected:,} new history rows and audit entries,"
            f" got {grown[0]:,} and {grown[1]:,}; the comparison is off."
        )
    stored = dict(Team.objects.filter(pk__in=[team.pk for team in objs]).values_list("pk", "description"))
    if stored != {team.pk: team.description for team in objs}:
        raise BenchError(f"S7-bulk {side}: the teams in the database do not have the new descriptions.")
    return statements

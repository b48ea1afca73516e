"""The scenarios, by name. Each module has ``build(*, rows) -> Scenario`` and is imported only after
Django is set up, so ``python -m bench --list`` works without touching a database.

``rounds`` and ``warmup`` are a scenario's own defaults, used when the command line gives none: a
scenario whose one call takes seconds (a 10,000-row bulk update) runs fewer rounds than one that takes
milliseconds.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from bench.harness import Scenario


@dataclass(frozen=True)
class Entry:
    name: str
    module: str
    default_rows: int
    summary: str
    rounds: int | None = None
    warmup: int | None = None

    def build(self, *, rows: int | None) -> Scenario:
        module = importlib.import_module(self.module)
        scenario: Scenario = module.build(rows=rows or self.default_rows)
        return scenario


SCENARIOS: dict[str, Entry] = {
    entry.name: entry
    for entry in (
        Entry(
            "S-API-list",
            "bench.scenarios.api_list",
            1_000,
            "GET /api/v1/teams/ with token auth vs a bare Django view returning the same JSON",
        ),
        Entry(
            "S-list-depth",
            "bench.scenarios.list_depth",
            10_000,
            "HTML team list: a page deep in the keyset (cursor) vs the first page",
        ),
        Entry(
            "S7-update",
            "bench.scenarios.auditing_update",
            10_000,
            "one team update with history + audit entry vs the same update with both skipped"
            " (rows = audit entries seeded first)",
        ),
        Entry(
            "S7-api",
            "bench.scenarios.auditing_api",
            10_000,
            "PATCH /api/v1/teams/<id>/ with history + audit entry vs the same PATCH with history off"
            " (rows = audit entries seeded first)",
        ),
        Entry(
            "S7-bulk",
            "bench.scenarios.auditing_bulk",
            10_000,
            "bulk_update_audited of N teams vs plain bulk_update of the same change",
            rounds=5,
            warmup=0,
        ),
        Entry(
            "S7-verify",
            "bench.scenarios.auditing_verify",
            100_000,
            "verify_chain() over N audit entries vs reading the same rows without hashing",
            rounds=5,
            warmup=0,
        ),
        Entry(
            "S8-impact",
            "bench.scenarios.cmdb_impact",
            10_000,
            "CMDB impact analysis of a core switch on an N-CI graph vs an N/10-CI graph (one recursive query)",
            rounds=30,
            warmup=3,
        ),
        Entry(
            "S8-list",
            "bench.scenarios.cmdb_list",
            100_000,
            "CI list page filtered to a type with N CIs vs a type with N/100 CIs",
            rounds=60,
            warmup=5,
        ),
        Entry(
            "S1",
            "bench.scenarios.alert_ingest_single",
            500,
            "alert ingest: N new PagerDuty-style events, one per request, 4 clients through gunicorn vs"
            " bulk_create of N alert rows (rows = alerts per round; 10 rounds = 5,000 alerts)",
            rounds=10,
            warmup=1,
        ),
        Entry(
            "S1b",
            "bench.scenarios.alert_ingest_batch",
            1_000,
            "alert ingest: Alertmanager batches of 100 alerts, 4 clients through gunicorn vs bulk_create"
            " (rows = alerts per round)",
            rounds=10,
            warmup=1,
        ),
        Entry(
            "S2",
            "bench.scenarios.alert_storm",
            10_000,
            "duplicate storm: one dedup key from 16 clients vs new keys through gunicorn; checks 1 alert"
            " with the exact count and 1 incident (rows = storm events over 5 rounds)",
            rounds=5,
            warmup=0,
        ),
        Entry(
            "S3",
            "bench.scenarios.incident_queue",
            1_000_000,
            "incident queue page for a team with N incidents vs a team with 1,000 (same table); also the"
            " API list, a deep cursor page (page 10,000) vs page 1, full-text search (S3b), and the 1k-only"
            " table before loading N",
            rounds=60,
            warmup=5,
        ),
        Entry(
            "S6",
            "bench.scenarios.related_rows",
            1_000,
            "N+1 guard: queries of incident and service request pages (detail tabs, request list, API)"
            " with N related notes/clocks vs 10 (R6 must be 1); times the timeline tab, N vs 10",
            rounds=40,
            warmup=3,
        ),
        Entry(
            "S4",
            "bench.scenarios.sla_sweep",
            1_000_000,
            "SLA breach sweep over N open clocks with 100 newly breached (events + outbox rows) vs the bare"
            " indexed UPDATE … RETURNING; also measures 1,000 open clocks first and reports T(N)/T(1k)",
            rounds=100,
            warmup=5,
        ),
    )
}

"""S1: single-event ingest through the real HTTP stack vs ``bulk_create`` of the same rows.

Product: ``rows`` PagerDuty Events v2 triggers with new dedup keys, posted by 4 concurrent clients to
``POST /api/v1/integrations/events/`` on gunicorn (2 sync workers, production settings). Each request
is parsed, its key looked up (cached), the rate limit counted, the alert upserted with one statement
and committed, the follow-up task published, and 202 answered. Baseline: ``bulk_create`` of the same
number of alert rows (batches of 1,000), committed. The ratio is R1 = bulk_create rows/s ÷ API
alerts/s; the issue's target is ≤ 25 (the reference's ≤ 40).
"""

from __future__ import annotations

from bench.fixtures import run_prefix
from bench.harness import Scenario

from .alert_common import (
    DatabaseThread,
    Sender,
    bulk_rows,
    create_integration,
    event_body,
    remove_alerts,
    start_server,
    unique_keys,
)

CLIENTS = 4


def build(*, rows: int) -> Scenario:
    tag = run_prefix()
    db = DatabaseThread()
    fixture = create_integration(db, tag)
    server = start_server()
    sender = Sender(port=server.port, path="/api/v1/integrations/events/", clients=CLIENTS)
    api_keys = unique_keys(f"s1-{tag}-api")
    bulk_keys = unique_keys(f"s1-{tag}-bulk")

    def product() -> object:
        sender.send([event_body(fixture.key, next(api_keys)) for _ in range(rows)])
        return None

    baseline_rows = bulk_rows(fixture, bulk_keys, rows)

    def baseline() -> object:
        return db(baseline_rows)

    def teardown() -> None:
        server.stop()
        remove_alerts(db, fixture)
        db.close()

    return Scenario(
        name="S1",
        title=f"{rows:,} new alerts, one per request, {CLIENTS} clients through gunicorn vs bulk_create",
        product_label=f"POST /api/v1/integrations/events/ x {rows} (new keys, {CLIENTS} clients, 2 workers)",
        baseline_label=f"bulk_create of {rows} alert rows (committed)",
        product=product,
        baseline=baseline,
        teardown=teardown,
        info={
            "meaning": "ratio = R1 = bulk_create rows/s / API alerts/s (target <= 25)",
            "statements": "1 per new alert in the request (INSERT ... ON CONFLICT ... RETURNING)",
        },
    )

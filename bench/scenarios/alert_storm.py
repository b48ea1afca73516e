"""S2: a duplicate storm (one dedup key from 16 concurrent clients) vs new alerts through the same stack.

Product: 16 clients post ``rows`` / rounds triggers per round, all with the same dedup key, to
``POST /api/v1/integrations/events/`` on gunicorn (2 sync workers); every repeat is one conditional
statement on the one open alert (its row lock serialises them). Baseline: the same number of triggers
with new keys from the same 16 clients. R2 = duplicate throughput ÷ new throughput = baseline time ÷
product time, printed in the info line; the target is R2 ≥ 1.0. Run with its own defaults (5 rounds, no
warm-up), the storm is exactly 10,000 events; afterwards the alert is processed and the bench checks
that the storm left exactly one alert with occurrence count 10,000 and exactly one incident.
"""

from __future__ import annotations

from typing import Any

from bench.fixtures import run_prefix
from bench.harness import BenchError, Scenario

from .alert_common import (
    DatabaseThread,
    Sender,
    create_integration,
    event_body,
    remove_alerts,
    start_server,
    unique_keys,
)

CLIENTS = 16
ROUNDS = 5


def build(*, rows: int) -> Scenario:
    tag = run_prefix()
    db = DatabaseThread()
    fixture = create_integration(db, tag)
    server = start_server()
    sender = Sender(port=server.port, path="/api/v1/integrations/events/", clients=CLIENTS)
    per_round = max(CLIENTS, rows // ROUNDS)
    storm_key = f"s2-{tag}-storm"
    storm_body = event_body(fixture.key, storm_key)
    new_keys = unique_keys(f"s2-{tag}-new")
    sent = {"storm": 0}

    def product() -> object:
        sender.send([storm_body] * per_round)
        sent["storm"] += per_round
        return None

    def baseline() -> object:
        sender.send([event_body(fixture.key, next(new_keys)) for _ in range(per_round)])
        return None

    def check() -> dict[str, Any]:
        from incidents.alert_models import Alert
        from incidents.alert_services import alerts_process
        from incidents.models import Incident

        alert = Alert.objects.get(integration_id=fixture.integration_id, dedup_key=storm_key)
        alerts_process(alert_ids=[alert.pk])
        alert.refresh_from_db()
        incidents = Incident.objects.filter(
            alerts__dedup_key=storm_key, alerts__integration_id=fixture.integration_id
        )
        return {
            "occurrences": alert.occurrences,
            "incidents": incidents.count(),
            "alerts": Alert.objects.filter(
                integration_id=fixture.integration_id, dedup_key=storm_key
            ).count(),
        }

    def teardown() -> None:
        server.stop()
        try:
            result = db(check)
            if result != {"occurrences": sent["storm"], "incidents": 1, "alerts": 1}:
                raise BenchError(
                    f"S2: the storm of {sent['storm']} events left {result}, not 1 alert, 1 incident."
                )
            scenario.info["after"] = (
                f"{sent['storm']:,} duplicate events -> 1 alert (occurrences {result['occurrences']:,}), 1 incident"
            )
        finally:
            remove_alerts(db, fixture)
            db.close()

    scenario = Scenario(
        name="S2",
        title=f"duplicate storm: {per_round:,} same-key triggers per round from {CLIENTS} clients vs new keys",
        product_label=f"POST /api/v1/integrations/events/ x {per_round} (one dedup key, {CLIENTS} clients)",
        baseline_label=f"POST /api/v1/integrations/events/ x {per_round} (new keys, {CLIENTS} clients)",
        product=product,
        baseline=baseline,
        teardown=teardown,
        info={"meaning": "R2 = duplicate throughput / new throughput = 1 / ratio (target >= 1.0)"},
    )
    return scenario

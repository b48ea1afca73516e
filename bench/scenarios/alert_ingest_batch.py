"""S1b: batched Alertmanager ingest (100 alerts per request) vs ``bulk_create`` of the same rows.

Product: requests of 100 firing alerts with new fingerprints, posted by 4 concurrent clients to
``POST /api/v1/integrations/alertmanager/`` on gunicorn (2 sync workers): each alert validated, the
batch pre-aggregated per fingerprint and written with one ``INSERT … ON CONFLICT`` in one transaction.
Baseline: ``bulk_create`` of as many alert rows, committed. Ratio R1b = bulk_create rows/s ÷ batched
API alerts/s; the issue's target is ≤ 3 (the reference's ≤ 4).
"""

from __future__ import annotations

import json

from bench.fixtures import run_prefix
from bench.harness import Scenario

from .alert_common import (
    DatabaseThread,
    Sender,
    bulk_rows,
    create_integration,
    remove_alerts,
    start_server,
    unique_keys,
)

CLIENTS = 4
PER_REQUEST = 100


def _body(keys: list[str]) -> bytes:
    return json.dumps(
        {
            "version": "4",
            "groupKey": '{}:{alertname="DiskFull"}',
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": "itsm",
            "groupLabels": {"alertname": "DiskFull"},
            "commonLabels": {"alertname": "DiskFull", "severity": "critical"},
            "commonAnnotations": {},
            "externalURL": "http://alertmanager.example.com:9093",
            "alerts": [
                {
                    "status": "firing",
                    "labels": {"alertname": "DiskFull", "instance": f"{key}:9100", "severity": "critical"},
                    "annotations": {"summary": f"Disk full on {key}"},
                    "startsAt": "2026-11-20T10:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus.example.com:9090/graph",
                    "fingerprint": key,
                }
                for key in keys
            ],
        }
    ).encode()


def build(*, rows: int) -> Scenario:
    tag = run_prefix()
    db = DatabaseThread()
    fixture = create_integration(db, tag)
    server = start_server()
    sender = Sender(
        port=server.port,
        path="/api/v1/integrations/alertmanager/",
        clients=CLIENTS,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {fixture.key}"},
    )
    api_keys = unique_keys(f"s1b-{tag}-api")
    requests = max(1, rows // PER_REQUEST)

    def product() -> object:
        sender.send([_body([next(api_keys) for _ in range(PER_REQUEST)]) for _ in range(requests)])
        return None

    baseline_rows = bulk_rows(fixture, unique_keys(f"s1b-{tag}-bulk"), requests * PER_REQUEST)

    def baseline() -> object:
        return db(baseline_rows)

    def teardown() -> None:
        server.stop()
        remove_alerts(db, fixture)
        db.close()

    return Scenario(
        name="S1b",
        title=f"{requests * PER_REQUEST:,} new alerts in Alertmanager batches of {PER_REQUEST} vs bulk_create",
        product_label=f"POST /api/v1/integrations/alertmanager/ x {requests} ({PER_REQUEST} alerts each, {CLIENTS} clients)",
        baseline_label=f"bulk_create of {requests * PER_REQUEST} alert rows (committed)",
        product=product,
        baseline=baseline,
        teardown=teardown,
        info={
            "meaning": "ratio = R1b = bulk_create rows/s / batched API alerts/s (target <= 3)",
            "statements": "1 upsert per 500 keys per request, in one transaction",
        },
    )

"""What the alert-ingest scenarios (S1, S1b, S2) share: a real gunicorn server on the bench database,
concurrent HTTP clients, and fixtures written on a connection of their own.

The server is ``gunicorn itsm.wsgi`` with 2 sync workers on 127.0.0.1 (a free port), started with
production-style settings (``DJANGO_DEBUG=0``, ``DATABASE_CONN_MAX_AGE=60`` as in docker-compose.yml)
and the environment of the bench, so it opens the same
database: the temporary SQLite file, or ``DATABASE_URL``. The bench runs inside one rolled-back
transaction when ``DATABASE_URL`` is set, which the server could not see; so fixtures, the baselines'
``bulk_create`` and the clean-up run on a thread with its own connection in autocommit mode, and every
write, the product's and the baseline's, pays its commit.

Clients are threads in the bench process, one ``http.client`` connection per request (gunicorn's sync
workers close the connection after each answer). They share the machine's 2 cores with the server, as
a monitoring tool on the same host would.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import BenchError

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
WORKERS = 2


class DatabaseThread:
    """Runs callables on one thread, so they share one connection of their own (autocommit)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-db")

    def __call__(self, call: Callable[[], Any]) -> Any:
        return self._pool.submit(call).result()

    def close(self) -> None:
        from django.db import connections

        with suppress(Exception):
            self(connections.close_all)
        self._pool.shutdown(wait=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server() -> Server:
    """gunicorn on a free loopback port; waits until it answers."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "itsm.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "ITSM_LOG_LEVEL": "WARNING",
        # As the production stack runs (docker-compose.yml): connections are kept between requests.
        # With 0 (the embedded default) every request opens its database connection, which costs
        # more than the alert itself.
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE") or "60",
    }
    log = Path(os.environ.get("ITSM_VAR_DIR") or PROJECT_DIR / "var") / f"bench-gunicorn-{port}.log"
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "itsm.wsgi:application",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT)
    server = Server(port=port, process=process, log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited at start-up; see {log}:\n{log.read_text()[-2000:]}")
        try:
            status, _ = request(port, "GET", "/healthz")
        except OSError:
            time.sleep(0.2)
            continue
        if status in (200, 503):
            return server
    server.stop()
    raise BenchError("gunicorn did not answer within 60 s.")


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class Sender:
    """Posts prepared bodies from ``clients`` threads; every answer must have the expected status."""

    port: int
    path: str
    clients: int
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    expected: int = 202

    def send(self, bodies: list[bytes]) -> None:
        chunks = [bodies[i :: self.clients] for i in range(self.clients)]
        failures: list[str] = []

        def run(chunk: list[bytes]) -> None:
            for body in chunk:
                status, answer = request(self.port, "POST", self.path, body, self.headers)
                if status != self.expected:
                    failures.append(f"{status} {answer[:300]!r}")
                    return

        threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks if chunk]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise BenchError(f"POST {self.path} answered {failures[0]} ({len(failures)} client(s) failed).")


@dataclass
class IngestFixture:
    """An integration (no rate limit to speak of, no storm grouping) and its key."""

    integration_id: int
    service_id: int
    key: str
    tag: str


def create_integration(db: DatabaseThread, tag: str) -> IngestFixture:
    def make() -> IngestFixture:
        from bench.fixtures import create_user
        from incidents.alert_services import integration_create
        from incidents.models import Category
        from itsm.choices import Role
        from itsm.models import User
        from service_levels.models import Service

        admin = create_user(tag=tag, role=Role.INCIDENT_MANAGER)
        owner = User.objects.get(pk=admin.pk)
        service = Service.objects.create(code=f"bench-{tag}-svc", name=f"Bench {tag} service", owner=owner)
        category = Category.objects.create(code=f"bench-{tag}-cat", name=f"Bench {tag} category")
        integration, key = integration_create(
            actor=owner,
            data={
                "name": f"Bench {tag} monitoring",
                "service": service,
                "category": category,
                "storm_threshold": 0,
                "rate_limit_per_minute": 10_000_000,
            },
        )
        return IngestFixture(integration.pk, service.pk, key, tag)

    return db(make)


def remove_alerts(db: DatabaseThread, fixture: IngestFixture) -> None:
    """Delete the alerts the run made (a plain DELETE: alerts are bookkeeping rows without history)."""

    def remove() -> None:
        from incidents.alert_models import Alert

        Alert.objects.filter(integration_id=fixture.integration_id, incident__isnull=True)._raw_delete(
            using=Alert.objects.db
        )

    db(remove)


def bulk_rows(fixture: IngestFixture, keys: Iterator[str], count: int) -> Callable[[], object]:
    """The baseline: ``bulk_create`` of ``count`` alert rows like the ones ingest writes (new keys)."""

    def create() -> object:
        from django.utils import timezone

        from incidents.alert_models import Alert

        now = timezone.now()
        rows = []
        for _ in range(count):
            key = next(keys)
            rows.append(
                Alert(
                    integration_id=fixture.integration_id,
                    service_id=fixture.service_id,
                    dedup_key=key,
                    open_dedup_key=f"{fixture.integration_id}:{key}",
                    summary=f"Disk full on {key}",
                    source=f"{key}.example.com",
                    severity="error",
                    component="filesystem",
                    payload={"event_action": "trigger", "dedup_key": key},
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
        return Alert.objects.bulk_create(rows, batch_size=1000)

    return create


def event_body(key: str, dedup_key: str) -> bytes:
    return json.dumps(
        {
            "routing_key": key,
            "event_action": "trigger",
            "dedup_key": dedup_key,
            "payload": {
                "summary": f"Disk full on {dedup_key}",
                "source": f"{dedup_key}.example.com",
                "severity": "error",
                "component": "filesystem",
            },
        }
    ).encode()


def unique_keys(prefix: str) -> Iterator[str]:
    return (f"{prefix}-{n:08d}" for n in itertools.count(1))

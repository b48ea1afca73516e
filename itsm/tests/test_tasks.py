"""Background jobs: the heartbeat, the schedule, and a real worker process round trip."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from celery.app.backends import by_url
from celery.result import AsyncResult, allow_join_result
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask

from itsm.celery import app as celery_app
from itsm.models import Heartbeat, Team
from itsm.tasks import database_statistics_task, heartbeat_record_task, ping_task

ROOT = Path(__file__).resolve().parents[2]


def test_heartbeat_records_when_a_worker_last_ran(db: Any) -> None:
    heartbeat_record_task.delay()
    first = Heartbeat.objects.get(name="worker").last_seen
    heartbeat_record_task.delay()
    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get(name="worker").last_seen >= first


def test_the_hourly_statistics_task_gives_sqlite_planner_statistics_of_big_tables(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from itsm import maintenance

    call_command("sync_schedule")
    task = PeriodicTask.objects.get(task="itsm.tasks.database_statistics_task")
    assert task.interval.every == 3600
    Team.objects.bulk_create(Team(name=f"Statistics {n}", code=f"statistics-{n}") for n in range(30))
    if connection.vendor != "sqlite":
        assert database_statistics_task.delay().get().startswith("skipped")
        return

    def analysed(table: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return False
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            return bool(cursor.fetchone()[0])

    # A small table keeps no statistics (the planner keeps reading it by primary key) ...
    assert Team._meta.db_table not in database_statistics_task.delay().get()
    assert not analysed(Team._meta.db_table)
    # ... a big one gets them.
    monkeypatch.setattr(maintenance, "BIG_TABLE_ROWS", 20)
    assert Team._meta.db_table in database_statistics_task.delay().get()
    assert analysed(Team._meta.db_table)


def test_sync_schedule_adds_missing_tasks_and_keeps_operator_edits(db: Any) -> None:
    call_command("sync_schedule")
    task = PeriodicTask.objects.get(name="Worker heartbeat")
    task.enabled = False
    task.save()
    call_command("sync_schedule")
    assert PeriodicTask.objects.filter(name="Worker heartbeat").count() == 1
    assert PeriodicTask.objects.get(name="Worker heartbeat").enabled is False


@pytest.mark.worker
def test_a_real_worker_process_runs_a_task_through_the_broker(tmp_path: Path) -> None:
    """A separate ``celery worker`` process takes the task from the configured broker (the filesystem
    transport by default; Redis in CI) and sends the result back."""
    backend = settings.CELERY_RESULT_BACKEND or f"file://{tmp_path / 'results'}"
    (tmp_path / "results").mkdir()
    env = {**os.environ, "CELERY_RESULT_BACKEND": backend, "ITSM_VAR_DIR": str(tmp_path / "var")}
    queue = f"test-{uuid.uuid4().hex[:8]}"
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        # The worker and this test must share the broker folders.
        env["ITSM_VAR_DIR"] = str(settings.VAR_DIR)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "itsm",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    backend_class, url = by_url(backend)
    results = backend_class(app=celery_app, url=url)
    celery_app.conf.task_always_eager = False
    try:
        sent = ping_task.apply_async(args=["hello"], queue=queue)
        with allow_join_result():  # an earlier in-process worker may have marked this thread as a task
            answer = AsyncResult(sent.id, backend=results, app=celery_app).get(timeout=60)
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert answer["payload"] == "hello", output
    assert answer["worker"]

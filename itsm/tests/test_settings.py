"""Settings come from the environment; production refuses unsafe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_off_refuses_to_start_without_a_secret_key() -> None:
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="itsm.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_off_refuses_to_start_without_allowed_hosts() -> None:
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_a_malformed_boolean_is_named() -> None:
    result = run_manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


def test_check_deploy_is_clean_for_a_production_environment() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2,
        DJANGO_ALLOWED_HOSTS="itsm.example.com",
    )
    assert result.returncode == 0, result.stderr


def test_empty_variables_mean_the_defaults() -> None:
    empty = dict.fromkeys(["DATABASE_URL", "ITSM_VAR_DIR", "CACHE_URL", "CELERY_BROKER_URL", "EMAIL_URL"], "")
    result = run_manage("check", **empty, DJANGO_SECURE_HSTS_SECONDS="", DJANGO_DEBUG="")
    assert result.returncode == 0, result.stderr

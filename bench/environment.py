"""A throw-away Django for the benchmarks: never the developer's ``var/db.sqlite3``.

Without ``DATABASE_URL`` the settings put SQLite at ``$ITSM_VAR_DIR/db.sqlite3``, so ``ITSM_VAR_DIR`` is
pointed at a temporary directory (deleted afterwards) before Django reads its settings. With
``DATABASE_URL`` set, that database is used as it is: migrated, and the whole run happens inside one
transaction that is rolled back at the end, so the fixtures never stay behind.

During the run ``DEBUG`` is off (as in production: no query log, no WhiteNoise autorefresh) and the
URLconf is :mod:`bench.urls`, the product's URLs plus the baseline views.
"""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent


@contextmanager
def django_environment() -> Iterator[dict[str, Any]]:
    """Set Django up on a throw-away database; yield facts about the run for the results file."""
    with ExitStack() as stack:
        external_database = bool(os.environ.get("DATABASE_URL"))
        if not external_database:
            var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="itsm-bench-"))
            os.environ["ITSM_VAR_DIR"] = var_dir
            # WhiteNoise warns at start-up when STATIC_ROOT is missing; nothing is served from it here.
            (Path(var_dir) / "static").mkdir(exist_ok=True)
        os.environ["DJANGO_SETTINGS_MODULE"] = "itsm.settings"

        import django

        django.setup()

        from django.core.management import call_command
        from django.db import connection, connections
        from django.test.utils import override_settings

        # Close the connections before the temporary directory (and its SQLite file) goes away.
        stack.callback(connections.close_all)
        call_command("migrate", verbosity=0, interactive=False)
        stack.enter_context(override_settings(DEBUG=False, ROOT_URLCONF="bench.urls"))
        if external_database:
            stack.enter_context(_rolled_back())
        yield _facts(connection, external_database=external_database)


@contextmanager
def _rolled_back() -> Iterator[None]:
    """One transaction around the whole run, rolled back: a caller's database keeps none of it."""
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _facts(connection: Any, *, external_database: bool) -> dict[str, Any]:
    import django
    import rest_framework

    server_version = ".".join(str(part) for part in connection.get_database_version())
    return {
        "database": connection.vendor,
        "database_version": server_version,
        "database_source": "DATABASE_URL (rolled back)" if external_database else "temporary SQLite",
        "python": platform.python_version(),
        "django": django.get_version(),
        "djangorestframework": rest_framework.VERSION,
        "machine": platform.machine(),
        "processor": _processor(),
        "cpus": os.cpu_count(),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _git(*args: str) -> str:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return completed.stdout.strip()


def _processor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()

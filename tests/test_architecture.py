"""The house import rules, enforced on the source tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "itsm",
    "incidents",
    "problems",
    "changes",
    "releases",
    "configuration",
    "service_levels",
    "suppliers",
    "audits",
]
DOMAIN_MODULES = {"models", "services", "selectors", "tasks", "choices", "permissions"}
UI_MODULES = {"views", "forms", "api"}


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def source_files(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts and "tests" not in p.parts]


def test_apps_never_import_another_apps_views_forms_or_api() -> None:
    offences = []
    for app in APPS:
        for path in source_files(app):
            for name in imports_of(path):
                parts = name.split(".")
                if parts[0] in APPS and parts[0] != app and len(parts) > 1 and parts[1] in UI_MODULES:
                    # The core's building blocks are meant for every app; its own pages are not.
                    if parts[0] == "itsm" and parts[1] == "api" and (len(parts) < 3 or parts[2] != "views"):
                        continue
                    offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []


def test_domain_code_never_imports_views_or_api() -> None:
    offences = []
    for app in APPS:
        for path in source_files(app):
            if path.stem not in DOMAIN_MODULES or path.parent.name == "api":
                continue
            for name in imports_of(path):
                parts = name.split(".")
                if parts[0] in APPS and len(parts) > 1 and parts[1] in {"views", "api", "forms"}:
                    offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []


def test_every_app_has_the_house_anatomy() -> None:
    expected = [
        "apps.py",
        "models.py",
        "choices.py",
        "services.py",
        "selectors.py",
        "permissions.py",
        "filters.py",
        "forms.py",
        "views.py",
        "urls.py",
        "tasks.py",
        "admin.py",
        "api/serializers.py",
        "api/views.py",
        "api/urls.py",
        "migrations/__init__.py",
        "tests/__init__.py",
    ]
    missing = [
        f"{app}/{name}"
        for app in APPS
        if app != "itsm"
        for name in expected
        if not (ROOT / app / name).exists()
    ]
    assert missing == []


def test_no_bulk_update_or_raw_sql_on_audited_models() -> None:
    """``QuerySet.update()``, ``bulk_update()`` and raw SQL skip history and the audit trail, so they
    must never touch a history-tracked model; bookkeeping models (counters, claims) may use them."""
    from django.apps import apps

    audited = {
        m.__name__
        for m in apps.get_models()
        if hasattr(m, "history") and not m.__name__.startswith("Historical")
    }
    bulk = re.compile(r"\b([A-Z]\w*)\.objects\b[^#]*\.(update|bulk_update)\(")
    offences = []
    for app in APPS:
        for path in source_files(app):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = bulk.search(line)
                if match and match.group(1) in audited:
                    offences.append(
                        f"{path.relative_to(ROOT)}:{number} {match.group(2)}() on {match.group(1)}"
                    )
                if re.search(r"\.raw\(|cursor\(\)", line) and any(
                    f" {name.lower()}" in line.lower() for name in audited
                ):
                    offences.append(f"{path.relative_to(ROOT)}:{number} raw SQL near an audited model")
    assert offences == []


def test_the_bulk_update_rule_would_catch_an_offence() -> None:
    bulk = re.compile(r"\b([A-Z]\w*)\.objects\b[^#]*\.(update|bulk_update)\(")
    assert bulk.search('Team.objects.filter(pk=1).update(name="x")').group(1) == "Team"


def test_models_and_migrations_agree(db: object) -> None:
    """A model change without its migration fails here, not only in CI's separate check."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        raise AssertionError(f"Missing migrations:\n{out.getvalue()}") from None

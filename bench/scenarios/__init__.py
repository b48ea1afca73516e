"""The scenarios, by name. Each module has ``build(*, rows) -> Scenario`` and is imported only after
Django is set up, so ``python -m bench --list`` works without touching a database."""

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
    )
}

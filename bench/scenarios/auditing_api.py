"""S7-api: what history and the audit trail add to an update through the API (S7 as the reference
words it: "update of a ticket through the API").

Product: ``PATCH /api/v1/teams/<id>/`` with a new description every call, token-authenticated as an
administrator: DRF, the policy, the serializer, ``team_update`` (history row + audit entry) and the
response. Baseline: the same request with ``SIMPLE_HISTORY_ENABLED = False`` for the duration of the
call, which makes simple-history write no row and so the audit trail no entry. Auditing is toggled in
the run; request, service and response are the same.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.throttling import UserRateThrottle

from bench.audit_fixtures import expect_delta, remove_teams, seed_chain
from bench.fixtures import count_queries, create_user, expect_ok, run_prefix
from bench.harness import BenchError, Scenario
from itsm.audit import AuditEntry
from itsm.models import Team


@contextmanager
def _history_disabled() -> Iterator[None]:
    """simple-history reads the setting on every save (default True); put back what it was.

    A plain attribute assignment, not ``override_settings``: that sends ``setting_changed`` on entry and
    exit and would charge the baseline for it.
    """
    before = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = before


def build(*, rows: int) -> Scenario:
    tag = run_prefix()
    admin = create_user(tag=tag)
    seed_chain(rows)
    team = Team(name=f"Bench {tag} S7 API team", code=f"bench-{tag}-s7-api")
    team.skip_history_when_saving = True  # type: ignore[attr-defined]
    team.save()
    token = Token.objects.create(user=admin)
    client = Client(headers={"authorization": f"Token {token.key}", "accept": "application/json"})
    url = f"/api/v1/teams/{team.pk}/"
    throttle_key = UserRateThrottle.cache_format % {"scope": UserRateThrottle.scope, "ident": admin.pk}
    counter = itertools.count(1)

    def patch(description: str) -> object:
        response = client.patch(
            url, data=json.dumps({"description": description}), content_type="application/json"
        )
        return expect_ok(response, f"PATCH {url}")

    def product() -> object:
        return patch(f"Audited API change {next(counter)}")

    def baseline() -> object:
        with _history_disabled():
            return patch(f"Unaudited API change {next(counter)}")

    def forget_throttle_history() -> None:
        cache.delete(throttle_key)

    history = Team.history.filter(id=team.pk)
    for side, call, expected in (("product", product, 1), ("baseline", baseline, 0)):
        forget_throttle_history()
        expect_delta(f"S7-api {side} history", history.count, expected, call)
        expect_delta(f"S7-api {side} audit trail", AuditEntry.objects.count, expected, call)
    if not Team.objects.get(pk=team.pk).description.startswith("Unaudited API change "):
        raise BenchError("S7-api: the baseline's PATCH did not change the team.")
    forget_throttle_history()
    queries = f"product {count_queries(product)}, baseline {count_queries(baseline)} per request"
    return Scenario(
        name="S7-api",
        title=f"audited PATCH of a team through the API vs the same PATCH unaudited ({rows:,} entries)",
        product_label=f"PATCH {url} (team_update: history row + audit entry)",
        baseline_label=f"PATCH {url} with SIMPLE_HISTORY_ENABLED = False (no history, no entry)",
        product=product,
        baseline=baseline,
        before_each=forget_throttle_history,
        teardown=lambda: remove_teams(tag=tag),
        info={"rows": f"{rows:,} audit entries seeded before the run", "queries": queries},
    )

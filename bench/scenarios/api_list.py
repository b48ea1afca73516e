"""S-API-list: what DRF, token authentication, the policy, the throttle and the serializer cost.

Product: ``GET /api/v1/teams/`` (first cursor page, 50 of ``rows`` teams) with a token header.
Baseline: a bare Django view (:func:`bench.baselines.team_list_json`) that answers the same JSON from a
``values()`` query. Both go through the same test client, URLconf and middleware stack, so the ratio is
the cost of the API layer over the least a Django view must do for the same bytes.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.throttling import UserRateThrottle

from bench.fixtures import count_queries, create_user, expect_ok, remove_fixtures, run_prefix, seed_teams
from bench.harness import BenchError, Scenario

PRODUCT_URL = "/api/v1/teams/"
BASELINE_URL = "/bench/baseline/api/teams/"


def build(*, rows: int) -> Scenario:
    tag = run_prefix()
    user = create_user(tag=tag)
    seed_teams(tag=tag, count=rows)
    token = Token.objects.create(user=user)
    client = Client(headers={"authorization": f"Token {token.key}", "accept": "application/json"})
    throttle_key = UserRateThrottle.cache_format % {"scope": UserRateThrottle.scope, "ident": user.pk}

    def forget_throttle_history() -> None:
        # Every request then pays the throttle's cache read and write, but never gets a 429, and the
        # history list it stores does not grow with the number of rounds.
        cache.delete(throttle_key)

    def product() -> object:
        return expect_ok(client.get(PRODUCT_URL), PRODUCT_URL)

    def baseline() -> object:
        return expect_ok(client.get(BASELINE_URL), BASELINE_URL)

    forget_throttle_history()
    product_response = expect_ok(client.get(PRODUCT_URL), PRODUCT_URL)
    baseline_response = expect_ok(client.get(BASELINE_URL), BASELINE_URL)
    _check_same_answer(json.loads(product_response.content), json.loads(baseline_response.content))
    sizes = f"product {len(product_response.content)}, baseline {len(baseline_response.content)}"
    forget_throttle_history()
    queries = f"product {count_queries(product)}, baseline {count_queries(baseline)} per request"
    return Scenario(
        name="S-API-list",
        title=f"API list, 50 of {rows:,} teams: DRF endpoint vs bare Django view, same JSON",
        product_label=f"GET {PRODUCT_URL} (DRF, token auth, policy, throttle, cursor pagination)",
        baseline_label=f"GET {BASELINE_URL} (values() + JsonResponse, same rows and fields)",
        product=product,
        baseline=baseline,
        before_each=forget_throttle_history,
        teardown=lambda: remove_fixtures(tag=tag, user=user),
        info={"rows": f"{rows:,} teams", "queries": queries, "bytes": sizes},
    )


def _check_same_answer(product: dict[str, Any], baseline: dict[str, Any]) -> None:
    """The baseline only counts if it answers what the product answers; say so when they drift."""
    if set(product) != set(baseline):
        raise BenchError(f"S-API-list: keys differ: product {sorted(product)}, baseline {sorted(baseline)}.")
    if product["results"] != baseline["results"]:
        raise BenchError(
            "S-API-list: the baseline view no longer returns the product's rows or fields; "
            "update bench/baselines.py to match the API."
        )
    if len(product["results"]) != 50:
        raise BenchError(f"S-API-list: expected a full page of 50 teams, got {len(product['results'])}.")
    cursors = [parse_qs(urlsplit(body["next"] or "").query).get("cursor") for body in (product, baseline)]
    if cursors[0] != cursors[1] or product["previous"] != baseline["previous"]:
        raise BenchError(f"S-API-list: next/previous links differ: {cursors}.")

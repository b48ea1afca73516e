"""S3 (and S3b): the agents' incident queue and the API list at 1M incidents vs at 1k.

Data (``incident_fixtures``): two support teams in the same incident table, the "small" team with
1,000 incidents and the "big" one with ``rows`` (default 1,000,000), logged over the same two years
(so the small team's rows are spread among the big team's), 90 % closed, each with a resolution clock.

Product: ``GET /incidents/?assignment_team=<big>``, the queue filtered to the big team (the team filter
of the filter panel, default order newest first), the full HTML page for a service desk agent signed in
with a session: 50 rows with priority, state, SLA badge (time left on the running clock), service,
customer, team and assignee. Baseline: the same page filtered to the small team. Same user, same
template, same filters, same number of queries. So **R3 = T(page over 1M incidents) / T(page over 1k)**
measured in the same run, alternating.

Measured as well, each with its own alternating rounds before the main run:

* at 1k: before the big team is loaded, the small team's queue page, its API list and its search, in a
  table holding only its 1,000 incidents. After the load the same pages are timed again, so the report
  also shows what the 1,000-row requests cost once the table holds 1M more rows;
* S3-api: ``GET /api/v1/incidents/?assignment_team=<big>`` vs ``<small>`` (cursor pages of 50, newest
  id first, the SLA annotations too);
* S3-deep: the big team's queue at page 10,000 (a keyset cursor built as the page builds its own, row
  500,001 of 1,000,000; for smaller ``rows`` the middle of the list) vs its first page; and the same
  for the API with DRF's cursor (``p=<id>``);
* S3b: full-text search ``?q=Quokkaware`` (a selective term: exactly 20 incidents of each team carry
  it) on the big team's queue vs the small team's.

The population design is explained in docs/benchmarks.md: both sides share one table (index depth,
page cache), so a plan that scanned the whole table would cost both sides the same and read about
1.0; the scenario therefore also records each query plan and the 1k-table timings.
"""

from __future__ import annotations

import base64
import html
import statistics
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.fixtures import create_user, expect_ok, run_prefix
from bench.harness import BenchError, Result, Scenario, measure
from incidents.models import Incident
from itsm.choices import Role
from itsm.ui.lists import encode_cursor

from . import incident_fixtures as fixtures

SMALL = 1_000
SUB_ROUNDS = 40
SUB_WARMUP = 3
DEEP_PAGE = 10_000
PAGE = 50
QUEUE = "/incidents/"
API = "/api/v1/incidents/"


def build(*, rows: int) -> Scenario:
    if rows < 10 * SMALL:
        raise BenchError(f"S3 needs at least {10 * SMALL:,} incidents (--rows), got {rows:,}.")
    tag = run_prefix()
    agent = create_user(tag=tag, role=Role.SERVICE_DESK_AGENT)
    data = fixtures.make_base(tag=tag, agent=agent)
    try:
        return _build(data, rows=rows)
    except BaseException:
        fixtures.remove(data)
        agent.delete()
        raise


def _build(data: fixtures.Fixtures, *, rows: int) -> Scenario:
    client = Client()
    client.force_login(data.agent)

    def get(url: str) -> Callable[[], object]:
        return lambda: expect_ok(client.get(url), url)

    small = fixtures.add_population(data, name="small", count=SMALL)
    fixtures.analyze()
    small_urls = _urls(small)
    _check_queue(client, small_urls["queue"], small.references)
    _check_search(client, small_urls["search"])
    at_1k = {
        "queue": _sub("S3-1k", get(small_urls["queue"]), get(small_urls["api"])),
        "search": _sub("S3b-1k", get(small_urls["search"]), get(small_urls["queue"])),
    }

    big = fixtures.add_population(data, name="big", count=rows)
    fixtures.analyze()
    big_urls = _urls(big)
    _check_queue(client, big_urls["queue"], big.references)
    _check_queue(client, small_urls["queue"], small.references)
    _check_search(client, big_urls["search"])
    deep_at, deep_queue, deep_api = _deep_urls(big, rows=rows)
    deep_page = _check_deep(client, deep_queue, deep_api, big, deep_at)

    subs: dict[str, Result] = {
        "S3-api": _sub("S3-api", get(big_urls["api"]), get(small_urls["api"])),
        "S3-deep": _sub("S3-deep", get(deep_queue), get(big_urls["queue"])),
        "S3-deep-api": _sub("S3-deep-api", get(deep_api), get(big_urls["api"])),
        "S3b": _sub("S3b", get(big_urls["search"]), get(small_urls["search"])),
    }
    queries = {
        "queue 1M / 1k": (_queries(client, big_urls["queue"]), _queries(client, small_urls["queue"])),
        "API 1M / 1k": (_queries(client, big_urls["api"]), _queries(client, small_urls["api"])),
        "deep queue / API": (_queries(client, deep_queue), _queries(client, deep_api)),
        "search 1M / 1k": (_queries(client, big_urls["search"]), _queries(client, small_urls["search"])),
    }
    seeding = data.seconds["big"]
    info: dict[str, Any] = {
        "rows": f"{rows:,} incidents of the big team + {SMALL:,} of the small one, one resolution clock"
        f" each, {connection.vendor}",
        "seeding": f"{rows:,} incidents + {rows:,} clocks in {seeding:.1f} s ({rows / seeding:,.0f}"
        f" incidents/s, search index and B-tree indexes maintained)",
        "queries": "; ".join(f"{key} {a} / {b}" for key, (a, b) in queries.items()),
    }
    for name, sub in subs.items():
        info[name] = _line(sub)
    after = subs["S3-api"]
    info["1k table"] = (
        f"small team's pages with only its {SMALL:,} incidents in the table: queue"
        f" {_ms(at_1k['queue'].product.median_ns)}, API {_ms(at_1k['queue'].baseline.median_ns)},"
        f" search {_ms(at_1k['search'].product.median_ns)}"
    )
    info["S3b vs 1k table"] = (
        f"search on the big team {_ms(subs['S3b'].product.median_ns)} / search at the 1k table"
        f" {_ms(at_1k['search'].product.median_ns)} ="
        f" {subs['S3b'].product.median_ns / at_1k['search'].product.median_ns:.2f}x"
    )
    info["API vs 1k table"] = (
        f"API on the big team {_ms(after.product.median_ns)} / API at the 1k table"
        f" {_ms(at_1k['queue'].baseline.median_ns)} ="
        f" {after.product.median_ns / at_1k['queue'].baseline.median_ns:.2f}x"
    )
    info["deep page"] = f"page {deep_page:,} (rows {deep_at + 1:,}-{deep_at + PAGE:,} of {rows:,})"
    info["plans"] = _plans(
        client, {"queue": big_urls["queue"], "API": big_urls["api"], "search": big_urls["search"]}
    )
    first_queue_small = at_1k["queue"].product.median_ns

    def teardown() -> None:
        try:
            fixtures.remove(data)
        finally:
            data.agent.delete()

    scenario = Scenario(
        name="S3",
        title=f"incident queue page, team with {rows:,} incidents vs team with {SMALL:,} (same table)",
        product_label=f"GET {QUEUE}?assignment_team=<big> ({rows:,} incidents, 50 rows shown)",
        baseline_label=f"GET {QUEUE}?assignment_team=<small> ({SMALL:,} incidents, 50 rows shown)",
        product=get(big_urls["queue"]),
        baseline=get(small_urls["queue"]),
        teardown=teardown,
        info=info,
    )
    info["queue vs 1k table"] = (
        f"small team's queue at the 1k table {_ms(first_queue_small)} (the main ratio's baseline is the"
        " same page after the load)"
    )
    return scenario


def _urls(population: fixtures.Population) -> dict[str, str]:
    team = population.team.pk
    return {
        "queue": f"{QUEUE}?assignment_team={team}",
        "api": f"{API}?assignment_team={team}",
        "search": f"{QUEUE}?assignment_team={team}&q={fixtures.RARE_TERM}",
    }


def _deep_urls(population: fixtures.Population, *, rows: int) -> tuple[int, str, str]:
    """The row index where the deep page starts, the queue URL and the API URL of that page."""
    page = min(DEEP_PAGE, rows // PAGE // 2)
    start = (page - 1) * PAGE
    ordered = Incident.objects.filter(assignment_team=population.team).order_by("-created_at", "-id")
    created_at, pk = ordered.values_list("created_at", "pk")[start - 1]
    query = QueryDict(mutable=True)
    query["assignment_team"] = str(population.team.pk)
    query["cursor"] = encode_cursor("after", [created_at, pk])
    by_id = Incident.objects.filter(assignment_team=population.team).order_by("-id")
    position = by_id.values_list("pk", flat=True)[start - 1]
    cursor = base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")
    api = f"{API}?{urlencode({'assignment_team': population.team.pk, 'cursor': cursor})}"
    return start, f"{QUEUE}?{query.urlencode()}", api


def _sub(name: str, product: Callable[[], object], baseline: Callable[[], object]) -> Result:
    scenario = Scenario(name, "", "", "", product=product, baseline=baseline)
    return measure(scenario, rounds=SUB_ROUNDS, warmup=SUB_WARMUP)


def _ms(ns: float) -> str:
    return f"{ns / 1e6:.2f} ms"


def _line(result: Result) -> str:
    low, high = result.spread
    return (
        f"{_ms(result.product.median_ns)} vs {_ms(result.baseline.median_ns)} = {result.ratio:.2f}x"
        f" (p5-p95 {low:.2f}-{high:.2f}x, {result.rounds} rounds;"
        f" round median {statistics.median(result.round_ratios):.2f}x)"
    )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        expect_ok(client.get(url), url)
    return len(captured)


def _page_query(client: Client, url: str) -> str:
    """The SQL of the request's incident page query (the one reading the incident table with a LIMIT)."""
    with CaptureQueriesContext(connection) as captured:
        expect_ok(client.get(url), url)
    for query in captured.captured_queries:
        sql = query["sql"]
        page_columns = '"incidents_incident"."reference"' in sql  # not a search's id list
        if (
            sql.startswith("SELECT")
            and 'FROM "incidents_incident"' in sql
            and "LIMIT" in sql
            and page_columns
        ):
            return sql
    raise BenchError(f"S3: no page query found for {url}.")


def _plans(client: Client, urls: dict[str, str]) -> str:
    found = []
    for label, url in urls.items():
        sql = _page_query(client, url)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN " + sql)
                lines = [str(row[0]).strip() for row in cursor.fetchall()]
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                lines = [str(row[-1]).strip() for row in cursor.fetchall()]
        found.append(f"{label}: " + " | ".join(lines[:24]))
    return "; ".join(found)


def _shows(page: str, references: list[str]) -> bool:
    return all(html.escape(reference) in page for reference in references)


def _check_queue(client: Client, url: str, references: list[str]) -> None:
    page = expect_ok(client.get(url), url).content.decode()
    if len(references) < PAGE or not _shows(page, references[:PAGE]) or 'rel="next"' not in page:
        raise BenchError(f"S3: {url} does not show the team's 50 newest incidents with a next link.")
    if " left<" not in page and "left</span>" not in page:
        raise BenchError(f"S3: {url} shows no SLA badge with time left.")


def _check_search(client: Client, url: str) -> None:
    page = expect_ok(client.get(url), url).content.decode()
    found = page.count(fixtures.RARE_TERM)
    if found < fixtures.RARE_ROWS:
        raise BenchError(f"S3b: {url} shows {found} rows with the term, expected {fixtures.RARE_ROWS}.")


def _check_deep(
    client: Client, queue_url: str, api_url: str, population: fixtures.Population, start: int
) -> int:
    """The deep cursors land on the expected rows; returns the page number."""
    ordered = Incident.objects.filter(assignment_team=population.team).order_by("-created_at", "-id")
    expected = list(ordered.values_list("reference", flat=True)[start : start + PAGE])
    page = expect_ok(client.get(queue_url), queue_url).content.decode()
    outside = ordered.values_list("reference", flat=True)[start - 1]
    if not _shows(page, expected) or html.escape(outside) in page:
        raise BenchError("S3-deep: the queue's deep cursor did not land on the expected rows.")
    by_id = Incident.objects.filter(assignment_team=population.team).order_by("-id")
    expected_ids = list(by_id.values_list("pk", flat=True)[start : start + PAGE])
    answer = expect_ok(client.get(api_url), api_url).json()
    if [row["id"] for row in answer["results"]] != expected_ids:
        raise BenchError("S3-deep: the API's deep cursor did not land on the expected rows.")
    return start // PAGE + 1

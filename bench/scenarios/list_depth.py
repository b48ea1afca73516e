"""S-list-depth: a page deep in the team list should cost what the first page costs.

Product: ``GET /teams/?cursor=...`` for the page that starts 100 rows before the end of the list (it
still has a next page, so both pages fetch page size + 1 rows and render a next link). Baseline:
``GET /teams/``, the first page. Same user (an administrator with a session), same template, same
number of queries. Keyset pagination should make the ratio about 1. OFFSET pagination or a COUNT would
push it above 1; a query that reads every row before applying the LIMIT (on the first page that is the
whole table) pushes it below 1.
"""

from __future__ import annotations

import html
import re

from django.http import QueryDict
from django.test import Client

from bench.fixtures import count_queries, create_user, expect_ok, remove_fixtures, run_prefix, seed_teams
from bench.harness import BenchError, Scenario
from itsm.models import Team
from itsm.ui.lists import encode_cursor
from itsm.views import TeamListView

FIRST_URL = "/teams/"
NEXT_LINK = re.compile(r'rel="next" href="\?([^"]*)"')


def build(*, rows: int) -> Scenario:
    page_size = TeamListView.page_size
    if rows < 3 * page_size:
        raise BenchError(f"S-list-depth needs at least {3 * page_size} teams (--rows), got {rows}.")
    tag = run_prefix()
    user = create_user(tag=tag)
    seed_teams(tag=tag, count=rows)
    client = Client()
    client.force_login(user)

    # The list's order (name, then pk) over every team the administrator sees.
    names = list(Team.objects.order_by("name", "pk").values_list("name", flat=True))
    after = Team.objects.order_by("name", "pk").values_list("name", "pk")[len(names) - 2 * page_size - 1]
    deep_start = len(names) - 2 * page_size  # index of the deep page's first row
    query = QueryDict(mutable=True)
    query["cursor"] = encode_cursor("after", list(after))
    deep_url = f"{FIRST_URL}?{query.urlencode()}"

    def first_page() -> object:
        return expect_ok(client.get(FIRST_URL), FIRST_URL)

    def deep_page() -> object:
        return expect_ok(client.get(deep_url), "deep page")

    _check_pages(client, deep_url, names=names, page_size=page_size, deep_start=deep_start)
    queries = f"deep {count_queries(deep_page)}, first {count_queries(first_page)} per request"
    return Scenario(
        name="S-list-depth",
        title=f"HTML team list, page {deep_start // page_size + 1:,} of {len(names):,} teams vs page 1",
        product_label=f"GET {FIRST_URL}?cursor=... (rows {deep_start + 1:,}-{deep_start + page_size:,})",
        baseline_label=f"GET {FIRST_URL} (rows 1-{page_size})",
        product=deep_page,
        baseline=first_page,
        teardown=lambda: remove_fixtures(tag=tag, user=user),
        info={"rows": f"{len(names):,} teams", "queries": queries},
    )


def _shows(page: str, names: list[str], start: int, page_size: int) -> bool:
    """The page lists rows ``start`` .. ``start + page_size - 1`` and not the rows either side."""
    inside = all(html.escape(name) in page for name in names[start : start + page_size])
    outside = [names[i] for i in (start - 1, start + page_size) if 0 <= i < len(names)]
    return inside and not any(html.escape(name) in page for name in outside)


def _check_pages(client: Client, deep_url: str, *, names: list[str], page_size: int, deep_start: int) -> None:
    """Each page shows the rows it should, and the cursor format is the one the page itself links to."""
    first = expect_ok(client.get(FIRST_URL), "first page").content.decode()
    if not _shows(first, names, 0, page_size):
        raise BenchError("S-list-depth: the first page does not show the first rows of the list.")
    match = NEXT_LINK.search(first)
    if match is None:
        raise BenchError('S-list-depth: the first page has no rel="next" link; the list markup changed.')
    second = expect_ok(client.get(f"{FIRST_URL}?{html.unescape(match.group(1))}"), "second page")
    if not _shows(second.content.decode(), names, page_size, page_size):
        raise BenchError('S-list-depth: following rel="next" did not show the second page.')
    deep = expect_ok(client.get(deep_url), "deep page").content.decode()
    if not _shows(deep, names, deep_start, page_size):
        raise BenchError("S-list-depth: the deep cursor did not land on the expected rows.")

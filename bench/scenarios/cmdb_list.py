"""S8-list: the CI list page over 100,000 CIs vs over 1,000 CIs.

Two CI types in the same database: one with ``rows`` CIs (default 100,000), one with ``rows // 100``.
Product: ``GET /configuration/cis/?ci_type=<big>``; baseline: ``GET /configuration/cis/?ci_type=<small>``.
Same user, same page size (50 rows), same filters, same number of queries. Keyset pagination over
the (type, reference) index should keep the ratio near 1; a COUNT or OFFSET would make it grow with
the rows.
"""

from __future__ import annotations

from django.test import Client

from bench.fixtures import count_queries, create_user, expect_ok, run_prefix
from bench.harness import BenchError, Scenario
from configuration.models import CIType, ConfigurationItem

from .cmdb_fixtures import analyze, remove, seed_cis


def build(*, rows: int) -> Scenario:
    if rows < 10_000:
        raise BenchError(f"S8-list needs at least 10,000 CIs (--rows), got {rows}.")
    tag = run_prefix()
    user = create_user(tag=tag)
    big = CIType.objects.create(code=f"b{tag}-big", name=f"Bench {tag} big", description="bench")
    small = CIType.objects.create(code=f"b{tag}-small", name=f"Bench {tag} small", description="bench")
    seed_cis(tag=tag, ci_type=big, count=rows, owner=user)
    seed_cis(tag=tag, ci_type=small, count=rows // 100, owner=user)
    analyze()
    client = Client()
    client.force_login(user)
    big_url = f"/configuration/cis/?ci_type={big.pk}"
    small_url = f"/configuration/cis/?ci_type={small.pk}"

    def product() -> object:
        return expect_ok(client.get(big_url), big_url)

    def baseline() -> object:
        return expect_ok(client.get(small_url), small_url)

    for ci_type, url in ((big, big_url), (small, small_url)):
        first = ConfigurationItem.objects.filter(ci_type=ci_type).order_by("reference").first()
        page = expect_ok(client.get(url), url).content.decode()
        if first is None or first.reference not in page or 'rel="next"' not in page:
            raise BenchError(f"S8-list: {url} does not show the first CIs of its type with a next page.")

    def teardown() -> None:
        remove(tag=tag)
        user.delete()

    return Scenario(
        name="S8-list",
        title=f"CI list page, {rows:,} CIs of the type vs {rows // 100:,}",
        product_label=f"GET {big_url.replace(str(big.pk), '<big>')} ({rows:,} rows match)",
        baseline_label=f"GET {small_url.replace(str(small.pk), '<small>')} ({rows // 100:,} rows match)",
        product=product,
        baseline=baseline,
        teardown=teardown,
        info={
            "rows": f"{rows + rows // 100:,} CIs in the table",
            "queries": f"{count_queries(product)} per request (product), {count_queries(baseline)} (baseline)",
        },
    )

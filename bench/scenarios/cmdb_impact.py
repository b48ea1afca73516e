"""S8-impact: CMDB impact analysis on a 10,000-CI graph vs a 1,000-CI graph.

Both graphs (``bench.scenarios.cmdb_fixtures``) live in the same database. Product:
``configuration.selectors.impact_of(core switch)`` on the big graph; baseline: the same call on the
small graph (a tenth of ``rows``). From the core switch every other CI is reached, then the service
and its customer. The target (performance reference, S8) is R8 = time(10k) / time(1k) <= 10, i.e.
linear in what is visited, and <= 0.1 ms per visited CI; both are reported.
"""

from __future__ import annotations

import statistics
import time

from bench.fixtures import count_queries, create_user, run_prefix
from bench.harness import BenchError, Scenario
from configuration.selectors import ImpactNode, impact_of

from .cmdb_fixtures import Graph, analyze, make_graph, relationship_types, remove


def build(*, rows: int) -> Scenario:
    if rows < 1000:
        raise BenchError(f"S8-impact needs at least 1,000 CIs (--rows), got {rows}.")
    tag = run_prefix()
    user = create_user(tag=tag)
    kinds = relationship_types(tag)
    big = make_graph(tag=tag, size=rows, owner=user, kinds=kinds)
    small = make_graph(tag=tag, size=rows // 10, owner=user, kinds=kinds)
    analyze()
    product_ns: list[int] = []
    baseline_ns: list[int] = []

    def check(nodes: list[ImpactNode], size: int) -> int:
        visited = sum(1 for n in nodes if n.kind == "ci")
        # Every CI but the switch itself and its redundant twin (which does not depend on it).
        if visited != size - 2 or not any(n.kind == "customer" for n in nodes):
            raise BenchError(f"S8-impact: the core switch reached {visited:,} of {size - 2:,} CIs.")
        return visited

    def timed(graph: Graph, samples: list[int]) -> object:
        start = time.perf_counter_ns()
        impact = impact_of(graph.root)
        samples.append(time.perf_counter_ns() - start)
        return impact

    def product() -> object:
        return timed(big, product_ns)

    def baseline() -> object:
        return timed(small, baseline_ns)

    visited_big = check(impact_of(big.root).nodes, big.size)
    visited_small = check(impact_of(small.root).nodes, small.size)
    queries = f"{count_queries(product)} per analysis (product), {count_queries(baseline)} (baseline)"
    product_ns.clear()
    baseline_ns.clear()
    info = {
        "graph": f"{big.size:,} CIs / {big.links:,} links vs {small.size:,} CIs / {small.links:,} links",
        "visited": f"{visited_big:,} CIs (product), {visited_small:,} CIs (baseline), plus service and customer",
        "queries": queries,
    }

    def report() -> None:
        if product_ns and baseline_ns:
            per_big = statistics.median(product_ns) / 1e6 / visited_big
            per_small = statistics.median(baseline_ns) / 1e6 / visited_small
            info["per CI"] = f"{per_big:.4f} ms per visited CI (product), {per_small:.4f} ms (baseline)"
        remove(tag=tag)
        user.delete()

    return Scenario(
        name="S8-impact",
        title=f"impact analysis of a core switch: {big.size:,}-CI graph vs {small.size:,}-CI graph",
        product_label=f"impact_of(core switch), {big.size:,} CIs reachable",
        baseline_label=f"impact_of(core switch), {small.size:,} CIs reachable",
        product=product,
        baseline=baseline,
        teardown=report,
        info=info,
    )

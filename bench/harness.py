"""The shared harness: warm up, then time product and baseline alternately, then summarise.

Pure Python, no Django: a scenario hands over two zero-argument callables and the harness does the rest.
Each round times one product call and one baseline call back to back; the order flips every round
(A B, B A, A B, ...) so neither side always runs on a cache the other one warmed. The garbage collector
is paused during a round and run between rounds, so a collection pause is never charged to whichever
call happened to trigger it.
"""

from __future__ import annotations

import gc
import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MIN_ROUNDS = 5
GC_EVERY = 25


class BenchError(Exception):
    """A scenario could not be measured honestly (wrong status, different output, too few rows)."""


@dataclass
class Scenario:
    """Two callables to compare.

    ``before_each`` runs untimed before every call of either side; ``teardown`` once after measuring.
    """

    name: str
    title: str
    product_label: str
    baseline_label: str
    product: Callable[[], object]
    baseline: Callable[[], object]
    before_each: Callable[[], object] | None = None
    teardown: Callable[[], object] | None = None
    info: dict[str, Any] = field(default_factory=dict)


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolating linearly between the closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Summary:
    median_ns: float
    p95_ns: float
    min_ns: int
    max_ns: int

    @classmethod
    def of(cls, samples: Sequence[int]) -> Summary:
        return cls(
            median_ns=statistics.median(samples),
            p95_ns=percentile(samples, 95),
            min_ns=min(samples),
            max_ns=max(samples),
        )

    def as_dict(self) -> dict[str, float]:
        return {
            "median_ms": self.median_ns / 1e6,
            "p95_ms": self.p95_ns / 1e6,
            "min_ms": self.min_ns / 1e6,
            "max_ms": self.max_ns / 1e6,
        }


@dataclass
class Result:
    scenario: Scenario
    rounds: int
    warmup: int
    product_ns: list[int]
    baseline_ns: list[int]

    @property
    def product(self) -> Summary:
        return Summary.of(self.product_ns)

    @property
    def baseline(self) -> Summary:
        return Summary.of(self.baseline_ns)

    @property
    def ratio(self) -> float:
        """Median product time / median baseline time: the number to read and to gate on."""
        return self.product.median_ns / self.baseline.median_ns

    @property
    def round_ratios(self) -> list[float]:
        """Product / baseline within each round; their spread shows how stable the ratio is."""
        return [p / b for p, b in zip(self.product_ns, self.baseline_ns, strict=True)]

    @property
    def spread(self) -> tuple[float, float]:
        ratios = self.round_ratios
        return percentile(ratios, 5), percentile(ratios, 95)

    def as_dict(self) -> dict[str, Any]:
        low, high = self.spread
        return {
            "name": self.scenario.name,
            "title": self.scenario.title,
            "product_label": self.scenario.product_label,
            "baseline_label": self.scenario.baseline_label,
            "rounds": self.rounds,
            "warmup": self.warmup,
            "ratio": self.ratio,
            "round_ratio_median": statistics.median(self.round_ratios),
            "round_ratio_p5": low,
            "round_ratio_p95": high,
            "product": self.product.as_dict(),
            "baseline": self.baseline.as_dict(),
            "info": self.scenario.info,
            "product_ns": self.product_ns,
            "baseline_ns": self.baseline_ns,
        }


def _timed(call: Callable[[], object], before_each: Callable[[], object] | None) -> int:
    if before_each is not None:
        before_each()
    start = time.perf_counter_ns()
    call()
    return time.perf_counter_ns() - start


def measure(scenario: Scenario, *, rounds: int, warmup: int) -> Result:
    """Warm both sides up, then run ``rounds`` rounds of one product and one baseline call each."""
    if rounds < MIN_ROUNDS:
        raise BenchError(f"--rounds must be at least {MIN_ROUNDS} (got {rounds}).")
    product, baseline, before = scenario.product, scenario.baseline, scenario.before_each
    for _ in range(warmup):
        _timed(product, before)
        _timed(baseline, before)
    product_ns: list[int] = []
    baseline_ns: list[int] = []
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for index in range(rounds):
            if index % 2 == 0:
                product_ns.append(_timed(product, before))
                baseline_ns.append(_timed(baseline, before))
            else:
                baseline_ns.append(_timed(baseline, before))
                product_ns.append(_timed(product, before))
            if (index + 1) % GC_EVERY == 0:
                gc.collect()
    finally:
        if gc_was_enabled:
            gc.enable()
    return Result(scenario, rounds, warmup, product_ns, baseline_ns)


def _ms(ns: float) -> str:
    return f"{ns / 1e6:.3f} ms"


def format_result(result: Result) -> str:
    scenario = result.scenario
    low, high = result.spread
    product, baseline = result.product, result.baseline
    lines = [
        f"{scenario.name}: {scenario.title}",
        f"  product   {scenario.product_label}",
        f"            median {_ms(product.median_ns):>11}   p95 {_ms(product.p95_ns):>11}",
        f"  baseline  {scenario.baseline_label}",
        f"            median {_ms(baseline.median_ns):>11}   p95 {_ms(baseline.p95_ns):>11}",
        f"  ratio     {result.ratio:.2f}x   (per-round ratios p5-p95: {low:.2f}x-{high:.2f}x,"
        f" {result.rounds} rounds)",
    ]
    lines.extend(f"  {key:<9} {value}" for key, value in scenario.info.items())
    return "\n".join(lines)


def format_summary(results: Sequence[Result]) -> str:
    header = (
        f"{'scenario':<14} {'product med':>12} {'baseline med':>13} {'ratio':>7}"
        f" {'product p95':>12} {'baseline p95':>13} {'spread p5-p95':>15}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        low, high = result.spread
        lines.append(
            f"{result.scenario.name:<14} {_ms(result.product.median_ns):>12} {_ms(result.baseline.median_ns):>13}"
            f" {result.ratio:>6.2f}x {_ms(result.product.p95_ns):>12} {_ms(result.baseline.p95_ns):>13}"
            f" {f'{low:.2f}-{high:.2f}x':>15}"
        )
    return "\n".join(lines)


def write_json(results: Sequence[Result], meta: dict[str, Any], *, stamp: str) -> Path:
    """Write the run to ``bench/results/<stamp>.json`` and ``latest.json``; return the first path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta, "scenarios": [result.as_dict() for result in results]}
    text = json.dumps(payload, indent=2, default=str) + "\n"
    path = RESULTS_DIR / f"{stamp}.json"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "latest.json").write_text(text, encoding="utf-8")
    return path

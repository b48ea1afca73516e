"""``python -m bench [scenario ...] [--rounds N] [--warmup N] [--rows N] [--list]``.

Runs the named scenarios (all of them by default) on a throw-away database, prints for each the
product and baseline medians, the ratio product / baseline and the p95s, and writes the run to
``bench/results/<UTC time>.json`` (and ``latest.json``).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

from .harness import BenchError, Result, format_result, format_summary, measure, write_json
from .scenarios import SCENARIOS

DEFAULT_ROUNDS = 150
DEFAULT_WARMUP = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run benchmark scenarios; each prints the ratio product / baseline measured in the same run.",
    )
    parser.add_argument("scenarios", nargs="*", metavar="scenario", help="scenario names (default: all)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help=f"timed rounds (product + baseline); default {DEFAULT_ROUNDS}, or the scenario's own",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help=f"untimed rounds before measuring; default {DEFAULT_WARMUP}, or the scenario's own",
    )
    parser.add_argument("--rows", type=int, default=None, help="rows to seed (default: per scenario)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    by_lower = {name.lower(): name for name in SCENARIOS}
    unknown = [name for name in args.scenarios if name.lower() not in by_lower]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    args.scenarios = [by_lower[name.lower()] for name in args.scenarios] or list(SCENARIOS)
    if args.rows is not None and args.rows < 1:
        parser.error("--rows must be positive")
    if args.warmup is not None and args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def list_scenarios() -> None:
    width = max(len(name) for name in SCENARIOS)
    for entry in SCENARIOS.values():
        rounds = f", {entry.rounds} rounds" if entry.rounds is not None else ""
        print(f"{entry.name:<{width}}  {entry.summary} (default {entry.default_rows:,} rows{rounds})")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        list_scenarios()
        return 0
    from .environment import django_environment

    started = datetime.now(UTC)
    results: list[Result] = []
    try:
        with django_environment() as facts:
            print(
                f"Benchmarks on {facts['database']} {facts['database_version']} ({facts['database_source']}),"
                f" Python {facts['python']}, Django {facts['django']}, {facts['cpus']} CPUs;"
                f" {args.rounds or DEFAULT_ROUNDS} rounds after {DEFAULT_WARMUP if args.warmup is None else args.warmup}"
                " warm-up rounds unless a scenario sets its own.\n",
                flush=True,
            )
            for name in args.scenarios:
                entry = SCENARIOS[name]
                rounds = args.rounds or entry.rounds or DEFAULT_ROUNDS
                warmup = next(n for n in (args.warmup, entry.warmup, DEFAULT_WARMUP) if n is not None)
                clock = time.perf_counter()
                scenario = entry.build(rows=args.rows)
                setup_s = time.perf_counter() - clock
                try:
                    result = measure(scenario, rounds=rounds, warmup=warmup)
                finally:
                    if scenario.teardown is not None:
                        scenario.teardown()
                results.append(result)
                print(format_result(result), flush=True)
                print(
                    f"  time      set-up {setup_s:.1f} s, run {time.perf_counter() - clock - setup_s:.1f} s\n"
                )
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    print(format_summary(results))
    meta = {
        **facts,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "rounds": args.rounds,
        "warmup": args.warmup,
        "rows": args.rows,
        "argv": sys.argv[1:] if argv is None else argv,
    }
    path = write_json(results, meta, stamp=started.strftime("%Y%m%dT%H%M%SZ"))
    print(f"\nRatio = product median / baseline median. Raw samples: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""S7-verify: how long checking the audit trail takes, and what the hashing costs over reading the rows.

``rows`` valid entries (default 100,000) are appended to the chain first, hashed in Python and
bulk-inserted (``bench.audit_fixtures.seed_chain``). Product: ``itsm.audit.verify_chain(first, last)``
over exactly those entries: every row streamed in order, its hash recomputed, its link and its columns
checked against the hashed payload. Baseline: streaming the same rows and columns the same way
(``values_list(...).iterator(chunk_size=2000)``) without checking anything, i.e. what reading the chain
costs at all.

Also reported: entries per second of the verification, and the peak Python memory (``tracemalloc``) of
one verification, measured once before timing (tracing makes it about 4x slower, so it is never on
during the timed rounds; that traced call is also the warm-up). Runs 5 rounds without a further
warm-up round unless told otherwise.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable

from bench.audit_fixtures import seed_chain
from bench.harness import BenchError, Scenario
from itsm.audit import _VERIFIED_COLUMNS, AuditEntry, verify_chain

CHUNK_SIZE = 2000  # verify_chain's default


def build(*, rows: int) -> Scenario:
    clock = time.perf_counter()
    chain = seed_chain(rows)
    seed_s = time.perf_counter() - clock
    product_ns: list[int] = []

    def verify() -> int:
        result = verify_chain(chain.first_seq, chain.last_seq, chunk_size=CHUNK_SIZE)
        if not result.ok or result.checked != rows:
            raise BenchError(f"S7-verify: verify_chain() did not pass over {rows:,} entries: {result}.")
        return result.checked

    def product() -> object:
        start = time.perf_counter_ns()
        checked = verify()
        product_ns.append(time.perf_counter_ns() - start)
        return checked

    def baseline() -> object:
        queryset = AuditEntry.objects.filter(seq__gte=chain.first_seq, seq__lte=chain.last_seq).order_by(
            "seq"
        )
        count = sum(1 for _row in queryset.values_list(*_VERIFIED_COLUMNS).iterator(chunk_size=CHUNK_SIZE))
        if count != rows:
            raise BenchError(f"S7-verify: the baseline read {count:,} entries, not {rows:,}.")
        return count

    verify_peak = _peak_memory(verify)
    info = {
        "rows": f"{rows:,} entries (seq {chain.first_seq:,}-{chain.last_seq:,}), seeded in {seed_s:.1f} s",
        "memory": f"{verify_peak / 2**20:.1f} MiB peak traced Python memory during one verify_chain()",
    }

    def report_rate() -> None:
        if product_ns:
            median_s = statistics.median(product_ns) / 1e9
            info["rate"] = f"{rows / median_s:,.0f} entries/s verified ({rows:,} / median verify time)"

    return Scenario(
        name="S7-verify",
        title=f"verify_chain() over {rows:,} audit entries vs reading the same rows",
        product_label="verify_chain(first, last): stream, recompute SHA-256, check links and columns",
        baseline_label=f"values_list(<same columns>).iterator(chunk_size={CHUNK_SIZE}), no checks",
        product=product,
        baseline=baseline,
        teardown=report_rate,
        info=info,
    )


def _peak_memory(call: Callable[[], object]) -> int:
    """Peak bytes allocated by Python during one call (``tracemalloc``; excludes the database's memory)."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

"""Sites sharing a CIDR, passed straight to the components (not through a stack file).

A list of every overlapping pair grows with the square of the sites: 2,000 sites on one CIDR were
3,998,000 problems (30 s, 1.6 GB) and 4,999 a MemoryError. Each network now gives at most one problem,
naming the first network it overlaps and counting the rest, as the stack-file check does.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest

from eks_hybrid.components.errors import MAX_SHOWN_PROBLEMS, ArgumentsError
from eks_hybrid.components.network import SiteCidrs, TransitGatewayHub

from ..network.test_components import hub_args
from .conftest import record, record_max

SUITE = "overlap at component level"


@pytest.mark.parametrize("count", [2_000, 5_000])
def test_sites_sharing_a_cidr_give_one_problem_per_network(mock_engine, count: int) -> None:
    same = SiteCidrs(node_cidr="10.200.0.0/16", pod_cidr="192.168.0.0/16")
    sites = {f"s{i:05}": same for i in range(count)}
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ArgumentsError) as raised:
        mock_engine.run(lambda: TransitGatewayHub("hub", hub_args(sites=sites)))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    overlaps = [p for p in raised.value.problems if "must not overlap" in p.rule]
    # Every site's node and pod CIDR but the first of each overlaps the earlier ones: one problem each.
    assert len(overlaps) == 2 * (count - 1)
    last = next(p for p in overlaps if p.path == f"sites.s{count - 1:05}.node_cidr")
    assert last.rule.startswith(
        f"10.200.0.0/16 overlaps 10.200.0.0/16 (sites.s00000.node_cidr) and {count - 2} other networks"
    )
    message = str(raised.value)
    assert message.count("\n  - ") == MAX_SHOWN_PROBLEMS
    assert "more (fix these first, then plan again)" in message
    record(SUITE, **{f"sites sharing a CIDR ({count})": count, f"problems ({count} sites)": len(overlaps)})
    record_max(SUITE, f"peak MiB ({count} sites)", peak // 2**20)
    record_max(SUITE, f"milliseconds ({count} sites)", round(elapsed * 1000))

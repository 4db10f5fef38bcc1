"""The interpreter settings `eks-hybrid` runs with: garbage collection tuned for a planning run.

A plan allocates a great many small, short-lived objects (registration requests, Outputs, futures), almost
none of them in reference cycles, on top of ~200k long-lived ones (the imported SDKs). CPython's default
thresholds (700, 10, 10) make the collector walk all of them again and again: about a third of a run.
`gc.freeze()` moves what is alive once the modules are imported into a permanent generation the collector
skips, and a larger first threshold lets it run a few hundred times per plan instead of tens of thousands.
Cycles are still collected: memory stays bounded (the benchmarks measure peak memory with these settings,
and apply the same to the floor they compare with).
"""

from __future__ import annotations

import gc
import os

FIRST_GENERATION_THRESHOLD = 50_000
OLDER_GENERATION_THRESHOLDS = (20, 20)
DISABLE_ENV = "EKS_HYBRID_DEFAULT_GC"


def tune_gc() -> None:
    """Freeze what is alive now and raise the first generation's threshold; call after the imports.

    `EKS_HYBRID_DEFAULT_GC=1` keeps CPython's defaults (to compare, or on a machine short of memory).
    """
    if os.environ.get(DISABLE_ENV):
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, *OLDER_GENERATION_THRESHOLDS)

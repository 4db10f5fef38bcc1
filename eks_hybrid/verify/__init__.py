"""`eks-hybrid verify`: check the deployed state of a stack against its intent, read-only.

Layers: `intent` (what the stack's config and outputs say should exist), `checks/` (pure functions over
the API documents the adapters fetch), the adapters (`aws`, `palette`, `kube`), `runner` and `report`.
"""

from .findings import AREAS, Finding, Status, exit_code
from .intent import Intent, hub_intent, site_intent
from .runner import Sources, run_checks

__all__ = [
    "AREAS",
    "Finding",
    "Intent",
    "Sources",
    "Status",
    "exit_code",
    "hub_intent",
    "run_checks",
    "site_intent",
]

"""The config contract's models and rules and the domain layer are pure: importing them never loads pulumi."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import eks_hybrid.components.config

PACKAGE = Path(eks_hybrid.components.config.__file__).parent
REPO = Path(__file__).resolve().parents[2]
DOMAIN = PACKAGE.parent / "domain"
# `source.py` is the one thin module that reads the running stack's config from Pulumi's runtime; the others
# build components from validated config (their Args, the EKS side, the plan's quotas and site checks, which
# use the areas' planners), so they load Pulumi with the components.
READS_FROM_PULUMI = {"source", "_stack_args", "_eks_hub", "_quotas", "_site_checks"}
PURE_MODULES = sorted(
    [
        f"eks_hybrid.components.config.{path.stem}"
        for path in PACKAGE.glob("*.py")
        if path.stem != "__init__" and path.stem not in READS_FROM_PULUMI
    ]
    + [f"eks_hybrid.components.domain.{path.stem}" for path in DOMAIN.glob("*.py") if path.stem != "__init__"]
)

SCRIPT = """
import importlib, json, sys
for name in {modules!r}:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m == "pulumi" or m.startswith(("pulumi.", "pulumi_")))))
"""


def imported_pulumi_modules(modules: list[str]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(modules=modules)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_package_and_every_pure_module_never_import_pulumi():
    assert (
        "eks_hybrid.components.domain.cidrs" in PURE_MODULES
        and "eks_hybrid.components.config.loading" in PURE_MODULES
    )
    assert (
        imported_pulumi_modules(
            ["eks_hybrid.components.config", "eks_hybrid.components.errors", *PURE_MODULES]
        )
        == []
    )


def test_the_check_would_notice_pulumi():
    assert "pulumi" in imported_pulumi_modules(["eks_hybrid.components.config.source"])

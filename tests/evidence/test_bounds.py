"""`plan --all` over hostile stack files, in a real process under a 1 GiB address-space limit.

Read without bounds, a few hundred bytes of YAML aliases (a "billion laughs" file) take 36 s and 1.5 GB
(here the limit would turn that into a MemoryError), recursive aliases and deep nesting are tracebacks, and
a binary file beside the examples a traceback blaming the wrong stack. Each hostile file must be refused
on its own (exit 2, named, no traceback) and every example still plan, within the limit. A timeout stands
guard against a hang.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import STACKS, copy_examples
from .conftest import record, record_max

ADDRESS_SPACE = 1024**3
DALLAS = (STACKS / "Pulumi.example-dallas.yaml").read_text()


def _under_config(extra: str) -> str:
    return DALLAS.replace("config:\n", f"config:\n{extra}", 1)


def _bomb() -> str:
    lines = ["  other:a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  other:a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    return _under_config("\n".join(lines) + "\n")


HOSTILE: dict[str, tuple[bytes, str]] = {
    # name: (content, the key path or phrase the refusal names)
    "alias-bomb": (_bomb().encode(), "other:a5: expands to more than 250000 values"),
    "recursive-alias": (_under_config("  other:r: &r [1, *r]\n").encode(), "other:r[1]: is a YAML alias"),
    "deep-nesting": (
        _under_config("  other:d: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
        "(file): is not valid",
    ),
    "huge-file": (b"config:\n" + b"#" * (5 * 1024 * 1024), "(file): is 5242888 bytes"),
    "many-values": (
        b"config:\n  other:v: [" + b"1, " * 260_000 + b"1]\n",
        "(file): holds more than 250000 values",
    ),
    "binary": (bytes(range(256)) * 16, "(file): is not a text file"),
    "utf-32": (DALLAS.encode("utf-32"), "(file): is UTF-32 text"),
    "latin-1": (DALLAS.replace("# ", "# café ", 1).encode("latin-1"), "(file): is not UTF-8 text"),
    "duplicate-key": (
        _under_config("  eks-hybrid:hub: example-hub\n").encode(),
        "eks-hybrid:hub: is given twice",
    ),
    "binary-tag": (
        _under_config("  other:b: !!binary aGVsbG8=\n").encode(),
        "other:b: holds a YAML !!binary",
    ),
}


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.mark.slow
def test_plan_all_refuses_each_hostile_file_and_plans_the_rest_within_a_gibibyte(tmp_path: Path) -> None:
    stacks = copy_examples(tmp_path)
    for name, (content, _) in HOSTILE.items():
        (stacks / f"Pulumi.zz-{name}.yaml").write_bytes(content)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    env.pop("PALETTE_API_KEY", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "eks_hybrid.cli",
            "plan",
            "--all",
            "--offline-secrets",
            "--stacks-dir",
            str(stacks),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit,
        env=env,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 2, result.stderr[-3000:]
    for name, (_, says) in HOSTILE.items():
        assert len(re.findall(rf"^✗ zz-{name}$", result.stderr, flags=re.M)) == 1, name
        assert f"{stacks}/Pulumi.zz-{name}.yaml: {says}" in result.stderr, (name, result.stderr[-3000:])
    assert result.stderr.count("✗") == len(HOSTILE)  # no example blamed
    assert result.stdout.count("(hub stack,") == 2 and result.stdout.count("(site stack,") == 4
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    record(
        "bad input (plan --all, 1 GiB limit)",
        **{"hostile files refused": len(HOSTILE), "examples planned": 6},
    )
    record_max("bad input (plan --all, 1 GiB limit)", "wall seconds", round(elapsed))
    if peak > before:
        record_max("bad input (plan --all, 1 GiB limit)", "peak RSS MiB", peak // 1024)

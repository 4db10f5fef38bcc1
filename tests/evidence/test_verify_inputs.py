"""`verify --outputs/--hub-outputs` read a file as `render` does: a regular file of at most the stack files'
4 MiB, JSON, UTF-8. A FIFO used to block, a file of any size was read whole, and JSON nested past the
decoder's recursion limit was a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eks_hybrid.cli import app

from ..conftest import STACKS
from .conftest import record

SUITE = "verify inputs"


def _hostile(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "oversize":
        path.write_bytes(b" " * (4 * 1024 * 1024 + 1))
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "binary":
        path.write_bytes(bytes(range(256)))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "a list":
        path.write_text("[]")
    return path


KINDS = ["fifo", "directory", "oversize", "deep", "binary", "empty", "a list"]


@pytest.mark.parametrize("option", ["--outputs", "--hub-outputs"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_outputs_file_render_would_refuse_verify_refuses_too(
    tmp_path: Path, option: str, kind: str
) -> None:
    hostile = _hostile(tmp_path, kind)
    good = tmp_path / "good.json"
    good.write_text('{"site": "dallas"}')
    files = {"--outputs": good, "--hub-outputs": good, option: hostile}
    result = CliRunner().invoke(
        app,
        ["verify", "--stack", "example-dallas", "--stacks-dir", str(STACKS)]
        + [part for flag, path in files.items() for part in (flag, str(path))],
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{hostile}: " in result.output, result.output
    record(SUITE, **{"hostile outputs files refused": 1})

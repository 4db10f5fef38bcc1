"""`eks-hybrid stacks`: the JSON the CI workflows build their matrices from."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from eks_hybrid.cli import app

from ..conftest import STACKS

runner = CliRunner()


def test_hubs_first_and_each_environments_sites() -> None:
    result = runner.invoke(app, ["stacks", "--stacks-dir", str(STACKS)])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed["hubs"] == ["example-hub", "example-hub-ssm"]
    assert {"stack": "example-austin", "hub": "example-hub-ssm"} in listed["sites"]
    assert listed["environments"] == [
        {"hub": "example-hub", "sites": ["example-chicago", "example-dallas", "example-denver"]},
        {"hub": "example-hub-ssm", "sites": ["example-austin"]},
    ]


def test_a_missing_directory_exits_2() -> None:
    result = runner.invoke(app, ["stacks", "--stacks-dir", "no-such-dir"])
    assert result.exit_code == 2 and "no-such-dir: no such stacks directory" in result.stderr

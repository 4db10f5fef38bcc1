"""An API key the client would refuse is refused before anything is declared, by `plan` and by the program.

A key with a trailing CR or newline, surrounding spaces, non-ASCII or control characters passed `plan`: the
client's check (`api_key_problem`) ran only when a provider built a client, after the AWS resources of a real
`pulumi up`. The same check now runs in the config validation of `eks-hybrid:palette.apiKey` (decrypted when
the program starts) and on `PALETTE_API_KEY` when a real run would send that, naming the key and the rule
and never quoting the value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from eks_hybrid.cli import app as cli
from eks_hybrid.components.codes import Code
from eks_hybrid.components.composition import build_current_stack
from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.domain.api_keys import api_key_problem
from eks_hybrid.components.errors import ConfigError, EksHybridError
from eks_hybrid.components.palette import PaletteClient
from eks_hybrid.components.palette._credentials import resolve_credentials

from ..conftest import STACKS, MockEngine, declared
from .conftest import record

SUITE = "api key shape"
KEY = "pk-PLANTED-3f9a1c77e0"
DAMAGE = ["\n", "\r", "\r\n", " ", "\t", "\0", "\x1b", "\x7f", "é", "\u00a0", "\u200b"]
BAD = sorted(
    {bad for damage in DAMAGE for bad in (KEY + damage, damage + KEY, KEY[:6] + damage + KEY[6:], f" {KEY} ")}
)
runner = CliRunner()


def _document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((STACKS / f"Pulumi.{name}.yaml").read_text())["config"]
    return document


def _with_key(document: dict[str, Any], key: str) -> dict[str, Any]:
    return {**document, "eks-hybrid:palette": {**document.get("eks-hybrid:palette", {}), "apiKey": key}}


def _runtime(document: dict[str, Any]) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v, sort_keys=True) for k, v in document.items()}


@pytest.mark.parametrize("key", BAD, ids=repr)
def test_the_config_refuses_what_the_client_refuses_and_never_quotes_it(key: str) -> None:
    problem = api_key_problem(key)
    assert problem is not None
    with pytest.raises(EksHybridError):
        PaletteClient("http://127.0.0.1:9", key, "p")
    for name in ("example-hub", "example-dallas"):
        with pytest.raises(ConfigError) as info:
            validate_stack(_with_key(_document(name), key), f"Pulumi.{name}.yaml", ["eks-hybrid:palette"])
        [refused] = [p for p in info.value.problems if p.code == Code.PALETTE_KEY_MALFORMED]
        assert refused.path == "eks-hybrid:palette.apiKey" and problem in refused.rule
        assert "PLANTED" not in str(info.value) and "PLANTED" not in repr(info.value.problems)
    record(SUITE, **{"malformed keys refused by config, client and credentials alike": 1})


def test_the_check_is_the_clients_one() -> None:
    # Keys the client takes pass the config; every key the client refuses, the config refuses (above).
    for good in (KEY, "[secret]", "A" * 64):
        assert api_key_problem(good) is None
        validate_stack(_with_key(_document("example-hub"), good), "f", ["eks-hybrid:palette"])
        resolve_credentials({"apiKey": good, "projectUid": "p"})


@pytest.mark.parametrize("key", [KEY + "\r", " " + KEY, KEY + "é", KEY[:4] + "\x01" + KEY[4:]], ids=repr)
@pytest.mark.parametrize("name", ["example-hub", "example-dallas"])
def test_the_program_refuses_a_malformed_config_key_before_declaring_anything(
    mock_engine: MockEngine, name: str, key: str
) -> None:
    document = _with_key(_document(name), key)
    run, error = mock_engine.run_refused(
        build_current_stack,
        stack=name,
        config=_runtime(document),
        secret_keys=["eks-hybrid:palette"],
        refusal=ConfigError,
    )
    assert declared(run) == []
    assert [(p.path, p.code) for p in error.problems] == [
        ("eks-hybrid:palette.apiKey", Code.PALETTE_KEY_MALFORMED)
    ]
    assert "PLANTED" not in str(error)
    record(SUITE, **{"programs refused before any resource": 1})


@pytest.mark.parametrize("name", ["example-hub", "example-dallas"])
def test_the_program_refuses_a_malformed_environment_key_before_declaring_anything(
    mock_engine: MockEngine, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("PALETTE_API_KEY", KEY + "\r\n")
    run, error = mock_engine.run_refused(
        build_current_stack, stack=name, config=_runtime(_document(name)), refusal=ConfigError
    )
    assert declared(run) == []
    [problem] = error.problems
    assert (problem.path, problem.code) == ("PALETTE_API_KEY", Code.PALETTE_KEY_MALFORMED)
    assert "ends with a newline" in problem.rule and "PLANTED" not in str(error)
    record(SUITE, **{"programs refused before any resource": 1})


@pytest.mark.parametrize(
    "key", [KEY + "\n", KEY + "\r", f" {KEY}", KEY + "é", KEY[:4] + "\x1b" + KEY[4:]], ids=repr
)
@pytest.mark.parametrize("offline", [False, True])
def test_plan_refuses_a_malformed_environment_key_naming_it_and_the_rule(
    tmp_path: Path, key: str, offline: bool
) -> None:
    args = ["plan", "--stack", "example-hub", "--stacks-dir", str(STACKS)] + (
        ["--offline-secrets"] if offline else []
    )
    result = runner.invoke(cli, args, env={"PALETTE_API_KEY": key})
    assert result.exit_code == 2, result.output
    assert "Pulumi.example-hub.yaml" in result.stderr and "PALETTE_API_KEY" in result.stderr
    assert api_key_problem(key) in result.stderr  # type: ignore[operator]
    assert "PLANTED" not in result.output and "Traceback" not in result.output
    record(SUITE, **{"plans refused": 1})


def test_a_key_in_the_stack_config_makes_the_environment_key_irrelevant(mock_engine: MockEngine) -> None:
    # The config's key wins (`resolve_credentials`): a damaged PALETTE_API_KEY is never sent, nor refused.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PALETTE_API_KEY", KEY + "\n")
        document = _with_key(_document("example-hub"), KEY)
        run = mock_engine.run(
            build_current_stack,
            stack="example-hub",
            config=_runtime(document),
            secret_keys=["eks-hybrid:palette"],
        )
    assert declared(run)

"""Secrets never leave through any door: planted values, every output, one scan.

Planted: `secure:` values in copies of every example stack (the Palette key, each tunnel's pre-shared key,
another program's token), `PALETTE_API_KEY` in the environment, plain-text credentials where they do not
belong, and API keys the emulator echoes in its error bodies (Palette does, for a key it does not know).
Every planted value holds `PLANTED`, so one search covers them all.

Scanned: `plan` as text and as JSON, with `--debug`, for every stack; the error messages of broken copies
(a syntax error on the ciphertext's line, a credential block given as a string, a plain-text key beside a
secure one, a program that fails, with its traceback); every log record at DEBUG (eks-hybrid, httpx,
httpcore); the exceptions the Palette client and providers raise, with their whole chain and traceback;
the pickled providers (dill, as Pulumi stores them) and the pickled plans (what a snapshot test keeps).
"""

from __future__ import annotations

import base64
import json
import logging
import pickle
import re
import traceback
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.dynamic.dynamic import serialize_provider
from typer.testing import CliRunner

from eks_hybrid import planner as planner_module
from eks_hybrid.cli import app as cli
from eks_hybrid.components.errors import EksHybridError
from eks_hybrid.components.palette import PaletteClient
from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette._credentials import resolve_credentials
from eks_hybrid.planner import Planner
from palette_emulator import EmulatorState, FaultRule, LiveServer
from tests.palette.conftest import PROJECT, ProviderFactory, with_key

from ..conftest import STACKS, copy_examples
from .conftest import record

SUITE = "secrets"
MARK = "PLANTED"
CIPHER = "v1:PLANTEDnonce==:PLANTED-ciphertext-{}"
ENV_KEY = "pk-PLANTED-env-key-5e1f0c"
PLAIN = "PLANTED-plain-text-credential-77aa"
runner = CliRunner()


class Scan:
    """Everything the suite saw, searched once at the end."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.blobs: list[bytes] = []

    def text(self, *texts: str) -> None:
        self.texts.extend(texts)

    def blob(self, *blobs: bytes) -> None:
        self.blobs.extend(blobs)

    def exception(self, exc: BaseException) -> None:
        """Its message, repr, every chained cause and context, and the traceback as printed."""
        self.text("".join(traceback.format_exception(exc)))
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            self.text(str(current), repr(current), repr(getattr(current, "args", ())))
            current = current.__cause__ or current.__context__

    def leaks(self) -> list[str]:
        found = [
            text[max(0, text.find(MARK) - 80) : text.find(MARK) + 80] for text in self.texts if MARK in text
        ]
        return found + [repr(blob[:80]) for blob in self.blobs if MARK.encode() in blob]


@pytest.fixture
def scan(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.DEBUG)
    found = Scan()
    yield found
    records = caplog.get_records("setup") + caplog.get_records("call")
    found.text(*(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in records))
    leaks = found.leaks()
    record(
        SUITE,
        **{
            "outputs scanned": len(found.texts) + len(found.blobs),
            "bytes scanned": sum(map(len, found.texts)) + sum(map(len, found.blobs)),
            "log records scanned": len(records),
            "leaks": len(leaks),
        },
    )
    assert leaks == []


def _secure(index: int) -> dict[str, str]:
    return {"secure": CIPHER.format(index)}


def planted(tmp_path: Path) -> Path:
    """The examples with a `secure:` value at every secret a stack can hold, and another program's token."""
    counter = iter(range(1000))

    def plant(config: dict[str, Any]) -> None:
        config.setdefault("eks-hybrid:palette", {})["apiKey"] = _secure(next(counter))
        config["other-program:token"] = _secure(next(counter))
        vpn = config.get("eks-hybrid:site", {}).get("connectivity", {}).get("siteToSiteVpn") or {}
        for tunnel in vpn.get("tunnels") or []:
            tunnel["presharedKey"] = _secure(next(counter))

    names = [path.name[len("Pulumi.") : -len(".yaml")] for path in STACKS.glob("Pulumi.*.yaml")]
    return copy_examples(tmp_path, dict.fromkeys(names, plant))


def _plan(*args: str) -> Any:
    return runner.invoke(cli, ["plan", *args, "--debug"], env={"PALETTE_API_KEY": ENV_KEY})


def test_plans_of_every_example_with_planted_secrets_show_none(tmp_path: Path, scan: Scan) -> None:
    stacks = planted(tmp_path)
    assert all(MARK in path.read_text() for path in stacks.glob("Pulumi.*.yaml"))
    result = _plan("--all", "--stacks-dir", str(stacks))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("eks-hybrid:palette.apiKey: a Palette API key: set in the stack's config") == 6
    assert "presharedKey" in result.stdout  # the planted pre-shared keys were read, as [secret]
    scan.text(result.stdout, result.stderr)
    planner = Planner(stacks)
    for path in sorted(stacks.glob("Pulumi.*.yaml")):
        name = path.name[len("Pulumi.") : -len(".yaml")]
        result = _plan("--stack", name, "--stacks-dir", str(stacks), "--format", "json")
        assert result.exit_code == 0, result.output
        scan.text(result.stdout, result.stderr, json.dumps(json.loads(result.stdout)))
        stack_plan = planner.plan(name)
        scan.text(repr(stack_plan), json.dumps(stack_plan.to_json(), default=str))
        scan.blob(pickle.dumps(stack_plan))


def test_the_environment_key_is_never_shown(tmp_path: Path, scan: Scan) -> None:
    result = _plan("--all", "--stacks-dir", str(STACKS))
    assert result.exit_code == 0, result.output
    assert "a Palette API key: from PALETTE_API_KEY" in result.stdout
    scan.text(result.stdout, result.stderr)


def _broken(tmp_path: Path, name: str, edit: Any) -> Path:
    stacks = planted(tmp_path)
    path = stacks / f"Pulumi.{name}.yaml"
    path.write_text(edit(path.read_text()))
    return stacks


def _plain_beside_secure(text: str) -> str:
    document = yaml.safe_load(text)
    tunnels = document["config"]["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"]
    tunnels[1]["presharedKey"] = PLAIN
    return yaml.safe_dump(document)


BROKEN = {
    # A YAML syntax error on the ciphertext's line: PyYAML would quote the line.
    "syntax error": (
        "example-dallas",
        lambda text: re.sub(r"(secure: v1:PLANTED\S+)\n", r"\1: nested: here\n", text, count=1),
    ),
    # A credential block given as a string: was echoed as `got '...'`.
    "block as a string": (
        "example-hub",
        lambda text: text.replace("config:\n", f"config:\n  eks-hybrid:credentials: {PLAIN}\n", 1).replace(
            "  eks-hybrid:credentials:\n    provider", "  other:moved:\n    provider", 1
        ),
    ),
    # A plain-text pre-shared key beside a secure one.
    "plain beside secure": ("example-dallas", lambda text: _plain_beside_secure(text)),
    # The wrong type where the key goes.
    "key of the wrong type": (
        "example-hub-ssm",
        lambda text: text.replace(
            "  apiKey:\n      secure:", f"  apiKey: [{PLAIN}]\n  other:x:\n      secure:", 1
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_error_messages_of_broken_files_with_planted_secrets_show_none(
    tmp_path: Path, scan: Scan, case: str
) -> None:
    name, edit = BROKEN[case]
    stacks = _broken(tmp_path, name, edit)
    assert MARK in (stacks / f"Pulumi.{name}.yaml").read_text()
    result = _plan("--stack", name, "--stacks-dir", str(stacks))
    assert result.exit_code == 2, (case, result.output)
    assert f"Pulumi.{name}.yaml: " in result.stderr
    scan.text(result.stdout, result.stderr)
    with pytest.raises(EksHybridError) as info:
        Planner(stacks).plan(name)
    scan.exception(info.value)


def test_a_program_that_fails_under_debug_shows_its_traceback_and_no_secret(
    tmp_path: Path, scan: Scan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_program() -> None:
        from eks_hybrid.components.config.source import load_current_stack

        config = load_current_stack()
        raise RuntimeError(f"the program broke while building {config.role}")

    monkeypatch.setattr(planner_module, "build_current_stack", failing_program)
    result = _plan("--stack", "example-hub", "--stacks-dir", str(planted(tmp_path)))
    assert result.exit_code == 1 and "Traceback" in result.stderr
    assert "RuntimeError: the program broke while building hub" in result.stderr
    scan.text(result.stdout, result.stderr)


# --- the Palette client and providers ----------------------------------------------------------------------


@pytest.mark.parametrize("bad_key_status", [401, 404])
def test_keys_palette_echoes_never_reach_an_error_a_log_or_a_pickle(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState, scan: Scan, bad_key_status: int
) -> None:
    # Palette answers some unknown keys with 404 quoting the key (palette-sdk-go#209); the emulator does too.
    state.bad_key_status = bad_key_status
    for cls in (p.ClusterImportProvider, p.ProfileProvider, p.NodePoolProvider):
        instance = with_key(provider, cls, live, "pk-PLANTED-wrong-key-9c1d")
        with pytest.raises(EksHybridError) as info:
            instance.read(
                "uid",
                {"clusterName": "c", "profile": {"name": "n"}, "cloudConfigUid": "x", "pool": {"name": "p"}},
            )
        scan.exception(info.value)
        scan.text(repr(instance))
        scan.blob(base64.b64decode(serialize_provider(instance)), pickle.dumps(instance))


def test_the_right_key_under_faults_never_reaches_an_error_or_a_log(
    provider: ProviderFactory, live: LiveServer, app: Any, scan: Scan
) -> None:
    app.state.emulator.api_keys = frozenset({ENV_KEY})
    app.state.faults.add(FaultRule("status", path="/v1/spectroclusters", status=503, times=100))
    app.state.faults.add(FaultRule("drop", path="/v1/dashboard/spectroclusters/search", times=1))
    instance = with_key(provider, p.ClusterImportProvider, live, ENV_KEY)
    with pytest.raises(EksHybridError) as info:
        instance.create(
            {"endpoint": live.url, "projectUid": PROJECT, "clusterName": "edge-prod", "pollSeconds": 0}
        )
    assert "gave up after" in str(info.value)
    scan.exception(info.value)
    scan.blob(base64.b64decode(serialize_provider(instance)))
    client = PaletteClient(live.url, ENV_KEY, PROJECT)
    scan.text(repr(client), repr(resolve_credentials({"apiKey": ENV_KEY, "projectUid": PROJECT})))
    client.close()


@pytest.mark.parametrize("damage", ["\n", "\r\n", " ", "\0", "é", "\t"], ids=repr)
def test_a_damaged_key_is_refused_without_quoting_it(scan: Scan, damage: str) -> None:
    for key in (ENV_KEY + damage, damage + ENV_KEY, ENV_KEY[:6] + damage + ENV_KEY[6:]):
        with pytest.raises(EksHybridError) as info:
            PaletteClient("http://127.0.0.1:9", key, PROJECT)
        scan.exception(info.value)
        with pytest.raises(EksHybridError) as info:
            resolve_credentials({"projectUid": PROJECT}, env={"PALETTE_API_KEY": key})
        scan.exception(info.value)


def test_planted_files_are_valid_yaml_with_every_secret_secure(tmp_path: Path) -> None:
    # The suite's own premise: the plants are `secure:` values where each stack holds secrets.
    stacks = planted(tmp_path)
    dallas = yaml.safe_load((stacks / "Pulumi.example-dallas.yaml").read_text())["config"]
    tunnels = dallas["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"]
    assert all(MARK in t["presharedKey"]["secure"] for t in tunnels)
    record(SUITE, **{"planted values": sum(p.read_text().count(MARK) for p in stacks.glob("*.yaml")) // 2})

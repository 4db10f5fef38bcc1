"""`render`'s input files: outputs checked against their schema, user-data never quoted, non-files and
oversize files refused.

Generated cases plant a wrong value in each output `render` reads (site and hub), every value carrying a
secret where a value can carry text, and the real pre-shared keys and activation code ride along in the same
file: each run must exit 2 naming the file, the output's key and the rule, with no secret and no traceback
in its output. User-data files break YAML on a line holding a registration token, or give a key eks-hybrid
needs a value of the wrong type holding one. FIFOs, `/dev/zero` and directories given as any input file are
refused within seconds, as are files over the stack files' size limit.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.components.onprem.userdata import (
    UserDataError,
    appliance_mode_user_data,
    merge_user_data,
    parse_user_data,
)
from eks_hybrid.render_outputs import HubOutputsSchema, SiteOutputsSchema, TunnelOutputs
from eks_hybrid.safe_yaml import MAX_BYTES
from tests.conftest import STACKS
from tests.onprem.conftest import DALLAS_OUTPUTS, HUB_OUTPUTS

from .conftest import examples, record, record_max

SUITE = "render inputs"
SECRET = "PLANTEDsecret7Qx9Lm2Vb"
"""Planted in every wrong value that can carry text; must never be printed."""
REAL_SECRETS = [*DALLAS_OUTPUTS["tunnelPresharedKeys"]]
STACK = "example-dallas"


def _aliases(schema: type[Any]) -> dict[str, str]:
    """Output name -> the schema's kind of the field (its rule's first words)."""
    return {field.alias or name: name for name, field in schema.model_fields.items()}


SITE_KEYS = sorted(_aliases(SiteOutputsSchema))
HUB_KEYS = sorted(_aliases(HubOutputsSchema))
TUNNEL_KEYS = sorted(_aliases(TunnelOutputs))
CIDR_KEYS = {"nodeCidr", "podCidr", "vpcCidr", "serviceCidr"}
ASN_KEYS = {"amazonSideAsn", "vpnGatewayAsn", "ciliumClusterAsn"}
FLAG_KEYS = {"ciliumBgpControlPlane"}

# Values no output `render` reads may take, whatever its kind, each holding the secret where it can.
ANY_WRONG = st.one_of(
    st.just([SECRET]),
    st.just({"value": SECRET}),
    st.just({SECRET: 1}),
    st.just([[SECRET], {"k": SECRET}]),
)
TEXT_WRONG = st.one_of(ANY_WRONG, st.booleans(), st.integers(), st.floats(allow_nan=False))
NOT_A_CIDR = st.one_of(
    TEXT_WRONG,
    st.sampled_from(
        [
            SECRET,
            f"10.0.0.0/{SECRET}",
            f"{SECRET}/16",
            "10.0.0.1/16",  # host bits set
            "10.0.0.0/33",
            "10.0.0.0",  # an address, not a network
            "::/0",
            f"10.0.0.0/16 {SECRET}",
            f"10.0.0.0/16\n{SECRET}",
            "\uff11\uff10.0.0.0/16",  # full-width digits
        ]
    ),
)
NOT_AN_ADDRESS = st.one_of(
    TEXT_WRONG,
    st.sampled_from(
        [SECRET, "169.254.10.1/30", "256.1.1.1", f"169.254.10.1 {SECRET}", "::1", "", f"{SECRET}.1.1.1"]
    ),
)
NOT_AN_ASN = st.one_of(
    ANY_WRONG,
    st.sampled_from([0, -1, 4294967295, 2**63, True, False, 1.5, math.inf, -math.inf, SECRET, "64512"]),
)
NOT_A_FLAG = st.one_of(ANY_WRONG, st.sampled_from(["true", 1, 0, SECRET, 1.0]))
NOT_KEYS = st.one_of(
    st.just({"one": SECRET}),
    st.just(SECRET),
    st.just([SECRET, 7]),
    st.just([SECRET, None]),
    st.just([[SECRET], SECRET]),
    st.just(True),
)


def _wrong_for(key: str) -> st.SearchStrategy[Any]:
    if key in CIDR_KEYS:
        return NOT_A_CIDR
    if key in ASN_KEYS:
        return NOT_AN_ASN
    if key in FLAG_KEYS:
        return NOT_A_FLAG
    if key == "ciliumPodCidrMaskSize":
        return st.one_of(ANY_WRONG, st.sampled_from([0, 33, -8, True, "24", 24.5, SECRET]))
    if key == "tunnelPresharedKeys":
        return NOT_KEYS
    if key == "sites":
        return st.one_of(st.just([SECRET]), st.just(SECRET), st.booleans(), st.integers())
    if key == "tunnels":
        return st.one_of(st.just(SECRET), st.just({"0": SECRET}), st.just([SECRET, SECRET]), st.integers())
    return TEXT_WRONG


def _case(draw: st.DrawFn, hub: bool) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A pair of outputs documents (site, hub) with one wrong value, and the key path it is at."""
    site, hub_doc = copy.deepcopy(DALLAS_OUTPUTS), copy.deepcopy(HUB_OUTPUTS)
    if hub:
        key = draw(st.sampled_from(HUB_KEYS))
        hub_doc[key] = draw(_wrong_for(key))
        return site, hub_doc, key
    key = draw(st.sampled_from([*SITE_KEYS, *(f"tunnels[i].{k}" for k in TUNNEL_KEYS)]))
    if key.startswith("tunnels[i]."):
        index = draw(st.sampled_from([0, 1]))
        field = key.split(".", 1)[1]
        site["tunnels"][index][field] = draw(NOT_AN_ADDRESS)
        return site, hub_doc, f"tunnels[{index}].{field}"
    site[key] = draw(_wrong_for(key))
    return site, hub_doc, key


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["render", "--stack", STACK, "--stacks-dir", str(STACKS), *args])


def _assert_clean(output: str) -> None:
    assert "Traceback" not in output, output
    assert SECRET not in output, output
    for secret in REAL_SECRETS:
        assert secret not in output, output


@given(data=st.data(), hub=st.booleans())
@examples(300)
def test_a_wrong_output_is_refused_naming_file_and_key_never_its_value(tmp_path_factory, data, hub):
    tmp = tmp_path_factory.mktemp("outputs")
    site, hub_doc, where = _case(data.draw, hub)
    site_file, hub_file = tmp / "site.json", tmp / "hub.json"
    site_file.write_text(json.dumps(site))
    hub_file.write_text(json.dumps(hub_doc))
    result = _run("--out", str(tmp / "out"), "--outputs", str(site_file), "--hub-outputs", str(hub_file))
    named = hub_file if hub else site_file
    record(SUITE, **{"outputs cases": 1})
    _assert_clean(result.output)
    assert result.exit_code == 2, result.output
    shown = rf"{re.escape(f'{named}: {where}')}(\[\d\])?: must "  # a list's item, or the key itself
    assert re.search(shown, result.output), result.output
    assert "[output-invalid]" in result.output, result.output
    assert not (tmp / "out").exists()
    record(SUITE, **{"outputs refused named": 1})


@pytest.mark.parametrize(
    ("hub", "key", "value", "rule"),
    [
        (True, "vpcCidr", True, "must be an IPv4 CIDR"),  # became `remote_ts = True` in swanctl.conf
        (True, "amazonSideAsn", "64512x", "must be an ASN"),  # was `render failed: ValueError`, exit 1
        (True, "ciliumClusterAsn", [65000], "must be an ASN"),
        (False, "nodeCidr", 10, "must be an IPv4 CIDR"),
    ],
)
def test_the_probes_outputs_are_refused_with_exit_2(tmp_path, hub, key, value, rule):
    site, hub_doc = copy.deepcopy(DALLAS_OUTPUTS), copy.deepcopy(HUB_OUTPUTS)
    (hub_doc if hub else site)[key] = value
    site_file, hub_file = tmp_path / "site.json", tmp_path / "hub.json"
    site_file.write_text(json.dumps(site))
    hub_file.write_text(json.dumps(hub_doc))
    result = _run("--out", str(tmp_path / "out"), "--outputs", str(site_file), "--hub-outputs", str(hub_file))
    assert result.exit_code == 2, result.output
    assert f"{hub_file if hub else site_file}: {key}: {rule}" in result.output


def test_outputs_render_does_not_read_are_left_alone(tmp_path):
    """`pulumi stack output` lists many outputs: unknown ones, of any type, are no problem."""
    site = {**DALLAS_OUTPUTS, "somethingElse": True, "palettePoolUids": {"a": 1}}
    hub = {**HUB_OUTPUTS, "rootCaPrivateKey": 7, "routeTableIds": [SECRET], "future": None}
    site_file, hub_file = tmp_path / "site.json", tmp_path / "hub.json"
    site_file.write_text(json.dumps(site))
    hub_file.write_text(json.dumps(hub))
    result = _run("--out", str(tmp_path / "out"), "--outputs", str(site_file), "--hub-outputs", str(hub_file))
    assert result.exit_code == 0, result.output


# --- user-data ---------------------------------------------------------------------------------------------

# Ways to break YAML on the line holding the token (or just after it).
BREAKS = [
    "token: '{s}\n",  # unclosed quote
    'token: "{s}\n',
    "token: {s}\n  bad: indentation\n",
    "token: [{s}\n",
    "token: {{{s}\n",
    "token: *{s}\n",  # undefined alias: PyYAML names it
    "token:\t{s}\n\tx: 1\n",
    "token: {s}\n- item\n",
    "token: {s}: {s}\n",
    "token: '{s}' junk '{s}'\n",
    "install:\n  bind_mounts: [{s}\nother: 1\n",
    'token: "\\q{s}"\n',  # unknown escape
    "%YAML 9.9\n---\ntoken: {s}\n",
    "token: &{s} 1\nagain: &{s} 2\nref: *{s}x\n",
]


@given(
    template=st.sampled_from(BREAKS),
    before=st.sampled_from(["", "#cloud-config\n", "#cloud-config\nusers:\n  - name: kairos\n"]),
)
@examples(120)
def test_a_yaml_error_in_user_data_never_prints_its_lines(tmp_path_factory, template, before):
    tmp = tmp_path_factory.mktemp("userdata")
    text = before + template.format(s=SECRET)
    try:
        parse_user_data(text.encode())
    except UserDataError:
        pass
    else:
        return  # this combination happens to be valid YAML
    path = tmp / "user-data.yaml"
    path.write_text(text)
    result = _run("--out", str(tmp / "out"), "--user-data", str(path))
    record(SUITE, **{"user data yaml cases": 1})
    _assert_clean(result.output)
    assert result.exit_code == 2, result.output
    assert f"{path}: (file): is not valid YAML" in result.output, result.output
    record(SUITE, **{"user data yaml refused clean": 1})


WRONG_TYPED = st.one_of(
    st.just(SECRET),
    st.just([SECRET]),
    st.just({"token": SECRET}),
    st.integers(),
    st.booleans(),
    st.just(f"/eks-hybrid {SECRET}"),
)


@given(
    where=st.sampled_from(["install", "install.bind_mounts", "install.extra-dirs-rootfs"]),
    value=WRONG_TYPED,
)
@examples(150)
def test_a_user_data_key_of_the_wrong_type_never_quotes_its_value(where, value):
    user: dict[str, Any] = {"token": SECRET}
    if where == "install":
        user["install"] = value
    else:
        user["install"] = {where.split(".")[1]: value}
    record(SUITE, **{"user data type cases": 1})
    try:
        merge_user_data(user, appliance_mode_user_data())
    except UserDataError as error:
        assert SECRET not in str(error) and SECRET not in error.rule, error.rule
        assert error.path == where
        record(SUITE, **{"user data type refused clean": 1})
    else:
        assert isinstance(value, dict) if where == "install" else isinstance(value, list)


def test_a_user_data_key_of_the_wrong_type_through_render(tmp_path):
    path = tmp_path / "user-data.yaml"
    path.write_text(f"#cloud-config\ninstall: {SECRET}\n")
    result = _run("--out", str(tmp_path / "out"), "--user-data", str(path))
    _assert_clean(result.output)
    assert result.exit_code == 2, result.output
    assert f"{path}: install: must be a mapping" in result.output


# --- non-files and size ------------------------------------------------------------------------------------

OPTIONS = ["--outputs", "--hub-outputs", "--user-data"]


def _run_with_deadline(args: list[str], seconds: float) -> tuple[Any, float]:
    """Run render in a thread; a run still blocked after `seconds` fails the test (the thread is left)."""
    box: list[Any] = []
    start = time.monotonic()
    worker = threading.Thread(target=lambda: box.append(_run(*args)), daemon=True)
    worker.start()
    worker.join(seconds)
    elapsed = time.monotonic() - start
    assert box, f"render {' '.join(args)} still blocked after {seconds} s"
    return box[0], elapsed


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_a_non_file_input_is_refused_before_it_is_opened(tmp_path, option, kind):
    if kind == "fifo":
        target = tmp_path / "outputs.fifo"
        os.mkfifo(target)
    elif kind == "dev-zero":
        target = Path("/dev/zero")
    else:
        target = tmp_path / "a-directory"
        target.mkdir()
    result, elapsed = _run_with_deadline(["--out", str(tmp_path / "out"), option, str(target)], 20)
    record(SUITE, **{"non file cases": 1})
    record_max(SUITE, "slowest non-file refusal, ms", round(elapsed * 1000))
    assert result.exit_code == 2, result.output
    assert f"{target}: (file): is not a regular file" in result.output, result.output
    assert "[input-not-regular-file]" in result.output
    record(SUITE, **{"non file refused": 1})


@pytest.mark.parametrize("option", OPTIONS)
def test_an_input_over_the_stack_files_limit_is_refused(tmp_path, option):
    path = tmp_path / "big"
    if option == "--user-data":
        path.write_bytes(b"#cloud-config\ntoken: " + b"x" * MAX_BYTES + b"\n")
    else:
        path.write_bytes(b'{"site": "' + b"x" * MAX_BYTES + b'"}')
    result = _run("--out", str(tmp_path / "out"), option, str(path))
    record(SUITE, **{"oversize cases": 1})
    assert result.exit_code == 2, result.output
    assert f"{path}: (file): is {path.stat().st_size} bytes: an input file is at most {MAX_BYTES}" in (
        result.output
    )
    assert "[input-too-large]" in result.output
    record(SUITE, **{"oversize refused": 1})


@pytest.mark.parametrize("option", ["--outputs", "--hub-outputs"])
@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00garbage", b"[" * 100_000, b'{"site": ' + b"9" * 5000 + b"}", b"\x80\x81"],
    ids=["not-utf", "deep", "long-number", "latin"],
)
def test_outputs_json_that_cannot_be_read_is_refused_naming_the_file(tmp_path, option, content):
    path = tmp_path / "outputs.json"
    path.write_bytes(content)
    result = _run("--out", str(tmp_path / "out"), option, str(path))
    assert result.exit_code == 2, result.output
    assert f"{path}: (file): is not JSON" in result.output
    assert "[outputs-not-json]" in result.output


def _alias_bomb() -> str:
    lines = ["#cloud-config", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (_alias_bomb(), "a5: expands to more than 250000 values"),
        ("#cloud-config\nstages: {}\nstages: {}\n", "stages: is given twice"),
        ("#cloud-config\nx: " + "[" * 100 + "]" * 100 + "\n", "nests lists and mappings more than 64 deep"),
    ],
    ids=["alias-bomb", "duplicate-key", "deep-nesting"],
)
def test_user_data_within_the_stack_files_bounds(tmp_path, content, named):
    """A few hundred bytes of aliases were written out whole for every edge host to expand at boot."""
    user_data = tmp_path / "user-data.yaml"
    user_data.write_text(content)
    result = _run("--out", str(tmp_path / "out"), "--user-data", str(user_data))
    assert result.exit_code == 2, result.output
    assert f"{user_data}: " in result.output and named in result.output
    _assert_clean(result.output)
    assert not (tmp_path / "out").exists()
    record(SUITE, **{"user data bounds refused": 1})

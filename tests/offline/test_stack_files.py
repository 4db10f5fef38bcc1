"""Reading stack files without decrypting: `secure:` values become placeholders, keys marked secret."""

from __future__ import annotations

import json

import pytest
import yaml

from eks_hybrid.components.errors import ConfigError, Problem
from eks_hybrid.stack_files import list_stacks, read_stack_file

from ..conftest import STACKS


def test_secure_values_become_placeholders_and_secret_keys(tmp_path):
    config = yaml.safe_load((STACKS / "Pulumi.example-dallas.yaml").read_text())["config"]
    tunnels = config["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"]
    tunnels[0]["presharedKey"] = {"secure": "v1:bm9uY2U=:Y2lwaGVydGV4dC0x"}
    config["eks-hybrid:palette"] = {"apiKey": {"secure": "v1:bm9uY2U=:Y2lwaGVydGV4dC0y"}}
    (tmp_path / "Pulumi.dallas.yaml").write_text(yaml.safe_dump({"config": config}))
    stack = read_stack_file(tmp_path, "dallas")
    tunnels = stack.document["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"]
    assert [t.get("presharedKey") for t in tunnels] == ["[secret]", None]
    assert stack.secret_keys == {"eks-hybrid:site", "eks-hybrid:palette"}
    assert stack.role == "site" and stack.hub == "example-hub"


def test_runtime_config_is_strings_with_json_objects():
    config = read_stack_file(STACKS, "example-hub").runtime_config()
    assert config["eks-hybrid:role"] == "hub"
    assert config["eks-hybrid:cluster"].startswith("{")


def test_examples_are_listed():
    assert "example-hub" in list_stacks(STACKS)


def test_bad_yaml(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text("config: [unclosed")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        read_stack_file(tmp_path, "x")


def test_missing_config_mapping(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text("encryptionsalt: abc\n")
    with pytest.raises(ConfigError, match="top-level `config:` mapping"):
        read_stack_file(tmp_path, "x")


# --- files a new user might hand `plan`, read safely -------------------------------------------------------

SECRET_CIPHERTEXT = "v1:AAAABBBBccccDDDD:PLANTED-CIPHERTEXT-0xC0FFEE"
DALLAS = (STACKS / "Pulumi.example-dallas.yaml").read_text()
DALLAS_01_LINE = next(n for n, line in enumerate(DALLAS.splitlines(), 1) if "dallas-01" in line)


def _write(tmp_path, data: bytes | str, name: str = "x") -> None:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def _refused(tmp_path, data: bytes | str) -> Problem:
    _write(tmp_path, data)
    with pytest.raises(ConfigError) as caught:
        read_stack_file(tmp_path, "x")
    [problem] = caught.value.problems
    assert problem.file == str(tmp_path / "Pulumi.x.yaml")
    return problem


def _with_config(extra: str) -> str:
    return DALLAS.replace("config:\n", f"config:\n{extra}", 1)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (bytes(range(256)), "is not a text file: it holds NUL bytes"),
        (DALLAS.encode("utf-16-le"), "is not a text file"),  # UTF-16 without a byte-order mark
        (DALLAS.encode("utf-32"), "is UTF-32 text: save it as UTF-8"),
        (
            DALLAS.replace("dallas-01", "dallé-01").encode("latin-1"),
            f"byte 0xE9 on line {DALLAS_01_LINE} is not valid UTF-8",
        ),
        ("config:\n  a: \x07\n", "holds a control character"),
        ("config: " + "[" * 5000 + "]" * 5000, "nesting"),
    ],
    ids=["binary", "utf-16-without-bom", "utf-32", "latin-1", "control-character", "deep-flow-nesting"],
)
def test_files_that_are_not_utf8_yaml_are_refused_naming_the_file(tmp_path, data, says):
    problem = _refused(tmp_path, data)
    assert problem.path == "(file)" and says in problem.rule


def test_utf16_with_a_byte_order_mark_and_utf8_with_one_are_read(tmp_path):
    # YAML 1.2 (§5.2) and Pulumi's yaml.v3 read both.
    for data in (DALLAS.encode("utf-16"), "\ufeff".encode() + DALLAS.encode()):
        _write(tmp_path, data)
        assert read_stack_file(tmp_path, "x").hub == "example-hub"


@pytest.mark.parametrize(
    ("extra", "path", "says"),
    [
        ("  other:r: &a [*a]\n", "other:r[0]", "is a YAML alias to a value that contains it"),
        ("  other:r: &a {b: *a}\n", "other:r.b", "is a YAML alias to a value that contains it"),
        ("  other:blob: !!binary aGVsbG8=\n", "other:blob", "holds a YAML !!binary value (line 4)"),
        ("  other:s: !!set {a, b}\n", "other:s", "holds a YAML !!set"),
        ("  other:d: !!python/object:os.system x\n", "other:d", "holds a Python object tag"),
        ("  other:n: " + "9" * 80 + "\n", "other:n", "a number of 80 digits"),
        ("  other:f: !!float abc\n", "other:f", "is tagged !!float but is not a YAML float"),
        ("  eks-hybrid:role: site\n", "eks-hybrid:role", "is given twice (line 4 and line 6)"),
        (
            "  other:x: {a: 1, b: {c: 2, c: 3}}\n",
            "other:x.b.c",
            "is given twice (line 4 and line 4): YAML keys are unique and Pulumi refuses the file",
        ),
        ("  other:deep: " + "[" * 70 + "]" * 70 + "\n", "(file)", "more than 64 deep (line 4)"),
    ],
)
def test_yaml_pulumi_config_cannot_hold_is_refused_naming_the_key(tmp_path, extra, path, says):
    # Even under another program's keys: these used to fail later, as a traceback or an exit 1 naming no key.
    problem = _refused(tmp_path, _with_config(extra))
    assert problem.path == path and says in problem.rule


def test_an_alias_bomb_is_refused_at_once_naming_its_key(tmp_path):
    # ~500 bytes standing for 10**9 values: 36 s and 1.5 GB to expand when reading is not bounded.
    lines = ["  other:a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  other:a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    problem = _refused(tmp_path, _with_config("\n".join(lines) + "\n"))
    assert (
        problem.path == "other:a5"
        and "expands to more than 250000 values through YAML aliases" in problem.rule
    )


def test_modest_aliases_and_merge_keys_are_read(tmp_path):
    extra = "  other:base: &b {x: 1, y: [1, 2]}\n  other:copy:\n    <<: *b\n    z: 3\n  other:again: *b\n"
    _write(tmp_path, _with_config(extra))
    document = read_stack_file(tmp_path, "x").document
    assert document["other:copy"] == {"x": 1, "y": [1, 2], "z": 3} and document["other:again"]["y"] == [1, 2]


def test_scalars_are_read_as_pulumi_reads_them(tmp_path):
    # yaml.v3 (YAML 1.2 core schema): dates and yes/on/no stay text; 0o/0x/0b and `_` are numbers.
    extra = (
        "  other:v: {when: 2026-01-01, yes: yes, on: on, n: no, t: true, o: 0o17, h: 0x1F, b: 0b101,"
        " m: 1_000}\n"
    )
    _write(tmp_path, _with_config(extra))
    stack = read_stack_file(tmp_path, "x")
    assert stack.document["other:v"] == {
        "when": "2026-01-01",
        "yes": "yes",
        "on": "on",
        "n": "no",
        "t": True,
        "o": 15,
        "h": 31,
        "b": 5,
        "m": 1000,
    }
    assert json.loads(stack.runtime_config()["other:v"])["when"] == "2026-01-01"


def test_keys_that_are_not_text_reach_the_program_as_json_text(tmp_path):
    _write(tmp_path, _with_config("  other:k: {1: a, null: b, true: c, x: d}\n"))
    assert json.loads(read_stack_file(tmp_path, "x").runtime_config()["other:k"]) == {
        "1": "a",
        "null": "b",
        "true": "c",
        "x": "d",
    }


def test_a_syntax_error_never_prints_the_line_that_holds_a_secret(tmp_path):
    # PyYAML's own message quotes the offending line: here, the line with the ciphertext.
    broken = f"  eks-hybrid:palette: {{apiKey: {{secure: {SECRET_CIPHERTEXT}}}}}}}\n"
    problem = _refused(tmp_path, _with_config(broken))
    assert "is not valid YAML" in problem.rule and "line 4, column" in problem.rule
    assert SECRET_CIPHERTEXT not in str(problem) and "PLANTED" not in str(problem)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    _write(tmp_path, b"config: {}\n" + b"#" * (4 * 1024 * 1024))
    problem = _refused(tmp_path, (tmp_path / "Pulumi.x.yaml").read_bytes())
    assert "a stack file is at most 4194304 bytes" in problem.rule


def test_secure_values_are_recorded_by_their_exact_path(tmp_path):
    extra = (
        "  eks-hybrid:palette: {apiKey: {secure: v1:a}}\n"
        "  other:list: [{secure: v1:b}, plain]\n"
        "  other:top: {secure: v1:c}\n"
    )
    _write(tmp_path, _with_config(extra))
    stack = read_stack_file(tmp_path, "x")
    assert stack.secret_paths == {"eks-hybrid:palette.apiKey", "other:list[0]", "other:top"}
    assert stack.secret_keys == {"eks-hybrid:palette", "other:list", "other:top"}
    assert stack.document["other:list"] == ["[secret]", "plain"]


def test_an_unreadable_environment_block_is_not_a_crash(tmp_path):
    _write(tmp_path, "environment: {imports: [{}], values: 3}\n" + DALLAS)
    assert read_stack_file(tmp_path, "x").environments == ("", "(inline values)")


def test_the_documented_limits():
    from eks_hybrid import safe_yaml

    assert (safe_yaml.MAX_NODES, safe_yaml.MAX_DEPTH, safe_yaml.MAX_BYTES) == (250_000, 64, 4 * 1024 * 1024)

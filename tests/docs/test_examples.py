"""The shell examples of README and the documentation site work as written after README's set-up.

A fenced `console` block preceded by `<!-- runnable -->` is run here: in a fresh directory beside the
example stacks (`stacks/`) and this checkout's virtualenv (`.venv`), with nothing of the virtualenv on
`PATH` until README's set-up line activates it. Each `$ ` command must exit 0, and print the lines the
block shows after it, in order (other lines may come between); a shown line ending in `...` stands for
any line it starts, and a line of `...` alone for lines left out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import REPO, STACKS

MARKER = "<!-- runnable -->\n```console\n"
TREE = "│├└─ "


@dataclass(frozen=True)
class Example:
    where: str
    commands: list[tuple[str, list[str]]]  # (command, the output lines shown after it)


def examples_in(path: Path) -> list[Example]:
    text = path.read_text()
    found: list[Example] = []
    for match in re.finditer(re.escape(MARKER) + r"(.*?)^```$", text, re.S | re.M):
        line = text.count("\n", 0, match.start()) + 2
        commands: list[tuple[str, list[str]]] = []
        for raw in match.group(1).splitlines():
            if raw.startswith("$ "):
                commands.append((raw[2:], []))
            elif commands and commands[-1][0].endswith("\\"):
                commands[-1] = (commands[-1][0] + "\n" + raw, commands[-1][1])
            else:
                assert commands, f"{path.name}:{line}: a runnable block starts with a command"
                commands[-1][1].append(raw)
        found.append(Example(f"{path.relative_to(REPO)}:{line}", commands))
    return found


PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
EXAMPLES = [example for page in PAGES for example in examples_in(page)]
SETUP = "source .venv/bin/activate"


def test_readme_sets_up_the_shell_the_documentation_assumes() -> None:
    readme = examples_in(REPO / "README.md")
    assert any(command == SETUP for example in readme for command, _ in example.commands)
    assert len(EXAMPLES) >= 5 and {e.where.split(":")[0] for e in EXAMPLES} >= {
        "README.md",
        "docs/getting-started/plan.md",
        "docs/guides/render.md",
        "docs/guides/pr-review.md",
    }


def shows(actual: list[str], shown: list[str]) -> str | None:
    """None when `actual` holds the `shown` lines in order, else the first shown line it lacks."""
    lines = iter(line.rstrip() for line in actual)
    for wanted in (line.rstrip() for line in shown):
        if wanted.strip(TREE) == "...":
            continue
        if wanted.endswith("..."):
            ok = any(line.startswith(wanted[:-3]) for line in lines)
        else:
            ok = any(line == wanted for line in lines)
        if not ok:
            return wanted
    return None


def test_shows_matches_in_order_with_elisions() -> None:
    actual = ["a", "b 1 2", "c", "d"]
    assert shows(actual, ["a", "...", "c"]) is None
    assert shows(actual, ["b 1...", "d"]) is None
    assert shows(actual, ["c", "a"]) == "a"
    assert shows(actual, ["b 2..."]) == "b 2..."


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.where)
def test_the_example_runs_as_written(example: Example, tmp_path: Path) -> None:
    venv = Path(sys.prefix)
    (tmp_path / "stacks").symlink_to(STACKS)
    (tmp_path / ".venv").symlink_to(venv)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != venv / "bin"]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(PATH=os.pathsep.join(path), NO_COLOR="1", COLUMNS="120")
    script = ["set -e"]
    if not any(command == SETUP for command, _ in example.commands):
        script.append(SETUP)
    for number, (command, _) in enumerate(example.commands):
        script += [f"echo '@@@ {number}'", command]
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    parts = re.split(r"^@@@ \d+\n", result.stdout, flags=re.M)[1:]
    ran = len(parts)
    assert result.returncode == 0, (
        f"{example.where}: `{example.commands[ran - 1][0]}` failed:\n{result.stdout}"
    )
    for (command, shown), output in zip(example.commands, parts, strict=True):
        missing = shows(output.splitlines(), shown)
        assert missing is None, f"{example.where}: `{command}` did not print {missing!r}:\n{output}"

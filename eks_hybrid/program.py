"""Plan a user's own Pulumi program (a directory with `Pulumi.yaml` and `__main__.py`) offline.

The program runs under the same mock engine as the stack files' program (`offline.engine.run_offline`), as
stack `<stack>` of the project `Pulumi.yaml` names, with the config of `Pulumi.<stack>.yaml` beside it, so
its plan has the same tree, JSON document and policy verdict as a stack file's.

Config is handed over the way Pulumi's language host hands it (Pulumi docs, "Configuration": "Pulumi.yaml"
project-level `config:` values and `default:`s, overridden by the stack's `Pulumi.<stack>.yaml`). A key with
no namespace is the project's (`paletteProjectUid` is `edge-estate:paletteProjectUid`), as Pulumi reads a
project's own keys. `secure:` values are never decrypted: they stand in as "[secret]" and stay secret.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import ConfigError, PlanError, Problem

from . import safe_yaml
from .offline.engine import run_offline
from .planner import StackPlan
from .secret_digests import secret_digests
from .stack_files import StackFile, list_stacks, read_stack_file

PROGRAM_ROLE = "program"
"""The role a program's plan carries (a stack file's is `hub` or `site`)."""
PROJECT_FILE = "Pulumi.yaml"
ENTRY_POINT = "__main__.py"


@dataclass(frozen=True)
class Program:
    """A program directory: its project name, the file it runs and the stack names it has config for."""

    directory: Path
    project: str
    main: Path
    stacks: tuple[str, ...]


def _problem(where: Path | str, rule: str, code: Code = Code.PROGRAM_DIR) -> ConfigError:
    return ConfigError([Problem(str(where), "(file)", rule, code)])


def read_program(directory: Path) -> Program:
    """`directory` as a Pulumi Python program; a ConfigError says what is missing."""
    if not directory.is_dir():
        raise _problem(directory, "no such program directory")
    project_file = directory / PROJECT_FILE
    if not project_file.is_file():
        raise _problem(project_file, f"a program directory holds a {PROJECT_FILE} (the Pulumi project)")
    project = _project(project_file)
    name = project.get("name")
    if not isinstance(name, str) or not name:
        raise _problem(project_file, "the project needs a `name:`")
    main = directory / _entry_point(project)
    if not main.is_file():
        raise _problem(main, f"the program's entry point is missing (a Python program runs {ENTRY_POINT})")
    return Program(directory, name, main, tuple(list_stacks(directory)))


def _project(path: Path) -> dict[str, Any]:
    try:
        document = safe_yaml.load(path.read_bytes())
    except OSError as exc:
        raise _problem(
            path, f"cannot be read: {exc.strerror or type(exc).__name__}", Code.FILE_UNREADABLE
        ) from None
    except safe_yaml.YamlRefusal as exc:
        raise _problem(path, exc.rule, exc.code) from None
    if not isinstance(document, dict):
        raise _problem(path, "a Pulumi.yaml is a mapping (name, runtime, ...)")
    return document


def _entry_point(project: dict[str, Any]) -> str:
    """The file the program runs: `__main__.py`, or in the directory (or the file) Pulumi.yaml's top-level
    `main:` names (Pulumi docs, "Pulumi.yaml project file reference": `main`)."""
    main = project.get("main")
    if isinstance(main, str) and main:
        return main if main.endswith(".py") else str(Path(main) / ENTRY_POINT)
    return ENTRY_POINT


def choose_stack(program: Program, stack: str | None) -> str:
    """`stack`, or the program's only `Pulumi.<stack>.yaml` when none is named."""
    if stack is not None:
        return stack
    if len(program.stacks) == 1:
        return program.stacks[0]
    found = ", ".join(program.stacks) or "none"
    raise _problem(
        program.directory,
        f"name the stack to plan with --stack (Pulumi.<stack>.yaml files here: {found})",
        Code.NO_SUCH_STACK,
    )


def _qualified(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def project_defaults(program: Program) -> dict[str, Any]:
    """The `config:` of Pulumi.yaml: a value, or a declared key's `default:` (keys without one are left
    for the stack to set)."""
    declared = _project(program.directory / PROJECT_FILE).get("config")
    defaults: dict[str, Any] = {}
    for key, value in (declared if isinstance(declared, dict) else {}).items():
        if isinstance(value, dict) and ("type" in value or "description" in value or "default" in value):
            if "default" in value:
                defaults[_qualified(program.project, str(key))] = value["default"]
        elif isinstance(value, dict) and "value" in value:
            defaults[_qualified(program.project, str(key))] = value["value"]
        else:
            defaults[_qualified(program.project, str(key))] = value
    return defaults


def program_config(program: Program, stack: StackFile) -> tuple[dict[str, str], list[str]]:
    """The config the program sees (strings, objects as JSON) and the names of the secret keys."""
    merged = StackFile(
        name=stack.name,
        path=stack.path,
        document={
            **project_defaults(program),
            **{_qualified(program.project, key): value for key, value in stack.document.items()},
        },
        secret_keys=frozenset(_qualified(program.project, key) for key in stack.secret_keys),
    )
    return merged.runtime_config(), sorted(merged.secret_keys)


@contextmanager
def _in_program(directory: Path) -> Iterator[None]:
    """The program's directory as its working directory and first import path, as `pulumi up` runs it.

    The program's own modules (files in `directory` it imports) are forgotten afterwards, so planning
    another copy of the program (the other side of a diff) imports that copy's."""
    root = directory.resolve()
    previous_cwd, previous_path = Path.cwd(), list(sys.path)
    before = set(sys.modules)
    os.chdir(directory)
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        sys.path[:] = previous_path
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None)
            if file and Path(file).resolve().is_relative_to(root):
                del sys.modules[name]


def plan_program(directory: Path, stack: str | None = None) -> StackPlan:
    """Plan stack `stack` (default: the only one) of the program in `directory`, offline."""
    program = read_program(directory)
    name = choose_stack(program, stack)
    stack_file = read_stack_file(directory, name)
    config, secret_keys = program_config(program, stack_file)
    region = config.get("aws:region", "us-west-2")
    main = program.main.resolve()

    def run() -> None:
        runpy.run_path(str(main), run_name="__main__")

    with _in_program(directory):
        run_result = run_offline(
            run, stack=name, config=config, secret_keys=secret_keys, region=region, project=program.project
        )
    return StackPlan(
        stack=name, role=PROGRAM_ROLE, run=run_result, config_secrets=secret_digests(stack_file.written)
    )


@dataclass
class ProgramPlanner:
    """`plan --program DIR`'s planner: the stack-file planner's `refusals` and `plan`, for one program."""

    directory: Path

    def refusals(self, names: Iterable[str]) -> dict[str, PlanError]:
        """Nothing to refuse: a program's stacks claim no sites from stack files."""
        return {}

    def plan(self, name: str) -> StackPlan:
        return plan_program(self.directory, name)

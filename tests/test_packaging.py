"""The distribution: one import package (`eks_hybrid`), the library as `eks_hybrid.components`, and runtime
dependencies that are exactly what the package imports."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def tracked_python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    return [REPO / name for name in listed if not (REPO / name).is_symlink()]


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name `path` imports (relative imports left out)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_nothing_imports_the_library_by_its_folder_name():
    # One rule for every import: `components.x` became `eks_hybrid.components.x` (0.2.0).
    offenders = [
        f"{path.relative_to(REPO)}: {name}"
        for path in tracked_python_files()
        for name in imported_modules(path)
        if name == "components" or name.startswith("components.")
    ]
    assert offenders == []


def test_the_check_would_see_an_old_import(tmp_path):
    old = tmp_path / "old.py"
    old.write_text("from components.network import TransitGatewayHub\nimport components.config\n")
    assert imported_modules(old) == {"components.network", "components.config"}


def test_importing_the_folder_as_a_top_level_package_is_refused():
    # From the repository root the folder is on sys.path; loading it as `components` would load every
    # module a second time under another name.
    result = subprocess.run(
        [sys.executable, "-c", "import components"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "import the eks-hybrid library as `eks_hybrid.components`, not `components`" in result.stderr


def test_the_library_link_points_at_the_source_folder():
    link = REPO / "eks_hybrid" / "components"
    assert link.is_symlink() and link.readlink() == Path("../components")
    assert (REPO / "eks_hybrid" / "py.typed").is_file()


def _distribution(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def distribution_of(module: str) -> str:
    """The distribution providing `module` (`google.protobuf`: protobuf, not another `google.*`)."""
    candidates = importlib.metadata.packages_distributions()[module.split(".")[0]]
    if len(candidates) > 1:
        prefix = module.replace(".", "/") + "/"
        candidates = [
            name
            for name in candidates
            if any(str(f).startswith(prefix) for f in importlib.metadata.files(name) or ())
        ]
    (name,) = set(candidates)
    return _distribution(name)


def test_runtime_dependencies_are_exactly_what_the_package_imports():
    sources = [
        Path(folder, name)
        for folder, _, names in os.walk(REPO / "eks_hybrid", followlinks=True)  # into the `components` link
        for name in names
        if name.endswith(".py")
    ]
    assert any(p.parts[-3:-1] == ("components", "palette") for p in sources)
    modules = {name for path in sources for name in imported_modules(path)}
    third_party = {m for m in modules if m.split(".")[0] not in {*sys.stdlib_module_names, "eks_hybrid"}}
    imported = {distribution_of(module) for module in third_party}
    declared = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
    assert imported == declared
    # pulumi-command runs the opt-in post-deploy verify step (components/postdeploy.py); pulumi-eks is
    # never imported (HybridCluster declares its resources with pulumi-aws).
    assert "pulumi-eks" not in declared and "pulumi-command" in declared


def test_requirements_pin_every_runtime_dependency():
    pins = {
        _distribution(line)
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert {_distribution(r) for r in PYPROJECT["project"]["dependencies"]} == pins


def test_the_install_lines_name_a_source_that_resolves():
    # No index serves eks-hybrid yet: the documented line is a tag of this repository (PEP 508 direct
    # reference; tests/test_wheel.py builds the package from such a line).
    from eks_hybrid import __version__

    line = f"eks-hybrid @ git+https://<this repository>@v{__version__}"
    for page in ("README.md", "examples/library/requirements.txt", "docs/guides/library.md"):
        text = " ".join((REPO / page).read_text().split()).replace("# ", "")
        assert "eks-hybrid==" not in text, page
        assert line in text, page

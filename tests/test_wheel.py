"""The real sdist and wheel (`python -m build`, as the release workflow builds them), the wheel installed
into a fresh virtualenv (its dependencies at the pinned versions, from pip's cache or the index): one
top-level package, the public API imports, the installed `eks-hybrid` command plans the example stacks from
a scratch directory, the library example runs under the mock engine, the component provider serves the
committed schema, and a consumer's `mypy --strict` reads the installed package's types (py.typed).

About a minute on this 2-core machine, most of it pip installing the dependencies.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

# One xdist worker runs the module (`--dist loadgroup`), so the wheel is built and installed once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


@dataclass(frozen=True)
class Installed:
    python: Path
    site_packages: Path
    wheel: Path
    sdist: Path
    source: Path  # the tracked files, as a clone has them
    workdir: Path  # outside the repository, so nothing imports from its folders


def run(*command: str | Path, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    # Build from the tracked files only (the library link kept as a link), as a release build would.
    source = root / "source"
    tracked = run("git", "ls-files", "-z", cwd=REPO).stdout.split("\0")
    for name in filter(None, tracked):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / name).is_symlink():
            target.symlink_to((REPO / name).readlink())
        else:
            shutil.copy2(REPO / name, target)
    # As the release workflow builds: the sdist, then the wheel from the sdist (so the sdist is complete).
    built = run(sys.executable, "-m", "build", "-o", root / "dist", source, cwd=root)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (root / "dist").glob("eks_hybrid-*.whl")
    [sdist] = (root / "dist").glob("eks_hybrid-*.tar.gz")

    venv.EnvBuilder(with_pip=True).create(root / "venv")
    python = root / "venv" / "bin" / "python"
    pins = [line for line in (REPO / "requirements.txt").read_text().splitlines() if "==" in line]
    (root / "constraints.txt").write_text("\n".join(pins) + "\n")
    # --no-compile: no bytecode for the thousands of modules nothing here imports (pulumi-aws's above all);
    # Python compiles what the tests import, as it would for any install.
    done = run(
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "--no-compile",
        wheel,
        "-c",
        "constraints.txt",
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root
        ).stdout.strip()
    )
    workdir = root / "consumer"
    workdir.mkdir()
    yield Installed(python, site, wheel, sdist, source, workdir)


def test_the_wheel_has_one_top_level_package(installed: Installed):
    listing = run(sys.executable, "-m", "zipfile", "-l", installed.wheel, cwd=installed.workdir).stdout
    tops = {line.split()[0].split("/")[0] for line in listing.splitlines()[1:] if line.strip()}
    assert tops == {"eks_hybrid", installed.wheel.name.split("-py3")[0] + ".dist-info"}
    assert "eks_hybrid/py.typed" in listing and "eks_hybrid/components/network/hub.py" in listing


def test_the_sdist_holds_the_library_and_the_release_files(installed: Installed):
    with tarfile.open(installed.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    # The library link is followed: the sdist holds the files, as the wheel does.
    assert {
        "pyproject.toml",
        "PKG-INFO",
        "eks_hybrid/py.typed",
        "eks_hybrid/components/network/hub.py",
    } <= names


def test_the_installed_command_plans_the_examples_from_a_scratch_directory(installed: Installed):
    command = installed.python.parent / "eks-hybrid"
    shown = run(command, "--help", cwd=installed.workdir)
    assert shown.returncode == 0, shown.stderr
    assert "plan" in shown.stdout and "diff" in shown.stdout
    scratch = installed.workdir / "estate"
    shutil.copytree(REPO / "stacks", scratch / "stacks")
    tree = run(command, "plan", "--all", "--offline-secrets", cwd=scratch)
    assert tree.returncode == 0, tree.stderr[-3000:]
    assert "example-hub (hub stack, " in tree.stdout and "example-dallas (site stack, " in tree.stdout
    # The same plans as this checkout's code makes of the same files.
    planned = run(command, "plan", "--all", "--offline-secrets", "--format", "json", cwd=scratch)
    here = run(
        Path(sys.executable).parent / "eks-hybrid",
        *("plan", "--all", "--offline-secrets", "--format", "json"),
        cwd=scratch,
    )
    assert json.loads(planned.stdout) == json.loads(here.stdout)


def test_no_components_or_emulator_is_installed_at_the_top(installed: Installed):
    assert not (installed.site_packages / "components").exists()
    assert not (installed.site_packages / "palette_emulator").exists()
    probe = (
        "import importlib.util, json; names = ('components', 'palette_emulator');"
        " print(json.dumps([importlib.util.find_spec(n) is not None for n in names]))"
    )
    assert json.loads(run(installed.python, "-c", probe, cwd=installed.workdir).stdout) == [False, False]
    [record] = installed.site_packages.glob("eks_hybrid-*.dist-info/top_level.txt")
    assert record.read_text().split() == ["eks_hybrid"]


def test_the_public_api_imports(installed: Installed):
    script = (
        "from eks_hybrid.components.network import TransitGatewayHub, SiteConnectivity, SiteCidrs\n"
        "from eks_hybrid.components.cluster import HybridCluster\n"
        "from eks_hybrid.components.identity import NodeIdentity\n"
        "from eks_hybrid.components.cni import Cilium, CiliumSitePools, HybridConfig\n"
        "from eks_hybrid.components.palette import PaletteHub, PaletteNodePools\n"
        "import eks_hybrid; print(eks_hybrid.__version__)\n"
    )
    result = run(installed.python, "-c", script, cwd=installed.workdir)
    assert result.returncode == 0, result.stderr
    from eks_hybrid import __version__

    assert result.stdout.strip() == __version__
    cli = run(installed.python, "-m", "eks_hybrid.cli", "--version", cwd=installed.workdir)
    assert cli.stdout.strip() == f"eks-hybrid {__version__}"


def test_the_library_example_runs_from_the_installed_package(installed: Installed):
    shutil.copy(REPO / "examples" / "library" / "__main__.py", installed.workdir / "program.py")
    script = (
        "import runpy\n"
        "from eks_hybrid.offline.engine import run_offline\n"
        "config = {'aws:region': 'us-west-2', 'edge-estate:paletteProjectUid': '6491d4a94c39ad82d3cc30ae'}\n"
        "program = lambda: runpy.run_path('program.py') and None\n"
        "run = run_offline(program, stack='dev', project='edge-estate', config=config)\n"
        "names = {r.name for r in run.resources}\n"
        "assert 'edge-route-private-a-dallas-node' in names and 'chicago-vpn-route-pod' in names, names\n"
        "print(len(run.resources))\n"
    )
    result = run(installed.python, "-c", script, cwd=installed.workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.strip().splitlines()[-1]) > 80


def test_the_installed_provider_serves_the_committed_schema(installed: Installed):
    # The analyzer reads the docstrings from the installed sources.
    served = run(installed.python, "-m", "eks_hybrid.provider", "--schema", cwd=installed.workdir)
    assert json.loads(served.stdout) == json.loads((REPO / "package" / "schema.json").read_text())


def test_a_consumers_strict_mypy_reads_the_installed_types(installed: Installed):
    shutil.copy(REPO / "examples" / "library" / "__main__.py", installed.workdir / "consumer.py")
    result = run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--python-executable",
        installed.python,
        "consumer.py",
        cwd=installed.workdir,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Without py.typed the same check would fail on an untyped import.
    assert "Success: no issues found in 1 source file" in result.stdout


def test_the_documented_git_install_line_builds_this_package(installed: Installed, tmp_path: Path):
    # The README's line, `eks-hybrid @ git+<URL>@<tag>`, with a clone of the tracked files as the URL.
    from eks_hybrid import __version__

    clone = tmp_path / "clone"
    shutil.copytree(installed.source, clone, symlinks=True)
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    for command in (
        ("init", "-q"),
        ("add", "-A"),
        (*identity, "commit", "-qm", "r"),
        ("tag", f"v{__version__}"),
    ):
        assert run("git", *command, cwd=clone).returncode == 0
    # (pip's PEP 508 parser wants a host in a file URL: `localhost`.)
    line = f"eks-hybrid @ git+file://localhost{clone}@v{__version__}"
    readme = (REPO / "README.md").read_text()
    assert "eks-hybrid @ git+https://" in readme and f"@v{__version__}" in readme
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "w", line, cwd=tmp_path
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "w").glob("*.whl")
    assert wheel.name == installed.wheel.name


def test_the_installed_command_plans_a_users_program_from_a_scratch_directory(installed: Installed):
    # A user's own program (the library example, as a team would keep it in its own repository) planned
    # with `eks-hybrid plan --program` from the installed wheel, with its own stack file's config.
    program = installed.workdir / "my-estate"
    shutil.copytree(REPO / "examples" / "library", program)
    command = installed.python.parent / "eks-hybrid"
    planned = run(command, "plan", "--program", str(program), "--format", "json", cwd=installed.workdir)
    assert planned.returncode == 0, planned.stderr[-3000:]
    document = json.loads(planned.stdout)
    names = {r["name"] for r in document["resources"]}
    assert "edge-route-private-a-dallas-node" in names and "dallas-workers" in names
    assert document["role"] == "program"

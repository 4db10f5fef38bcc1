"""`render` writes under --out and nowhere else, and never over files it did not write.

Edge host names become file names (`edge/nodeconfig/<host>.yaml`): a host named `../../../x` made `render`
write outside --out and create folders, two hosts with one name shared a file, and a NUL gave exit 1.
`render --out .` in a project overwrote its README; directories took the caller's umask; a directory symlink
inside --out was followed. These tests get hostile names past the stack-file models (by patching the
gatherer, or by building a `SiteBundle`), since `render`'s own check must hold on its own.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eks_hybrid.render as render_module
from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import PlanError
from eks_hybrid.components.onprem.bundle import RenderedFile, SiteBundle
from eks_hybrid.components.onprem.model import EdgeHost
from eks_hybrid.render_settings import DIR_MODE, MANIFEST
from eks_hybrid.render_write import bundle_path_problems, path_rule, write_bundle
from tests.onprem.conftest import render

from .conftest import examples, record

SUITE = "render --out"
ROOT = "/work/out"

ESCAPING = [
    "../../../x",
    "edge/nodeconfig/../../../x.yaml",
    "edge/nodeconfig/../../README.md",
    "..",
    ".",
    "./x",
    "a/./b",
    "a/..",
    "/etc/passwd",
    "/",
    "//x",
    "a\\..\\..\\x",
    "..\\x",
    "a\x00b",
    "\x00",
    "",
    "a//b",
    "a/",
    "a/b/",
    "a\nb",
    "a\rb",
    "a\tb",
    "\x1b[31mx",
    "a\x7fb",
    "x" * 256,
    "a/" + "é" * 128,
    "\ud800",
    MANIFEST,
    f"{MANIFEST}/x",
]
PLAIN = [
    "README.md",
    "edge/nodeconfig/austin-01.yaml",
    "edge/nodeconfig/..x.yaml",
    "edge/nodeconfig/x...yaml",
    "a/b/c/d",
    "x" * 255,
    "é" * 127,
    ".hidden",
    "edge/nodeconfig/-x-.yaml",
    f"{MANIFEST}.bak",
]


def _inside(path: str, root: str = ROOT) -> bool:
    target = posixpath.normpath(posixpath.join(root, path))
    return target.startswith(root + "/")


@pytest.mark.parametrize("path", ESCAPING)
def test_a_path_that_is_not_plain_and_relative_is_refused(path):
    assert path_rule(path, ROOT) is not None
    record(SUITE, **{"unsafe paths refused": 1})


@pytest.mark.parametrize("path", PLAIN)
def test_a_plain_relative_path_is_accepted(path):
    assert path_rule(path, ROOT) is None and _inside(path)
    record(SUITE, **{"plain paths accepted": 1})


@examples(2000)
@given(st.text(alphabet=st.sampled_from(["a", "b", ".", "/", "\\", "\x00", "\n", "é", " "]), max_size=12))
def test_no_accepted_path_leaves_out_or_hides_a_separator(path):
    """Generated over the characters that matter: whatever is accepted resolves strictly inside the root
    and is a chain of plain names."""
    record(SUITE, **{"generated paths": 1})
    if path_rule(path, ROOT) is None:
        record(SUITE, **{"generated paths accepted": 1})
        assert _inside(path)
        parts = path.split("/")
        assert all(part not in ("", ".", "..") for part in parts)
        assert not {"\\", "\x00", "\n"} & set(path)
    else:
        record(SUITE, **{"generated paths refused": 1})


def test_two_files_on_one_path_or_a_file_over_a_directory_are_refused():
    problems = bundle_path_problems(
        [
            "README.md",
            "edge/nodeconfig/x.yaml",
            "edge/nodeconfig/x.yaml",
            "edge/nodeconfig/A.yaml",
            "edge/nodeconfig/a.yaml",
            "router",
            "router/frr.conf",
            "../x",
        ],
        ROOT,
    )
    assert set(problems) == {"edge/nodeconfig/x.yaml", "edge/nodeconfig/a.yaml", "router", "../x"}
    assert "two files" in problems["edge/nodeconfig/x.yaml"][0]
    assert "only in case" in problems["edge/nodeconfig/a.yaml"][0]
    assert "directory of 'router/frr.conf'" in problems["router"][0]
    assert {code for _, code in problems.values()} == {Code.RENDER_PATH_CLASH, Code.RENDER_PATH_UNSAFE}
    record(SUITE, **{"clashes refused": 3})


def _bundle(*paths: str) -> SiteBundle:
    return SiteBundle("s", tuple(RenderedFile(path, f"{path}\n") for path in ("README.md", *paths)), (), ())


def _tree(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")} if directory.exists() else set()


@pytest.mark.parametrize(
    "path",
    [
        "edge/nodeconfig/../../../x.yaml",
        "/tmp/eks-hybrid-x",
        "edge\\..\\..\\x",
        "edge/a\x00b.yaml",
        "a//b",
        "",
    ],
)
def test_write_bundle_refuses_before_writing_anything(tmp_path, path):
    out = tmp_path / "project" / "out"
    with pytest.raises(PlanError) as caught:
        write_bundle(_bundle(path), out)
    assert f"(render): file {path!r}: names the file" in str(caught.value)
    assert "[render-path-unsafe]" in str(caught.value)
    assert _tree(tmp_path) == set() and not Path("/tmp/eks-hybrid-x").exists()
    record(SUITE, **{"bundles refused before writing": 1})


def test_a_host_name_holding_a_slash_is_refused_though_its_path_stays_inside(tmp_path):
    host = EdgeHost("pool", "edge-1", "a/b", "amd64", origin=("Pulumi.s.yaml", "eks-hybrid:site.x.name"))
    with pytest.raises(PlanError) as caught:
        write_bundle(_bundle(host.node_config_path), tmp_path / "out", [host])
    assert "Pulumi.s.yaml: eks-hybrid:site.x.name: names the file 'edge/nodeconfig/a/b.yaml'" in str(
        caught.value
    )
    assert "holds a `/`" in str(caught.value) and _tree(tmp_path) == set()
    record(SUITE, **{"bundles refused before writing": 1})


def _rename_hosts(monkeypatch, rename):
    original = render_module._Gatherer.edge_hosts

    def renamed(self, label):
        hosts = original(self, label)
        return tuple(dataclasses.replace(h, name=n) for h, n in zip(hosts, rename(hosts), strict=True))

    monkeypatch.setattr(render_module._Gatherer, "edge_hosts", renamed)


@pytest.mark.parametrize(
    "name", ["../../../x", "../../escaped", "/tmp/eks-hybrid-abs", "a\x00b", "a\\b", "a/"]
)
def test_render_refuses_a_host_name_that_leaves_out(tmp_path, monkeypatch, name):
    _rename_hosts(monkeypatch, lambda hosts: [name, *(h.name for h in hosts[1:])])
    result, _out = render(tmp_path / "a" / "b", "example-austin")
    assert result.exit_code == 2, result.output
    assert "Pulumi.example-austin.yaml: eks-hybrid:site.nodePools[0].edgeHosts[0].name:" in result.output
    assert "[render-path-unsafe]" in result.output and "Traceback" not in result.output
    assert _tree(tmp_path) == set() and not Path("/tmp/eks-hybrid-abs.yaml").exists()
    record(SUITE, **{"hostile host names refused": 1})


def test_render_refuses_two_hosts_with_one_name_naming_both_keys(tmp_path, monkeypatch):
    _rename_hosts(monkeypatch, lambda hosts: ["same"] * len(hosts))
    result, out = render(tmp_path, "example-austin")
    assert result.exit_code == 2, result.output
    for key in (
        "nodePools[0].edgeHosts[0].name",
        "nodePools[0].edgeHosts[1].name",
        "nodePools[1].edgeHosts[0].name",
    ):
        assert key in result.output
    assert "[render-path-clash]" in result.output and not out.exists()
    record(SUITE, **{"shared host names refused": 1})


def test_a_foreign_directory_is_refused_and_left_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("the project's own README\n")
    result, _ = render(tmp_path, "example-dallas")
    assert result.exit_code == 2, result.output
    assert (
        "'README.md'" in result.output and MANIFEST in result.output and "[out-dir-foreign]" in result.output
    )
    assert (out / "README.md").read_text() == "the project's own README\n" and _tree(out) == {"README.md"}
    record(SUITE, **{"foreign dirs refused": 1})


def test_a_file_the_manifest_does_not_list_is_named_and_nothing_is_written(tmp_path):
    result, out = render(tmp_path, "example-dallas")
    assert result.exit_code == 0, result.output
    (out / "router/notes.txt").write_text("mine\n")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    result, _ = render(tmp_path, "example-dallas")
    assert result.exit_code == 2 and "'router/notes.txt'" in result.output, result.output
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    record(SUITE, **{"unlisted files refused": 1})


def test_re_rendering_into_its_own_directory_replaces_and_removes_what_it_wrote(tmp_path, monkeypatch):
    result, out = render(tmp_path, "example-austin")
    assert result.exit_code == 0, result.output
    assert (out / "edge/nodeconfig/austin-arm-01.yaml").is_file()
    original = render_module._Gatherer.edge_hosts
    monkeypatch.setattr(render_module._Gatherer, "edge_hosts", lambda self, label: original(self, label)[:2])
    result, _ = render(tmp_path, "example-austin")
    assert result.exit_code == 0, result.output
    manifest = (out / MANIFEST).read_text().splitlines()
    assert "edge/nodeconfig/austin-arm-01.yaml" not in manifest
    assert {p for p in _tree(out) if (out / p).is_file()} == {*manifest, MANIFEST}
    monkeypatch.undo()
    result, _ = render(tmp_path, "example-austin")
    assert result.exit_code == 0 and (out / "edge/nodeconfig/austin-arm-01.yaml").is_file(), result.output
    record(SUITE, **{"re renders": 2})


def test_a_directory_symlink_inside_out_is_refused_not_followed(tmp_path):
    result, out = render(tmp_path, "example-austin")
    assert result.exit_code == 0, result.output
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    nodeconfig = out / "edge/nodeconfig"
    for child in nodeconfig.iterdir():
        child.unlink()
    nodeconfig.rmdir()
    nodeconfig.symlink_to(elsewhere, target_is_directory=True)
    result, _ = render(tmp_path, "example-austin")
    assert result.exit_code == 2, result.output
    assert "edge/nodeconfig" in result.output and "[out-dir-symlink]" in result.output
    assert list(elsewhere.iterdir()) == []
    record(SUITE, **{"symlinks refused": 1})


def test_a_symlinked_manifest_or_file_is_refused(tmp_path):
    result, out = render(tmp_path, "example-dallas")
    assert result.exit_code == 0, result.output
    target = tmp_path / "target.txt"
    target.write_text("kept\n")
    (out / "README.md").unlink()
    (out / "README.md").symlink_to(target)
    result, _ = render(tmp_path, "example-dallas")
    assert result.exit_code == 2 and "[out-dir-symlink]" in result.output, result.output
    assert target.read_text() == "kept\n"
    (out / "README.md").unlink()
    (out / MANIFEST).unlink()
    (out / MANIFEST).symlink_to(target)
    result, _ = render(tmp_path, "example-dallas")
    assert result.exit_code == 2 and "[out-dir-symlink]" in result.output, result.output
    record(SUITE, **{"symlinks refused": 2})


def test_a_manifest_listing_an_escaping_path_is_not_one_render_wrote(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text("README.md\n../../victim\n")
    (tmp_path / "victim").write_text("kept\n")
    result, _ = render(tmp_path, "example-dallas")
    assert result.exit_code == 2 and "[out-dir-foreign]" in result.output, result.output
    assert (tmp_path / "victim").read_text() == "kept\n"
    record(SUITE, **{"forged manifests refused": 1})


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_directories_are_0700_and_files_keep_their_modes_whatever_the_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        result, out = render(tmp_path / "new", "example-austin")
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    directories = [tmp_path / "new", out, *(p for p in out.rglob("*") if p.is_dir())]
    assert {stat.S_IMODE(p.stat().st_mode) for p in directories} == {DIR_MODE}
    modes = {
        p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()
    }
    assert modes["router/swanctl.conf"] == 0o600 and modes["router/router-setup.sh"] == 0o755
    assert modes["README.md"] == 0o644
    record(SUITE, **{"directories checked": len(directories)})

"""Where `render` writes a site's files: under --out, and nowhere else.

Edge host names become file names (`edge/nodeconfig/<host>.yaml`), so every path of a bundle is checked as a
plain relative path that stays inside --out (`bundle_path_problems`, pure) before anything is written.
--out is `render`'s own: empty, or holding only what its manifest (`MANIFEST`, one path a line) lists from
an earlier render, so re-rendering replaces its files and removes the ones it no longer writes, and a
directory holding anything else (a project's README) is refused. Nothing inside --out is reached through a
symbolic link: every directory is opened relative to its parent with O_NOFOLLOW and a link is refused (not
replaced: a link someone put there is theirs to remove, and replacing it would delete what they meant).
Directories are DIR_MODE and files keep their modes (`render_settings`), whatever the umask.
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import secrets
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import PlanError, Problem
from eks_hybrid.components.onprem.bundle import SiteBundle
from eks_hybrid.components.onprem.model import EdgeHost

from .render_settings import DIR_MODE, FILE_MODE, MANIFEST, SCRIPT_MODE, SECRET_MODE

__all__ = ["MANIFEST", "bundle_path_problems", "host_file_problems", "path_rule", "write_bundle"]

NAME_MAX = 255
"""The longest file name (in bytes) of Linux's file systems (`NAME_MAX`, limits.h)."""
MANIFEST_MAX_BYTES = 1 << 20
"""A manifest larger than this was not written by `render` (one holds a few hundred bytes per host)."""
MAX_ENTRIES = 100_000
"""How many entries of --out are looked at before it is refused as not `render`'s."""
SHOWN = 10
"""How many foreign entries a refusal names."""
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def path_rule(path: str, root: str = "/out") -> str | None:
    """Why `path` is not a plain relative path that stays inside the directory `root`, or None when it is.

    Pure: `root` is an absolute POSIX path and nothing is looked up on disk."""
    if not path:
        return "is empty"
    if "\x00" in path:
        return "holds a NUL character, which no file name can"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return "holds a control character (a line break, a tab, an escape)"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (a lone surrogate)"
    if "\\" in path:
        return "holds a backslash, a path separator on Windows"
    if path.startswith("/"):
        return "is an absolute path"
    parts = path.split("/")
    if "" in parts:
        return "has an empty component (`//`, or a trailing `/`)"
    if any(part in (".", "..") for part in parts):
        return "has a `.` or `..` component"
    if any(len(part.encode("utf-8")) > NAME_MAX for part in parts):
        return f"has a component longer than {NAME_MAX} bytes"
    if parts[0] == MANIFEST:
        return f"is {MANIFEST}, render's own manifest"
    target = posixpath.normpath(posixpath.join(root, path))
    if posixpath.commonpath([root, target]) != root or target == root:
        return "leaves the output directory"
    return None


def bundle_path_problems(paths: Sequence[str], root: str = "/out") -> dict[str, tuple[str, Code]]:
    """Each path of `paths` that cannot be written inside `root`, with why and its code (the first reason
    of each): not a plain relative path (`path_rule`), or sharing its place with another path."""
    problems: dict[str, tuple[str, Code]] = {}
    for path in paths:
        rule = path_rule(path, root)
        if rule is not None:
            problems.setdefault(path, (rule, Code.RENDER_PATH_UNSAFE))
    seen: set[str] = set()
    folded: dict[str, str] = {}
    for path in (path for path in paths if path not in problems):
        if path in seen:
            problems.setdefault(path, ("is the path of two files", Code.RENDER_PATH_CLASH))
        seen.add(path)
        other = folded.setdefault(path.casefold(), path)
        if other != path:
            problems.setdefault(
                path,
                (
                    f"differs from {other!r} only in case: one file on a case-insensitive file system",
                    Code.RENDER_PATH_CLASH,
                ),
            )
    for path in seen:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory in seen:
                problems.setdefault(
                    directory, (f"is a file and also the directory of {path!r}", Code.RENDER_PATH_CLASH)
                )
    return problems


def host_file_problems(hosts: Sequence[EdgeHost]) -> dict[str, tuple[str, Code]]:
    """The hosts whose name is not one file name: a `/` in it makes its file land in a directory of its own
    (the paths' own check sees only a path inside --out)."""
    return {
        host.node_config_path: (
            f"comes from the host name {host.node_name!r}, which holds a `/`: a host's name is one file name",
            Code.RENDER_PATH_UNSAFE,
        )
        for host in hosts
        if "/" in host.node_name
    }


def _path_error(problems: Mapping[str, tuple[str, Code]], hosts: Sequence[EdgeHost]) -> PlanError:
    origins: dict[str, list[tuple[str, str]]] = {}
    for host in hosts:
        origins.setdefault(host.node_config_path, []).append(host.origin)
    found = []
    for path, (rule, code) in problems.items():
        for label, key in origins.get(path) or [("(render)", f"file {path!r}")]:
            found.append(Problem(label, key, f"names the file {path!r}, which {rule}", code))
    return PlanError(found)


def _fail(out: Path, rel: str, rule: str, code: Code) -> PlanError:
    return PlanError([Problem(str(out / rel) if rel else str(out), "(--out)", rule, code)])


def _open_dir(name: str, parent: int, out: Path, rel: str, *, create: bool) -> int:
    """The directory `name` in `parent`, never through a link; created DIR_MODE when missing and `create`."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        if not create:
            raise
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        if stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode):
            raise _symlink(out, rel) from exc
        raise _fail(
            out, rel, "is not a directory, and render needs one there", Code.OUT_DIR_UNWRITABLE
        ) from exc
    os.mkdir(name, DIR_MODE, dir_fd=parent)
    return os.open(name, _DIR_FLAGS, dir_fd=parent)


def _symlink(out: Path, rel: str) -> PlanError:
    return _fail(
        out,
        rel,
        "is a symbolic link: render follows no link inside --out (one to a directory would send its files"
        " elsewhere); remove it",
        Code.OUT_DIR_SYMLINK,
    )


def _walk(fd: int, prefix: str, budget: list[int]) -> Iterator[tuple[str, str]]:
    """(path, kind) of every entry below the directory `fd`, without following links; kind is `dir`,
    `file`, `link` or `other`."""
    with os.scandir(fd) as entries:
        for entry in entries:
            budget[0] -= 1
            if budget[0] < 0:
                return
            rel = prefix + entry.name
            if entry.is_symlink():
                yield rel, "link"
            elif entry.is_dir(follow_symlinks=False):
                yield rel, "dir"
                child = os.open(entry.name, _DIR_FLAGS, dir_fd=fd)
                try:
                    yield from _walk(child, rel + "/", budget)
                finally:
                    os.close(child)
            elif entry.is_file(follow_symlinks=False):
                yield rel, "file"
            else:
                yield rel, "other"


def _read_manifest(out_fd: int, out: Path) -> list[str] | None:
    """The paths the manifest in --out lists, or None when there is none; refuses one render did not write."""
    try:
        fd = os.open(MANIFEST, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=out_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _symlink(out, MANIFEST) from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _fail(
                out, MANIFEST, "is not a regular file: not a manifest render wrote", Code.OUT_DIR_FOREIGN
            )
        data = handle.read(MANIFEST_MAX_BYTES + 1)
    rule = None
    if len(data) > MANIFEST_MAX_BYTES:
        rule = f"is larger than {MANIFEST_MAX_BYTES} bytes"
    else:
        try:
            paths = data.decode("utf-8").splitlines()
        except UnicodeDecodeError:
            rule = "is not UTF-8 text"
        else:
            bad = bundle_path_problems(paths, os.path.normpath(out.absolute()))
            if bad:
                path = next(iter(bad))
                rule = f"lists {path!r}, which {bad[path][0]}"
    if rule is not None:
        raise _fail(out, MANIFEST, f"{rule}: not a manifest render wrote", Code.OUT_DIR_FOREIGN)
    return paths


def _ancestors(paths: Sequence[str]) -> set[str]:
    return {"/".join(path.split("/")[:depth]) for path in paths for depth in range(1, path.count("/") + 1)}


def _check_contents(out_fd: int, out: Path, previous: list[str] | None, paths: Sequence[str]) -> None:
    """Refuse --out unless everything in it is what the previous render listed (or it is empty)."""
    if previous is None:
        with os.scandir(out_fd) as entries:
            names = sorted(entry.name for _, entry in zip(range(SHOWN + 1), entries, strict=False))
        if names:
            shown = ", ".join(repr(name) for name in names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")
            raise _fail(
                out,
                "",
                f"is not empty ({shown}) and holds no {MANIFEST}: render writes only into an empty directory"
                " or one it wrote before, so it overwrites nothing of yours; choose another --out",
                Code.OUT_DIR_FOREIGN,
            )
        return
    listed = set(previous)
    directories = _ancestors([*previous, *paths])
    budget = [MAX_ENTRIES]
    links, foreign = [], []
    for rel, kind in _walk(out_fd, "", budget):
        if rel == MANIFEST:
            continue
        if kind == "link":
            links.append(rel)
        elif (kind == "dir" and rel not in directories) or (kind != "dir" and rel not in listed):
            foreign.append(rel)
    if links:
        raise _symlink(out, links[0])
    if budget[0] < 0:
        raise _fail(
            out,
            "",
            f"holds more than {MAX_ENTRIES} entries: not a directory render wrote",
            Code.OUT_DIR_FOREIGN,
        )
    if foreign:
        noun = "entry" if len(foreign) == 1 else "entries"
        shown = ", ".join(repr(rel) for rel in sorted(foreign)[:SHOWN]) + (
            ", ..." if len(foreign) > SHOWN else ""
        )
        raise _fail(
            out,
            "",
            f"holds {len(foreign)} {noun} its {MANIFEST} does not list ({shown}): render removes and"
            " overwrites only what it wrote; move them out or choose another --out",
            Code.OUT_DIR_FOREIGN,
        )


def _make_out(out: Path) -> None:
    """Create --out and any missing parent, each DIR_MODE whatever the umask."""
    missing = []
    current = out.absolute()
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        os.mkdir(directory, DIR_MODE)
        os.chmod(directory, DIR_MODE)


def _parent_fd(out_fd: int, out: Path, path: str, opened: dict[str, int], *, create: bool = True) -> int:
    """The directory holding `path`, opened (and created when `create`) component by component, never
    through a link; each is made DIR_MODE."""
    parent, rel = out_fd, ""
    for name in path.split("/")[:-1]:
        rel = f"{rel}/{name}" if rel else name
        if rel not in opened:
            opened[rel] = _open_dir(name, parent, out, rel, create=create)
            os.fchmod(opened[rel], DIR_MODE)
        parent = opened[rel]
    return parent


def _write(directory: int, name: str, content: bytes, mode: int) -> None:
    """Write `name` in `directory` atomically, `mode` from the first byte (a key never sits in a
    world-readable file); a link or file already there is replaced, never followed."""
    temporary = f".eks-hybrid-{secrets.token_hex(8)}.tmp"
    fd = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=directory
    )
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=directory)
        raise


def _remove_stale(
    out_fd: int, out: Path, stale: Sequence[str], keep: set[str], opened: dict[str, int]
) -> None:
    """Remove the files an earlier render wrote and this one does not, then their emptied directories."""
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.rpartition("/")[2], dir_fd=_parent_fd(out_fd, out, path, opened, create=False))
    for directory in sorted(_ancestors(stale) - keep, key=lambda d: -d.count("/")):
        head, _, name = directory.rpartition("/")
        if directory in opened:
            os.close(opened.pop(directory))
        parent = opened.get(head) if head else out_fd
        if parent is None:
            continue
        with contextlib.suppress(OSError):  # not empty, or already gone: left as it is
            os.rmdir(name, dir_fd=parent)


def write_bundle(bundle: SiteBundle, out_dir: Path, hosts: Sequence[EdgeHost] = ()) -> list[Path]:
    """Write every file of `bundle` under `out_dir` and list them in its manifest; files an earlier render
    wrote and this one does not are removed. `hosts` are the site's edge hosts, whose names become file
    names: errors about their files name the stack file and key each came from. Raises `PlanError` before
    writing anything when a path would leave `out_dir`, two files share a path, or `out_dir` holds anything
    render did not write or a symbolic link."""
    root = os.path.normpath(out_dir.absolute())
    problems = {**host_file_problems(hosts), **bundle_path_problems(bundle.paths, root)}
    if problems:
        raise _path_error(problems, hosts)
    try:
        return _write_all(bundle, out_dir)
    except OSError as exc:
        name = f" ({exc.filename})" if isinstance(exc.filename, str) else ""
        raise _fail(
            out_dir, "", f"cannot be written{name}: {exc.strerror or exc}", Code.OUT_DIR_UNWRITABLE
        ) from exc


def _write_all(bundle: SiteBundle, out_dir: Path) -> list[Path]:
    if not os.path.lexists(out_dir):
        _make_out(out_dir)
    out_fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # --out itself may be a link
    opened: dict[str, int] = {}
    try:
        previous = _read_manifest(out_fd, out_dir)
        _check_contents(out_fd, out_dir, previous, bundle.paths)
        stale = [path for path in previous or [] if path not in set(bundle.paths)]
        # Listed first, so a render stopped half-way leaves a directory the next one accepts.
        union = list(dict.fromkeys([*(previous or []), *bundle.paths]))
        _write(out_fd, MANIFEST, "".join(f"{path}\n" for path in union).encode(), FILE_MODE)
        _remove_stale(out_fd, out_dir, stale, _ancestors(bundle.paths), opened)
        written = []
        for rendered in bundle.files:
            mode = SECRET_MODE if rendered.secret else SCRIPT_MODE if rendered.executable else FILE_MODE
            parent = _parent_fd(out_fd, out_dir, rendered.path, opened)
            _write(parent, rendered.path.rpartition("/")[2], rendered.content.encode(), mode)
            written.append(out_dir / rendered.path)
        _write(out_fd, MANIFEST, "".join(f"{path}\n" for path in bundle.paths).encode(), FILE_MODE)
        return written
    finally:
        for fd in opened.values():
            os.close(fd)
        os.close(out_fd)

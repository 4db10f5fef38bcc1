"""The CLI as a person sees it: in a real terminal (tmux), colours and layout; with NO_COLOR or into a
pipe, plain text. tmux drives a pseudo-terminal, so rich's own terminal detection is what is tested.

`.ci/run` installs tmux when a fresh machine lacks it; only where it truly cannot be had are these
skipped, with the reason.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

from ..conftest import REPO, STACKS

# This checkout's code, whatever an installed `eks-hybrid` script would import.
CLI = (sys.executable, "-m", "eks_hybrid.cli")
ESC = "\x1b["
WIDTH, HEIGHT = 120, 50
DONE = "__eks_hybrid_done__"

pytestmark = [
    pytest.mark.terminal,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (see .ci/run)"),
]


class Terminal:
    """One tmux server on its own socket, one pane of WIDTH x HEIGHT running a login-free shell."""

    def __init__(self) -> None:
        self.socket = f"eks-hybrid-test-{uuid.uuid4().hex[:8]}"
        self.session = "cli"

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True, timeout=30
        )
        return done.stdout

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TMUX", "COLUMNS")}
        env["TERM"] = "xterm-256color"
        subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", self.session,
             "-x", str(WIDTH), "-y", str(HEIGHT), "env -i PATH=/usr/bin:/bin HOME=/tmp TERM=xterm-256color"
             " LANG=C.UTF-8 sh"],
            check=True, env=env, timeout=30,
        )  # fmt: skip
        self.tmux("set-option", "-t", self.session, "history-limit", "20000")

    def run(self, command: str, timeout: float = 120) -> tuple[str, int]:
        """Type `command` at the prompt and wait for it: its output as the pane shows it (SGR escapes
        kept) and its exit status."""
        mark = uuid.uuid4().hex[:8]
        start, done = f"{DONE}start{mark}", f"{DONE}end{mark}"
        self.tmux("send-keys", "-t", self.session, f"echo {start}; {command}; echo {done} $?", "Enter")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.capture().splitlines()
            # The shell's prompt may share a line with the echoed marks; the typed line never ends in one.
            starts = [i for i, line in enumerate(lines) if plain(line).rstrip().endswith(start)]
            ends = [
                (i, m) for i, line in enumerate(lines) if (m := re.search(rf"{done} (\d+)\s*$", plain(line)))
            ]
            if starts and ends:
                end, match = ends[-1]
                return "\n".join(lines[starts[-1] + 1 : end]), int(match.group(1))
            time.sleep(0.2)
        raise AssertionError(f"{command!r} did not finish in {timeout}s:\n{self.capture()}")

    def capture(self) -> str:
        return self.tmux("capture-pane", "-p", "-e", "-J", "-S", "-", "-t", self.session)

    def stop(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def terminal() -> Iterator[Terminal]:
    term = Terminal()
    term.start()
    try:
        yield term
    finally:
        term.stop()


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def cli(*args: str, env: str = "") -> str:
    command = " ".join(shlex.quote(part) for part in (*CLI, *args))
    return f"cd {shlex.quote(str(REPO))} && {env} {command}".replace("&&  ", "&& ")


DALLAS = ("plan", "-s", "example-dallas", "--offline-secrets", "--stacks-dir", str(STACKS))


def test_a_plan_in_a_terminal_is_coloured_tree(terminal):
    text, status = terminal.run(cli(*DALLAS))
    assert status == 0
    assert ESC in text  # styled
    lines = plain(text).splitlines()
    assert lines[0] == "example-dallas (site stack, 9 resources)"
    # Bold names, dim types, cyan inputs: the header and an input line carry those SGR codes.
    assert "\x1b[1mexample-dallas" in text
    assert any("\x1b[36m" in line and "destinationCidrBlock" in line for line in text.splitlines())
    # Layout: the tree's guides, the secrets section last, the missing key in red, then the policy verdict.
    assert any(line.startswith("├── dallas (eks-hybrid:network:SiteConnectivity)") for line in lines)
    assert lines[-3] == "└── secrets a real run needs"
    assert lines[-1] == "policy: example-dallas: every rule passes"
    assert "\x1b[31mmissing" in text


def test_the_terminal_width_is_used(terminal):
    text, _ = terminal.run(cli("plan", "--help"))
    lines = plain(text).splitlines()
    box = [line for line in lines if line.startswith("╭─ Options")]
    assert box and len(box[0]) == WIDTH
    assert "they show as [secret]." in plain(text)


def test_no_color_gives_plain_text_in_a_terminal(terminal):
    text, status = terminal.run(cli(*DALLAS, env="NO_COLOR=1"))
    assert status == 0
    assert ESC not in text
    assert text.splitlines()[0] == "example-dallas (site stack, 9 resources)"


def test_a_pipe_gets_plain_text(terminal):
    text, status = terminal.run(cli(*DALLAS) + " | cat")
    assert status == 0
    assert ESC not in text
    assert text.splitlines()[0] == "example-dallas (site stack, 9 resources)"
    assert "│   │   ├── ipAddress = 203.0.113.10" in text


def test_problems_in_a_terminal_have_a_red_header(terminal, broken_hub):
    text, status = terminal.run(cli("plan", "--all", "--offline-secrets", "--stacks-dir", str(broken_hub)))
    assert status == 2
    header = next(line for line in text.splitlines() if "✗ example-hub" in line)
    assert "\x1b[1m" in header and "\x1b[31m" in header  # bold red
    assert plain(text).count("eks-hybrid:cluster.authenticationMode") == 1


def test_without_a_terminal_there_are_no_escapes():
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")}
    done = subprocess.run([*CLI, *DALLAS], capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert ESC not in done.stdout
    # Off a terminal, long lines are not cropped at 80 columns.
    assert max(len(line) for line in done.stdout.splitlines()) > 80

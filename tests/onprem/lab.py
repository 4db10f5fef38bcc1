"""A network-namespace lab for proving rendered router files with real strongSwan and FRR daemons.

These machines have no kernel ESP, so both charons use strongSwan's `kernel-libipsec` plugin (ESP in UDP
over a TUN device `ipsec0`), as `../shared/notes/onprem-ipsec-lab.md` describes. Every namespace, daemon
and directory a `Lab` creates is removed by `Lab.close()`, which the fixtures call in a `finally`.
Namespaces and interfaces carry this process's id, so parallel runs never collide.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

CHARON = Path("/usr/lib/ipsec/charon")
FRR_DIR = Path("/usr/lib/frr")
REQUIRED_TOOLS = ("ip", "swanctl", "vtysh", "ping", "iptables")
CHARON_PLUGINS = (
    "random nonce openssl aes sha1 sha2 hmac gcm kdf pem pkcs1 x509 pubkey "
    "kernel-libipsec kernel-netlink socket-default vici updown"
)
SWANCTL_DIRS = (
    "x509",
    "x509ca",
    "x509ocsp",
    "x509aa",
    "x509ac",
    "x509crl",
    "pubkey",
    "private",
    "rsa",
    "ecdsa",
    "bliss",
    "pkcs8",
    "pkcs12",
)
_COUNTER = itertools.count()


def unavailable_reason() -> str | None:
    """Why this machine cannot run the lab, or None when it can."""
    if os.geteuid() != 0:
        return "network-namespace tests need root (ip netns, mount --bind, charon, FRR)"
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    missing += [str(p) for p in (CHARON, FRR_DIR / "zebra", FRR_DIR / "bgpd") if not p.exists()]
    if missing:
        return (
            f"missing {', '.join(missing)}: install strongswan-swanctl strongswan-charon"
            " libstrongswan-standard-plugins libcharon-extra-plugins frr iputils-ping iptables (.ci/run does)"
        )
    probe = f"ehprobe{os.getpid() % 100000}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True, timeout=10)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True, timeout=10)
    return None


def wait_for(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


class Lab:
    """Namespaces, links and daemons for one test; `close()` removes all of them."""

    def __init__(self) -> None:
        self.tag = f"{os.getpid() % 10000}{next(_COUNTER)}"
        self.namespaces: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.root = Path(tempfile.mkdtemp(prefix="eks-hybrid-lab-"))
        self.root.chmod(0o755)  # FRR drops to user frr and must reach its sockets below

    def namespace(self, role: str) -> str:
        name = f"eh{role}{self.tag}"
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, timeout=10)
        self.namespaces.append(name)
        self.ip(name, "link", "set", "lo", "up")
        return name

    def ip(self, namespace: str, *args: str) -> str:
        return self.run(namespace, "ip", *args).stdout

    def run(
        self, namespace: str, *command: str, timeout: float = 30, check: bool = True, env: dict | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["ip", "netns", "exec", namespace, *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} in {namespace} failed: {result.stdout}{result.stderr}")
        return result

    def link(self, a: str, a_addresses: Sequence[str], b: str, b_addresses: Sequence[str]) -> tuple[str, str]:
        """A veth pair between two namespaces, with addresses on each end."""
        n = next(_COUNTER)
        end_a, end_b = f"va{self.tag}{n}", f"vb{self.tag}{n}"
        subprocess.run(
            ["ip", "link", "add", end_a, "type", "veth", "peer", "name", end_b],
            check=True,
            capture_output=True,
            timeout=10,
        )
        for namespace, end, addresses in ((a, end_a, a_addresses), (b, end_b, b_addresses)):
            subprocess.run(["ip", "link", "set", end, "netns", namespace], check=True, timeout=10)
            for address in addresses:
                self.ip(namespace, "address", "add", address, "dev", end)
            self.ip(namespace, "link", "set", end, "up")
        return end_a, end_b

    def stub_network(self, namespace: str, name: str, address: str) -> None:
        """A port-less bridge carrying an address: stands in for a LAN (the kernel has no dummy links)."""
        self.ip(namespace, "link", "add", name, "type", "bridge")
        self.ip(namespace, "address", "add", address, "dev", name)
        self.ip(namespace, "link", "set", name, "up")

    def workdir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(mode=0o755)
        return path

    def start(self, argv: Sequence[str], *, env: dict | None = None, log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(
                list(argv), stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in reversed(self.processes):
            _stop(process)
        for namespace in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a daemon this lab started (and what it spawned): TERM, then KILL, always reaped."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class Charon:
    """One charon in a namespace, driven with swanctl over its own VICI socket."""

    def __init__(self, lab: Lab, namespace: str, name: str, *, route_based: bool = False) -> None:
        self.lab, self.namespace = lab, namespace
        self.dir = lab.workdir(name)
        self.socket = self.dir / "charon.vici"
        self.log = self.dir / "charon.log"
        (self.dir / "run").mkdir()
        for sub in SWANCTL_DIRS:
            (self.dir / sub).mkdir()
        settings = ""
        if route_based:
            # libipsec routes 0/0 into ipsec0 through table 220 even with install_routes = no; a fwmark on
            # charon's own packets makes that rule match nothing (onprem-ipsec-lab.md).
            settings = "install_routes = no\n  plugins { kernel-netlink { fwmark = 0x4242 } }"
        self.conf = self.dir / "strongswan.conf"
        self.conf.write_text(
            f"""charon {{
  load_modular = no
  load = {CHARON_PLUGINS}
  {settings}
  plugins {{
    vici {{
      socket = unix://{self.socket}
    }}
  }}
  filelog {{
    lab {{
      path = {self.log}
      default = 1
      ike = 2
      flush_line = yes
    }}
  }}
}}
swanctl {{
  load = random openssl pem pkcs1 pkcs8 x509 pubkey
}}
"""
        )

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "STRONGSWAN_CONF": str(self.conf)}

    def start(self) -> Charon:
        # charon's pid file path is fixed (/var/run/charon.pid): give it a private /run in its own mount ns.
        script = f"mount --bind {self.dir / 'run'} /run && exec {CHARON}"
        self.lab.start(
            ["ip", "netns", "exec", self.namespace, "sh", "-c", script],
            env=self.env,
            log=self.dir / "stdout.log",
        )
        wait_for(self.socket.exists, 20, f"charon's VICI socket in {self.namespace}")
        return self

    def swanctl(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["swanctl", *args, "--uri", f"unix://{self.socket}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env,
        )

    def load(self, swanctl_conf: str, name: str = "swanctl.conf") -> subprocess.CompletedProcess[str]:
        """Write a swanctl.conf beside this charon (with the credential directories swanctl scans) and
        load every connection and secret of it."""
        path = self.dir / name
        path.write_text(swanctl_conf)
        path.chmod(0o600)
        return self.swanctl("--load-all", "--file", str(path))

    def initiate(self, child: str, timeout: int = 20) -> subprocess.CompletedProcess[str]:
        return self.swanctl("--initiate", "--child", child, "--timeout", str(timeout), timeout=timeout + 10)

    def sas(self) -> str:
        return self.swanctl("--list-sas").stdout

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


class Frr:
    """zebra, staticd and bgpd in a namespace with a private config, pid files and sockets."""

    DAEMONS = ("zebra", "staticd", "bgpd")

    def __init__(self, lab: Lab, namespace: str, name: str, config: str) -> None:
        self.lab, self.namespace = lab, namespace
        self.dir = lab.workdir(name)
        self.config = self.dir / "frr.conf"
        self.config.write_text(config)
        self.zserv = self.dir / "zserv.api"
        shutil.chown(self.dir, "frr", "frr")
        shutil.chown(self.config, "frr", "frr")

    def start(self) -> Frr:
        for daemon in self.DAEMONS:
            argv = [
                "ip", "netns", "exec", self.namespace, str(FRR_DIR / daemon),
                "-u", "frr", "-g", "frr",
                "-f", str(self.config),
                "-i", str(self.dir / f"{daemon}.pid"),
                "-z", str(self.zserv),
                "--vty_socket", str(self.dir),
                "-P", "0",
            ]  # fmt: skip
            self.lab.start(argv, log=self.dir / f"{daemon}.log")
            socket = self.zserv if daemon == "zebra" else self.dir / f"{daemon}.vty"
            wait_for(socket.exists, 20, f"{daemon} in {self.namespace}")
        return self

    def vtysh(self, command: str) -> str:
        result = subprocess.run(
            ["vtysh", "--vty_socket", str(self.dir), "-c", command],
            capture_output=True,
            text=True,
            timeout=20,
        )
        return result.stdout + result.stderr

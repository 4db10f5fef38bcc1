"""Rendered router files against real daemons: strongSwan and FRR in network namespaces.

The on-prem namespace runs exactly the files `eks-hybrid render` wrote (only the tunnels' outside
addresses are swapped for the lab's). The AWS namespace runs a configuration built independently
(`aws_endpoint.py`) from the same tunnel parameters. Layout (onprem-ipsec-lab.md):

    onprem 192.0.2.1/29 ==veth== 192.0.2.2/29 (tunnel 1), 192.0.2.3/29 (tunnel 2) aws
    node CIDR, pod CIDR on stub bridges                          VPC CIDR on a stub bridge
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eks_hybrid.components.network.tunnels import STRONG_PROPOSALS
from eks_hybrid.components.onprem.mtu import TCP_MSS, TUNNEL_MTU
from eks_hybrid.components.onprem.strongswan import UPDOWN_PATH
from eks_hybrid.planner import Planner
from tests.conftest import copy_examples

from .aws_endpoint import WEAK_AWS_DEFAULT, AwsTunnel, aws_frr_conf, aws_swanctl_conf
from .conftest import (
    AUSTIN_OUTPUTS,
    DALLAS_OUTPUTS,
    HUB_OUTPUTS,
    HUB_SITES,
    HUB_SSM_OUTPUTS,
    exported_inventory,
    render,
    render_deployed,
)
from .lab import Charon, Frr, Lab, wait_for

# One xdist worker runs the lab's tests one after another (`--dist loadgroup`): its daemons time their
# handshakes and failover, which another lab's daemons on the same cores would slow.
pytestmark = [pytest.mark.netns, pytest.mark.xdist_group("netns"), pytest.mark.timeout(180)]

STRONG = {
    "encryption": list(STRONG_PROPOSALS.encryption_algorithms),
    "integrity": list(STRONG_PROPOSALS.integrity_algorithms),
    "groups": list(STRONG_PROPOSALS.dh_group_numbers),
}
AWS_ADDRESSES = ("192.0.2.2", "192.0.2.3")
DALLAS_CGW = "203.0.113.10"
AUSTIN_CGW = "198.51.100.30"


def _swap_outside_addresses(text: str, outputs: dict) -> str:
    for tunnel, lab_address in zip(outputs["tunnels"], AWS_ADDRESSES, strict=True):
        text = text.replace(tunnel["outsideAddress"], lab_address)
    return text


def _aws_tunnels(outputs: dict, cgw: str, keys: list[str] | None = None) -> list[AwsTunnel]:
    keys = keys or outputs["tunnelPresharedKeys"]
    return [
        AwsTunnel(f"t{n}", address, cgw, key)
        for n, (address, key) in enumerate(zip(AWS_ADDRESSES, keys, strict=True), 1)
    ]


def _ike_sas(sas: str) -> dict[str, str]:
    """`swanctl --list-sas` output split into one text block per IKE SA, by connection name."""
    blocks: dict[str, str] = {}
    name = ""
    for line in sas.splitlines():
        if line and not line.startswith(" "):
            name = line.split(":", 1)[0]
            blocks[name] = ""
        if name:
            blocks[name] += line + "\n"
    return blocks


def _installed(sas: str, tunnel: str) -> bool:
    block = _ike_sas(sas).get(tunnel, "")
    return ", ESTABLISHED," in block and ", INSTALLED," in block


def _bytes_in(sas: str, tunnel: str, direction: str = "in") -> int:
    block = _ike_sas(sas).get(tunnel, "")
    return sum(
        int(line.split(",")[1].split()[0])
        for line in block.splitlines()
        if line.strip().startswith(f"{direction} ")
    )


@pytest.fixture
def dallas(tmp_path: Path) -> Path:
    return render_deployed(tmp_path, "example-dallas", DALLAS_OUTPUTS, HUB_OUTPUTS)


# Policy-based tunnels need node and pod CIDRs that make one network: dallas with the two halves of a /15.
POLICY_NODE, POLICY_POD, POLICY_LOCAL = "10.210.0.0/16", "10.211.0.0/16", "10.210.0.0/15"


def render_policy_dallas(tmp_path: Path) -> Path:
    """dallas with `policyBased: true` and node and pod CIDRs that make one network, rendered with
    deployed outputs that agree."""

    def hub_edit(config: dict) -> None:
        config["eks-hybrid:sites"]["dallas"] |= {"nodeCidr": POLICY_NODE, "podCidr": POLICY_POD}

    def site_edit(config: dict) -> None:
        config["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["policyBased"] = True

    stacks = copy_examples(tmp_path, {"example-hub": hub_edit, "example-dallas": site_edit})
    sites = {**HUB_SITES, "dallas": {**HUB_SITES["dallas"], "nodeCidr": POLICY_NODE, "podCidr": POLICY_POD}}
    site = {**DALLAS_OUTPUTS, "nodeCidr": POLICY_NODE, "podCidr": POLICY_POD}
    hub = {**HUB_OUTPUTS, **exported_inventory(sites)}
    return render_deployed(tmp_path, "example-dallas", site, hub, stacks_dir=stacks)


@pytest.fixture
def policy_dallas(tmp_path: Path) -> Path:
    return render_policy_dallas(tmp_path)


def _policy_lab(lab: Lab) -> tuple[str, str]:
    onprem, aws = lab.namespace("o"), lab.namespace("a")
    lab.link(onprem, ["192.0.2.1/29"], aws, [f"{a}/29" for a in AWS_ADDRESSES])
    lab.stub_network(onprem, "node", "10.210.0.1/16")
    lab.stub_network(onprem, "pod", "10.211.0.1/16")
    lab.stub_network(aws, "vpc", "10.100.0.10/16")
    return onprem, aws


def _aws_policy_conf(keys: list[str] | None = None, **options: object) -> str:
    """The AWS end of a policy-based VPN connection: its local and remote IPv4 network CIDRs are the
    one selector pair (`siteToSiteVpn.policyBased`)."""
    return aws_swanctl_conf(
        _aws_tunnels(DALLAS_OUTPUTS, DALLAS_CGW, keys),
        **{**STRONG, **options},  # type: ignore[arg-type]
        local_network_cidr=POLICY_LOCAL,
        remote_network_cidr="10.100.0.0/16",
    )


def _ping(lab: Lab, namespace: str, source: str, target: str) -> bool:
    return lab.run(namespace, "ping", "-c", "2", "-W", "2", "-I", source, target, check=False).returncode == 0


@pytest.mark.parametrize(
    ("stack", "deployed"),
    [
        ("example-dallas", None),
        ("example-chicago", None),
        ("example-austin", None),
        ("example-dallas", (DALLAS_OUTPUTS, HUB_OUTPUTS)),
        ("example-austin", (AUSTIN_OUTPUTS, HUB_SSM_OUTPUTS)),
        ("example-dallas", "policyBased"),
    ],
)
def test_rendered_swanctl_conf_parses_and_loads_into_charon(lab, tmp_path, stack, deployed):
    if deployed is None:
        result, out = render(tmp_path, stack)
        assert result.exit_code == 0, result.output
    elif deployed == "policyBased":
        out = render_policy_dallas(tmp_path)
    else:
        out = render_deployed(tmp_path, stack, *deployed)
    charon = Charon(lab, lab.namespace("l"), "charon").start()
    loaded = charon.load((out / "router/swanctl.conf").read_text())
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "successfully loaded 2 connections, 0 unloaded" in loaded.stdout
    assert "loaded ike secret 'ike-aws-tunnel1'" in loaded.stdout
    assert "loaded ike secret 'ike-aws-tunnel2'" in loaded.stdout
    connections = charon.swanctl("--list-conns").stdout
    assert "aws-tunnel1: IKEv2" in connections and "aws-tunnel2: IKEv2" in connections


def test_the_load_check_catches_a_bad_algorithm_and_a_syntax_error(lab, dallas):
    # charon refuses an unknown algorithm; swanctl exits 0 on a syntax error but loads nothing, which is
    # why the test above requires "successfully loaded 2 connections".
    charon = Charon(lab, lab.namespace("l"), "charon").start()
    text = (dallas / "router/swanctl.conf").read_text()
    loaded = charon.load(text.replace("aes256gcm16-prfsha256", "aes999-prfsha256", 1))
    assert loaded.returncode != 0 and "loading connection 'aws-tunnel1' failed" in loaded.stderr
    loaded = charon.load(text.replace("connections {", "connections {{", 1))
    assert "successfully loaded 2 connections" not in loaded.stdout and "syntax error" in loaded.stderr


def _policy_pair(lab: Lab, rendered: Path, aws_conf: str) -> tuple[str, Charon]:
    """The AWS end running `aws_conf`, the on-prem router running the rendered swanctl.conf (whose
    `start_action = start` initiates both tunnels as soon as it is loaded)."""
    onprem, aws = _policy_lab(lab)
    loaded = Charon(lab, aws, "aws").start().load(aws_conf)
    assert loaded.returncode == 0, loaded.stderr
    charon = Charon(lab, onprem, "onprem").start()
    loaded = charon.load(
        _swap_outside_addresses((rendered / "router/swanctl.conf").read_text(), DALLAS_OUTPUTS)
    )
    assert loaded.returncode == 0, loaded.stderr
    return onprem, charon


def test_policy_based_tunnels_carry_node_and_pod_traffic_to_the_vpc_and_fail_over(lab, policy_dallas):
    """`policyBased`: one child SA per tunnel with the one selector pair the VPN connection was created
    with (its local and remote IPv4 network CIDRs, which the AWS end here narrows to)."""
    onprem, charon = _policy_pair(lab, policy_dallas, _aws_policy_conf())

    wait_for(lambda: all(_installed(charon.sas(), t) for t in ("aws-tunnel1", "aws-tunnel2")), 30, "both SAs")
    sas = charon.sas()
    assert sas.count("INSTALLED") == 2, sas  # one child SA per tunnel, as AWS requires
    assert sas.count(f"local  {POLICY_LOCAL}\n") == 2 and sas.count("remote 10.100.0.0/16") == 2
    assert "10.100.0.0/16" in lab.ip(onprem, "route", "show", "table", "220")  # charon's route to the VPC

    assert _ping(lab, onprem, "10.210.0.1", "10.100.0.10"), "node CIDR -> VPC"
    assert _ping(lab, onprem, "10.211.0.1", "10.100.0.10"), "pod CIDR -> VPC"
    carried = {t: _bytes_in(charon.sas(), t) for t in ("aws-tunnel1", "aws-tunnel2")}
    assert sum(carried.values()) > 0, "the pings went through ESP"

    # Take down the tunnel that carries the traffic: the other one takes over.
    carrying = max(carried, key=lambda t: carried[t])
    other = "aws-tunnel2" if carrying == "aws-tunnel1" else "aws-tunnel1"
    assert charon.swanctl("--terminate", "--ike", carrying, "--timeout", "10").returncode == 0
    assert _ping(lab, onprem, "10.210.0.1", "10.100.0.10"), f"traffic over {other} after {carrying} went down"


def test_a_wrong_preshared_key_fails_authentication(lab, policy_dallas):
    keys = ["not.the.right.key_1", DALLAS_OUTPUTS["tunnelPresharedKeys"][1]]
    onprem, charon = _policy_pair(lab, policy_dallas, _aws_policy_conf(keys))
    wait_for(lambda: _installed(charon.sas(), "aws-tunnel2"), 30, "tunnel 2 with the right key")
    wait_for(lambda: "AUTHENTICATION_FAILED" in charon.log_text(), 30, "tunnel 1 to fail authentication")
    assert not _installed(charon.sas(), "aws-tunnel1")
    assert _ping(lab, onprem, "10.210.0.1", "10.100.0.10"), "tunnel 2, with its right key, carries traffic"


def test_aws_weak_default_proposals_do_not_match(lab, policy_dallas):
    _, charon = _policy_pair(lab, policy_dallas, _aws_policy_conf(**WEAK_AWS_DEFAULT))
    wait_for(lambda: charon.log_text().count("NO_PROPOSAL_CHOSEN") >= 2, 30, "both tunnels to be refused")
    assert "ESTABLISHED" not in charon.sas()


def test_a_phase_2_mismatch_leaves_no_child_sa(lab, policy_dallas):
    onprem, charon = _policy_pair(lab, policy_dallas, _aws_policy_conf(phase2_encryption=["AES128"]))
    wait_for(lambda: "NO_PROPOSAL_CHOSEN" in charon.log_text(), 30, "the child SA to be refused")
    assert "INSTALLED" not in charon.sas()
    assert not _ping(lab, onprem, "10.210.0.1", "10.100.0.10")


# A TCP transfer both ways between two namespaces: the server sends SIZE bytes, then the client does; each
# prints the MSS its socket uses (TCP_MAXSEG: the peer's advertised MSS less TCP options such as timestamps).
_SERVER = """
import socket, sys
size, timeout = int(sys.argv[1]), float(sys.argv[2])
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((sys.argv[3], 5001))
listener.listen(1)
print("listening", flush=True)
listener.settimeout(timeout)
conn, _ = listener.accept()
conn.settimeout(timeout)
print("mss", conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG), flush=True)
conn.sendall(b"a" * size)
received = 0
while received < size:
    data = conn.recv(65536)
    if not data:
        break
    received += len(data)
print("received", received, flush=True)
conn.close()
"""
_CLIENT = """
import socket, sys
size, timeout = int(sys.argv[1]), float(sys.argv[2])
conn = socket.create_connection((sys.argv[3], 5001), timeout=timeout)
print("mss", conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG), flush=True)
received = 0
try:
    while received < size:
        data = conn.recv(65536)
        if not data:
            break
        received += len(data)
    print("received", received, flush=True)
    conn.sendall(b"b" * size)
    conn.shutdown(socket.SHUT_WR)
    conn.recv(1)
except TimeoutError:
    print("received", received, flush=True)
"""
TRANSFER_BYTES = 8_000_000


def _transfer(lab: Lab, server: str, address: str, client: str, timeout: float) -> dict[str, dict[str, int]]:
    """Move TRANSFER_BYTES each way over TCP from `server` (listening on `address`) to `client` and back;
    returns each end's MSS and bytes received."""
    args = [str(TRANSFER_BYTES), str(timeout), address]
    listening = subprocess.Popen(
        ["ip", "netns", "exec", server, sys.executable, "-c", _SERVER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert listening.stdout is not None and listening.stdout.readline().strip() == "listening"
        dialled = lab.run(client, sys.executable, "-c", _CLIENT, *args, timeout=4 * timeout + 30, check=False)
        server_out = listening.communicate(timeout=4 * timeout + 30)[0]
    finally:
        if listening.poll() is None:
            listening.kill()
            listening.wait()
    ends = {"server": server_out, "client": dialled.stdout}
    return {
        end: {
            line.split()[0]: int(line.split()[1]) for line in text.splitlines() if line[:3] in ("mss", "rec")
        }
        for end, text in ends.items()
    }


def test_static_routing_is_route_based_by_default(lab, dallas):
    """A static site renders route-based tunnels by default: 0/0 child SAs (AWS's default selectors), and
    the rendered updown hook routes the VPC over tunnel 1 as soon as its SA is up. Node and pod traffic
    and a several-megabyte TCP transfer each way pass through ESP on a 1500-byte path."""
    onprem, aws = lab.namespace("o"), lab.namespace("a")
    lab.link(onprem, ["192.0.2.1/29"], aws, [f"{a}/29" for a in AWS_ADDRESSES])
    lab.stub_network(onprem, "node", "10.200.0.1/16")
    lab.stub_network(onprem, "pod", "192.168.0.1/16")
    lab.stub_network(aws, "vpc", "10.100.0.10/16")
    aws_charon = Charon(lab, aws, "aws", route_based=True).start()
    tunnel_one = _aws_tunnels(DALLAS_OUTPUTS, DALLAS_CGW)[:1]  # libipsec: one 0/0 tunnel per charon
    assert aws_charon.load(aws_swanctl_conf(tunnel_one, **STRONG)).returncode == 0
    for cidr in ("10.200.0.0/16", "192.168.0.0/16"):  # the VPN connection's static routes, AWS side
        lab.ip(aws, "route", "replace", cidr, "dev", "ipsec0")

    # libipsec's TUN device stands in for tunnel 1's XFRM interface, in the updown hook too.
    hook = lab.workdir("hook") / "eks-hybrid-updown.sh"
    hook.write_text((dallas / "router/eks-hybrid-updown.sh").read_text().replace("xfrm-aws1", "ipsec0"))
    rendered = (dallas / "router/swanctl.conf").read_text()
    assert f"updown = {UPDOWN_PATH}" in rendered
    charon = Charon(lab, onprem, "onprem", route_based=True).start()
    conf = _swap_outside_addresses(rendered, DALLAS_OUTPUTS).replace(UPDOWN_PATH, f"sh {hook}")
    assert charon.load(conf).returncode == 0
    wait_for(lambda: _installed(charon.sas(), "aws-tunnel1"), 30, "tunnel 1")
    assert "local  0.0.0.0/0" in charon.sas() and "remote 0.0.0.0/0" in charon.sas()
    wait_for(
        lambda: "10.100.0.0/16 dev ipsec0 scope link metric 100" in lab.ip(onprem, "route"),
        10,
        "the updown hook's route to the VPC over tunnel 1",
    )

    assert _ping(lab, onprem, "10.200.0.1", "10.100.0.10"), "node CIDR -> VPC"
    assert _ping(lab, onprem, "192.168.0.1", "10.100.0.10"), "pod CIDR -> VPC"
    before = _bytes_in(charon.sas(), "aws-tunnel1", "out")
    moved = _transfer(lab, aws, "10.100.0.10", onprem, timeout=10)
    assert moved["client"]["received"] == moved["server"]["received"] == TRANSFER_BYTES, moved
    sent = _bytes_in(charon.sas(), "aws-tunnel1", "out") - before
    assert sent >= TRANSFER_BYTES, "the router's half of the transfer went out through ESP"


def _tunnel_emulation(lab: Lab, out: Path, *, clamp: bool) -> tuple[str, str, str]:
    """node -- router -- tunnel -- aws, with the router running the rendered `router-setup.sh` (without
    its MSS rules unless `clamp`) and updown hook, unchanged.

    The kernel here has no XFRM interfaces, so each tunnel is a veth named as the rendered interface
    (`xfrm-aws1`, `xfrm-aws2`; the setup script then only addresses them and sets their MTU), ending in a
    `tunnel` namespace that forwards to AWS over a 1500-byte link. Its tunnel ends carry the router's
    tunnel MTU, and it sends no ICMP "fragmentation needed": what a tunnel whose ESP packets exceed the
    1500-byte path does when fragments or ICMP are lost on the way, the usual PMTUD black hole."""
    onprem, tunnel, aws, node = (lab.namespace(role) for role in ("o", "t", "a", "n"))
    for number, (aws_end, customer_end) in enumerate(
        (("169.254.10.1", "169.254.10.2"), ("169.254.10.5", "169.254.10.6")), 1
    ):
        subprocess.run(
            ["ip", "link", "add", f"xfrm-aws{number}", "netns", onprem, "type", "veth",
             "peer", "name", f"t{number}", "netns", tunnel],
            check=True, capture_output=True, timeout=10,
        )  # fmt: skip
        lab.ip(tunnel, "address", "add", f"{aws_end}/30", "dev", f"t{number}")
        lab.ip(tunnel, "link", "set", f"t{number}", "mtu", str(TUNNEL_MTU), "up")
        lab.run(tunnel, "sysctl", "-qw", f"net.ipv4.conf.t{number}.proxy_arp=1")  # answers for the VPC
        lab.ip(tunnel, "route", "add", "10.200.0.0/16", "via", customer_end, "metric", str(number))
    lab.link(tunnel, ["192.0.2.1/30"], aws, ["192.0.2.2/30"])
    lab.link(onprem, ["10.200.0.1/16"], node, ["10.200.0.10/16"])
    lab.ip(node, "route", "add", "default", "via", "10.200.0.1")
    lab.stub_network(aws, "vpc", "10.100.0.10/16")
    lab.ip(aws, "route", "add", "10.200.0.0/16", "via", "192.0.2.1")
    lab.run(tunnel, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    lab.ip(tunnel, "route", "add", "10.100.0.0/16", "via", "192.0.2.2")
    lab.run(
        tunnel, "iptables", "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP"
    )

    script = (out / "router/router-setup.sh").read_text()
    if not clamp:
        script = "\n".join(line for line in script.splitlines() if not line.startswith("iptables"))
    lab.run(onprem, "sh", "-c", script)
    for name in ("aws-tunnel1", "aws-tunnel2"):
        lab.run(
            onprem,
            "env",
            "PLUTO_VERB=up-client",
            f"PLUTO_CONNECTION={name}",
            "sh",
            str(out / "router/eks-hybrid-updown.sh"),
        )
    return onprem, aws, node


def test_the_router_setup_clamps_tcp_mss_so_a_large_transfer_crosses_a_black_holed_path(lab, dallas):
    """With the rendered MSS rules the SYNs in both directions carry AWS's 1379, and 8 MB each way cross a
    tunnel path that drops what exceeds it; when tunnel 1's SA goes down the hook moves the route to
    tunnel 2 and traffic follows."""
    onprem, aws, node = _tunnel_emulation(lab, dallas, clamp=True)
    assert lab.run(onprem, "sysctl", "-n", "net.ipv4.ip_forward").stdout.strip() == "1"
    assert lab.run(onprem, "sysctl", "-n", "net.ipv4.conf.all.rp_filter").stdout.strip() == "2"
    assert f"mtu {TUNNEL_MTU} " in lab.ip(onprem, "link", "show", "xfrm-aws1")
    routes = lab.ip(onprem, "route")
    assert "10.100.0.0/16 dev xfrm-aws1 scope link metric 100" in routes
    assert "10.100.0.0/16 dev xfrm-aws2 scope link metric 200" in routes

    moved = _transfer(lab, aws, "10.100.0.10", node, timeout=10)
    assert moved["client"]["received"] == moved["server"]["received"] == TRANSFER_BYTES, moved
    # Each end sends segments no larger than the MSS the other advertised, rewritten to 1379 by the rules
    # (TCP_MAXSEG also leaves out the 12 bytes of timestamps).
    assert all(TCP_MSS - 40 <= end["mss"] <= TCP_MSS for end in moved.values()), moved
    counters = lab.run(onprem, "iptables", "-t", "mangle", "-L", "FORWARD", "-v", "-n", "-x").stdout
    assert [int(line.split()[0]) for line in counters.splitlines() if "TCPMSS" in line] == [1, 1], counters

    hook = str(dallas / "router/eks-hybrid-updown.sh")
    lab.run(onprem, "env", "PLUTO_VERB=down-client", "PLUTO_CONNECTION=aws-tunnel1", "sh", hook)
    assert "xfrm-aws1" not in lab.ip(onprem, "route", "show", "10.100.0.0/16")
    assert _ping(lab, node, "10.200.0.10", "10.100.0.10"), "traffic over tunnel 2 after tunnel 1 went down"
    lab.run(onprem, "env", "PLUTO_VERB=up-client", "PLUTO_CONNECTION=aws-tunnel1", "sh", hook)
    assert "10.100.0.0/16 dev xfrm-aws1 scope link metric 100" in lab.ip(onprem, "route")


def test_without_the_mss_rules_the_same_transfer_stalls(lab, dallas):
    """The control: the same path and files without the MSS rules. The peers agree on 1460-byte segments,
    which the tunnel cannot carry, and nothing tells them (the black hole AWS's advice guards against)."""
    _, aws, node = _tunnel_emulation(lab, dallas, clamp=False)
    started = time.monotonic()
    moved = _transfer(lab, aws, "10.100.0.10", node, timeout=3)
    assert moved["client"]["mss"] > TCP_MSS, moved
    assert moved["client"].get("received", 0) < TRANSFER_BYTES, moved
    assert time.monotonic() - started < 60


def _austin(tmp_path: Path, ipam: str = "clusterPool") -> tuple[Path, dict[str, dict]]:
    """austin rendered with /25 pod blocks (the brief's node advertises one, as Cilium's default mask
    gives), and the Cilium BGP objects applied for it, from the offline plans of the same stacks."""

    def hub_edit(config: dict) -> None:
        config["eks-hybrid:cilium"] |= {"podCidrMaskSize": 25, "ipam": ipam}

    stacks = copy_examples(tmp_path, {"example-hub-ssm": hub_edit})
    planner = Planner(stacks, offline_secrets=True)
    # The hub applies them with multi-pool; with cluster-pool the operator runs on hybrid nodes and
    # austin's own stack applies them.
    objects = {
        resource.inputs["kind"]: resource.inputs
        for stack in ("example-hub-ssm", "example-austin")
        for resource in planner.plan(stack).run.resources
        if ":CiliumBGP" in resource.type and not resource.name.endswith("-seattle-cluster-config")
    }
    hub = {**HUB_SSM_OUTPUTS, "ciliumPodCidrMaskSize": 25, "ciliumIpamMode": ipam}
    out = render_deployed(tmp_path, "example-austin", AUSTIN_OUTPUTS, hub, stacks_dir=stacks)
    return out, objects


@pytest.fixture
def austin(tmp_path: Path) -> Path:
    return _austin(tmp_path)[0]


def _routes(frr: Frr) -> dict:
    return json.loads(frr.vtysh("show ip route json") or "{}")


def _installed_via(routes: dict, prefix: str, protocol: str, nexthop: str) -> bool:
    return any(
        r.get("protocol") == protocol
        and r.get("selected")
        and r.get("installed")
        and any(h.get("ip") == nexthop for h in r.get("nexthops", []))
        for r in routes.get(prefix, [])
    )


def _established(frr: Frr, count: int) -> bool:
    summary = json.loads(frr.vtysh("show bgp summary json") or "{}")
    peers = summary.get("ipv4Unicast", {}).get("peers", {})
    return sum(1 for peer in peers.values() if peer.get("state") == "Established") >= count


NODE = "10.60.0.10"
NODE_BLOCK = "192.168.0.128/25"  # a block of austin's pod CIDR
SEATTLE_BLOCK = "172.24.0.0/25"  # a block of seattle's pod CIDR, which cluster-pool may hand austin's node
NOT_A_POD_BLOCK = "10.99.0.0/24"
WRONG_SIZE = "192.168.1.0/26"


def node_frr(objects: dict[str, dict]) -> str:
    """FRR standing in for Cilium's BGP control plane on one of austin's nodes, configured from the objects
    the hub applies: its ASN (`localASN`), the router's address and ASN, the peer config's timers."""
    [instance] = objects["CiliumBGPClusterConfig"]["spec"]["bgpInstances"]
    [peer] = instance["peers"]
    timers = objects["CiliumBGPPeerConfig"]["spec"]["timers"]
    blocks = (NODE_BLOCK, SEATTLE_BLOCK, NOT_A_POD_BLOCK, WRONG_SIZE)
    return "\n".join(
        [
            "frr defaults traditional",
            "hostname austin-node",
            *(f"ip route {block} blackhole" for block in blocks),
            f"router bgp {instance['localASN']}",
            " no bgp ebgp-requires-policy",
            f" neighbor {peer['peerAddress']} remote-as {peer['peerASN']}",
            f" neighbor {peer['peerAddress']} timers"
            f" {timers['keepAliveTimeSeconds']} {timers['holdTimeSeconds']}",
            " address-family ipv4 unicast",
            *(f"  network {block}" for block in blocks),
            " exit-address-family",
            "exit",
            "",
        ]
    )


@pytest.mark.parametrize("ipam", ["clusterPool", "multiPool"])
def test_bgp_over_a_route_based_tunnel_and_cilium_node_peering(lab, tmp_path, ipam):
    """AWS learns the node and pod CIDRs over tunnel 1; a node (FRR configured from the hub's Cilium BGP
    objects) advertises its /25 pod block, which the router installs. With one pool per site the router
    keeps node blocks from AWS; with cluster-pool over two sites it also accepts a block of seattle's pod
    CIDR and passes every node block on to AWS, which then routes each block to the node's site."""
    austin, objects = _austin(tmp_path, ipam)
    router_address = objects["CiliumBGPClusterConfig"]["spec"]["bgpInstances"][0]["peers"][0]["peerAddress"]
    onprem, aws, node = lab.namespace("o"), lab.namespace("a"), lab.namespace("n")
    lab.link(onprem, ["192.0.2.1/29"], aws, ["192.0.2.2/29"])
    lab.link(onprem, [f"{router_address}/16"], node, [f"{NODE}/16"])  # the site LAN: the node CIDR
    lab.stub_network(aws, "vpc", "10.50.0.10/16")

    aws_charon = Charon(lab, aws, "aws", route_based=True).start()
    tunnel_one = _aws_tunnels(AUSTIN_OUTPUTS, AUSTIN_CGW)[:1]  # libipsec: one 0/0 tunnel per charon
    assert aws_charon.load(aws_swanctl_conf(tunnel_one, **STRONG)).returncode == 0
    charon = Charon(lab, onprem, "onprem", route_based=True).start()
    assert (
        charon.load(
            _swap_outside_addresses((austin / "router/swanctl.conf").read_text(), AUSTIN_OUTPUTS)
        ).returncode
        == 0
    )
    wait_for(lambda: _installed(charon.sas(), "aws-tunnel1"), 30, "tunnel 1")
    assert "local  0.0.0.0/0" in charon.sas()
    # The inside addresses go on libipsec's TUN device (on a real router: the XFRM interface of the README).
    tunnel = AUSTIN_OUTPUTS["tunnels"][0]
    lab.ip(onprem, "address", "add", f"{tunnel['customerInsideAddress']}/30", "dev", "ipsec0")
    lab.ip(aws, "address", "add", f"{tunnel['awsInsideAddress']}/30", "dev", "ipsec0")

    aws_frr = Frr(
        lab,
        aws,
        "frr-aws",
        aws_frr_conf(
            amazon_asn=64520, neighbors=[(tunnel["customerInsideAddress"], 65030)], vpc_cidr="10.50.0.0/16"
        ),
    ).start()
    router = Frr(lab, onprem, "frr-onprem", (austin / "router/frr.conf").read_text()).start()
    node_frr_daemons = Frr(lab, node, "frr-node", node_frr(objects)).start()
    wait_for(lambda: _established(aws_frr, 1), 45, "BGP between AWS and the router")
    wait_for(lambda: _established(node_frr_daemons, 1), 45, "BGP between the node and the router")

    customer = tunnel["customerInsideAddress"]
    wait_for(
        lambda: _installed_via(_routes(aws_frr), "192.168.0.0/17", "bgp", customer), 30, "pod CIDR at AWS"
    )
    wait_for(lambda: _installed_via(_routes(router), NODE_BLOCK, "bgp", NODE), 30, "node block")
    router_routes = _routes(router)
    assert _installed_via(router_routes, "10.50.0.0/16", "bgp", tunnel["awsInsideAddress"])
    assert NOT_A_POD_BLOCK not in router_routes, "only blocks of the pool's CIDRs are accepted from nodes"
    assert WRONG_SIZE not in router_routes, "only blocks of the per-node size are accepted"
    kernel = lab.ip(onprem, "route")
    assert f"{NODE_BLOCK} nhid" in kernel or f"{NODE_BLOCK} via {NODE}" in kernel

    aws_routes = _routes(aws_frr)
    assert _installed_via(aws_routes, "10.60.0.0/16", "bgp", customer), aws_routes.keys()
    assert "10.60.0.0/16 nhid" in lab.ip(aws, "route") or "10.60.0.0/16 via" in lab.ip(aws, "route")
    if ipam == "clusterPool":
        assert _installed_via(router_routes, SEATTLE_BLOCK, "bgp", NODE), "any block of the cluster pool"
        for block in (NODE_BLOCK, SEATTLE_BLOCK):
            wait_for(
                lambda b=block: _installed_via(_routes(aws_frr), b, "bgp", customer), 30, f"{block} at AWS"
            )
    else:
        assert SEATTLE_BLOCK not in router_routes, "one pool per site: only the site's own pod CIDR"
        assert NODE_BLOCK not in aws_routes, "AWS gets the pod CIDR as one aggregate, never node blocks"
    # What the router's outbound policy sends AWS, whatever has arrived there yet.
    advertised = json.loads(
        router.vtysh(f"show ip bgp neighbors {tunnel['awsInsideAddress']} advertised-routes json") or "{}"
    )
    blocks = {NODE_BLOCK, SEATTLE_BLOCK} if ipam == "clusterPool" else set()
    assert set(advertised.get("advertisedRoutes", {})) == {"10.60.0.0/16", "192.168.0.0/17"} | blocks

    assert _ping(lab, onprem, router_address, "10.50.0.10"), "node CIDR -> VPC over the BGP route"


def test_rendered_frr_confs_pass_vtysh_dryrun(tmp_path, austin, netns_unavailable):
    if shutil.which("vtysh") is None:
        pytest.skip("vtysh is not installed (.ci/run installs frr)")
    stacks = tmp_path / "stacks"
    site = stacks / "Pulumi.example-austin.yaml"
    site.write_text(site.read_text().replace("routing: bgp", "routing: static"))
    # A statically routed site needs a pod pool of its own (cluster-pool is correct only with BGP everywhere).
    hub = stacks / "Pulumi.example-hub-ssm.yaml"
    hub.write_text(hub.read_text().replace("ipam: clusterPool", "ipam: multiPool"))
    result, static_out = render(tmp_path / "static", "example-austin", stacks_dir=stacks)
    assert result.exit_code == 0, result.output
    result, denver = render(tmp_path / "denver", "example-denver")  # Direct Connect and Cilium BGP
    assert result.exit_code == 0, result.output
    # The private VIF's values, as a user copies them from `aws directconnect describe-virtual-interfaces`.
    vif = {
        "<DX_VLAN>": "101",
        "<DX_CUSTOMER_ADDRESS>": "169.254.255.2",
        "<DX_AMAZON_ADDRESS>": "169.254.255.1",
        "<DX_GATEWAY_ASN>": "64600",
        "<DX_BGP_AUTH_KEY>": "0xExampleMd5Key",
    }
    filled = (denver / "router/frr.conf").read_text()
    for token, value in vif.items():
        filled = filled.replace(token, value)
    (tmp_path / "denver-filled.conf").write_text(filled)
    assert " neighbor 169.254.255.1 peer-group AWS" in filled and "remote-as 64600" in filled
    for conf in (
        austin / "router/frr.conf",
        static_out / "router/frr.conf",
        tmp_path / "denver-filled.conf",
    ):
        checked = subprocess.run(
            ["vtysh", "--dryrun", "-f", str(conf)], capture_output=True, text=True, timeout=30
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "listen range" in (static_out / "router/frr.conf").read_text()
    assert " bgp listen limit 100" in (static_out / "router/frr.conf").read_text()
    unfilled = subprocess.run(
        ["vtysh", "--dryrun", "-f", str(denver / "router/frr.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert unfilled.returncode != 0, "a file still holding the VIF's placeholders must not load"
    broken = tmp_path / "broken.conf"
    broken.write_text(
        (austin / "router/frr.conf").read_text().replace("ip route 10.60.0.0/16", "ip route 10.60.0.0/33")
    )
    checked = subprocess.run(
        ["vtysh", "--dryrun", "-f", str(broken)], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode != 0, "the dry run must catch a bad prefix"


FAKE_KUBECTL = """#!/bin/sh
cat {listing}
"""


def test_pod_routes_script_keeps_one_route_per_node_block(lab, tmp_path, dallas):
    onprem = lab.namespace("o")
    lab.stub_network(onprem, "node", "10.200.0.1/16")
    listing = tmp_path / "ciliumnodes.txt"
    kubectl = tmp_path / "kubectl"
    kubectl.write_text(FAKE_KUBECTL.format(listing=listing))
    kubectl.chmod(0o755)
    script = str(dallas / "router/pod-routes.sh")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "KUBECTL": str(kubectl)}

    # What the jsonpath prints: "<InternalIPs> | <blocks>" per CiliumNode (cluster-pool, then multi-pool).
    listing.write_text(
        "10.200.0.11 fd00::11 | 192.168.0.0/25 \n10.200.0.12 | 192.168.0.128/25 192.168.1.0/25\n | \n"
    )
    lab.run(onprem, "sh", script, env=env)
    routes = lab.ip(onprem, "route", "show", "proto", "187")
    assert "192.168.0.0/25 via 10.200.0.11" in routes
    assert "192.168.0.128/25 via 10.200.0.12" in routes and "192.168.1.0/25 via 10.200.0.12" in routes

    lab.ip(onprem, "route", "add", "10.9.0.0/16", "via", "10.200.0.99")  # someone else's route
    listing.write_text("10.200.0.12 | 192.168.0.128/25\n")  # one node left
    lab.run(onprem, "sh", script, env=env)
    routes = lab.ip(onprem, "route", "show", "proto", "187")
    assert routes.strip() == "192.168.0.128/25 via 10.200.0.12 dev node"
    assert "10.9.0.0/16 via 10.200.0.99" in lab.ip(onprem, "route")

    kubectl.write_text("#!/bin/sh\necho 'Unable to connect to the server' >&2\nexit 1\n")
    failed = lab.run(onprem, "sh", script, env=env, check=False)
    assert failed.returncode == 1 and "routes left as they are" in failed.stderr
    assert "192.168.0.128/25 via 10.200.0.12" in lab.ip(onprem, "route", "show", "proto", "187")

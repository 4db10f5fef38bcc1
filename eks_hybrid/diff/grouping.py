"""Changes shown together: a Site-to-Site VPN connection's tunnel crypto options as one line a tunnel.

A VPN connection declares each tunnel's IKE versions and, for phase 1 and phase 2, encryption and integrity
algorithms, Diffie-Hellman groups and lifetime: `tunnel1IkeVersions`, `tunnel1Phase1EncryptionAlgorithms`,
... (the inputs of pulumi-aws `aws.ec2.VpnConnection`, the `TunnelOptions` of AWS's
`ModifyVpnTunnelOptions` API). A new site's connection sets all eighteen: a reviewer reads them as one
proposal a tunnel, so text and Markdown diffs show each set that a change adds or removes whole as one line
(both tunnels share one when they agree). Changed values stay one line each: a change to one algorithm list
is what a reviewer must see. JSON diffs keep every change as it is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .values import MISSING, Change

VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
_CRYPTO = re.compile(
    r"^tunnel(?P<tunnel>[12])(?:IkeVersions|Phase(?P<phase>[12])"
    r"(?P<part>EncryptionAlgorithms|IntegrityAlgorithms|DhGroupNumbers|LifetimeSeconds))$"
)
_PARTS = ("EncryptionAlgorithms", "IntegrityAlgorithms", "DhGroupNumbers", "LifetimeSeconds")


def _items(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else json.dumps(value)


def _summary(options: dict[str, Any]) -> str:
    """`IKE ikev2; phase 1 AES256-GCM-16, AES256 / SHA2-256 / DH 14, 19 / 28800 s; phase 2 ...`."""
    parts = []
    if "IkeVersions" in options:
        parts.append(f"IKE {_items(options['IkeVersions'])}")
    for phase in ("1", "2"):
        shown = []
        for part in _PARTS:
            value = options.get(f"Phase{phase}{part}", MISSING)
            if value is MISSING:
                continue
            if part == "DhGroupNumbers":
                shown.append(f"DH {_items(value)}")
            elif part == "LifetimeSeconds":
                shown.append(f"{value} s")
            else:
                shown.append(_items(value))
        if shown:
            parts.append(f"phase {phase} " + " / ".join(shown))
    return "; ".join(parts)


def group_tunnel_crypto(type_token: str, changes: list[Change]) -> list[Change]:
    """`changes` with the tunnel crypto options a VPN connection adds (or loses) whole grouped: one
    `tunnel1, tunnel2 crypto` change when both tunnels' sets agree, else one a tunnel."""
    if type_token != VPN_CONNECTION:
        return changes
    grouped: list[Change] = []
    for kind in ("added", "removed"):
        tunnels: dict[str, dict[str, Any]] = {}
        for change in changes:
            match = _CRYPTO.match(change.path)
            if match and change.kind == kind:
                option = change.path.removeprefix(f"tunnel{match['tunnel']}")
                tunnels.setdefault(match["tunnel"], {})[option] = (
                    change.new if kind == "added" else change.old
                )
        if sum(len(options) for options in tunnels.values()) < 2:
            continue
        summaries = {tunnel: _summary(options) for tunnel, options in sorted(tunnels.items())}
        if len(set(summaries.values())) == 1:
            names = ", ".join(f"tunnel{t}" for t in summaries)
            groups = [(f"{names} crypto", next(iter(summaries.values())))]
        else:
            groups = [(f"tunnel{t} crypto", summary) for t, summary in summaries.items()]
        for path, summary in groups:
            grouped.append(Change(path, kind, **({"new": summary} if kind == "added" else {"old": summary})))
    if not grouped:
        return changes
    members = {
        (c.path, c.kind) for c in changes if _CRYPTO.match(c.path) and c.kind in {g.kind for g in grouped}
    }
    out: list[Change] = []
    placed = False
    for change in changes:
        if (change.path, change.kind) in members:
            if not placed:
                out += grouped
                placed = True
            continue
        out.append(change)
    return out

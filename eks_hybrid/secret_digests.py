"""Which config secrets a stack file holds, and a digest of each one's ciphertext.

A plan never decrypts a secret, so it cannot tell a rotated pre-shared key from the old one by value. The
stack file can: `pulumi config set --secret` writes a new ciphertext (`secure: v1:...`). The digest of that
ciphertext (which is in the repository already, so hashing it reveals nothing) changes when the secret is
set again, and a diff reports it as rotated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any


def _walk(value: Any, path: str, found: dict[str, str]) -> None:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            digest = hashlib.sha256(str(value["secure"]).encode()).hexdigest()[:16]
            found[path] = f"sha256:{digest}"
            return
        for key, item in value.items():
            _walk(item, f"{path}.{key}" if path else str(key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", found)


def secret_digests(config: Mapping[str, Any]) -> dict[str, str]:
    """`{"eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[0].presharedKey": "sha256:..."}`, from a stack
    file's `config:` mapping as written (`StackFile.written`: the file the planner read, not read again)."""
    found: dict[str, str] = {}
    _walk(dict(config), "", found)
    return dict(sorted(found.items()))

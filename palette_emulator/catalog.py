"""The emulator's pack registries and packs, in the spec's shapes (`v1RegistryMetadata`, `v1PackTagEntity`).

Seeded with the packs a hybrid-pool profile uses (Spectro's EKS Hybrid Nodes docs): the BYOS Edge OS layer
`edge-native-byoi`, the Nodeadm Kubernetes layer `edge-nodeadm` and the placeholder CNI `cni-custom`. The
names and tags follow the docs and CanvOS's `k8s_version.json` (nodeadm 1.29.0, 1.30.0, 1.31.0), plus the
`.0` release of each Kubernetes version EKS supports today (1.32 to 1.36, `components/domain/versions.py`):
that Palette publishes a Nodeadm pack for each is inferred from its docs ("the same versions as AWS"), not
read from a registry; the pack
default values are modelled on the docs (the Custom CNI ships `custom-cni: calico`, which the docs tell you to
change to `dummy`) and are the emulator's, not copies of Spectro's packs. A real tenant's registry is the
judge: see docs/concepts/palette.md for how a layer's registry is chosen.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PUBLIC_REPO", "Catalog", "PackVersion", "default_catalog"]

PUBLIC_REPO = "Public Repo"


def _uid(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class PackVersion:
    tag: str
    values: str

    def uid(self, registry_uid: str, name: str) -> str:
        return _uid("pack", registry_uid, name, self.tag)


@dataclass
class Catalog:
    """Registries by uid, and packs by (registry uid, pack name)."""

    registries: dict[str, dict[str, Any]] = field(default_factory=dict)
    packs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add_registry(self, name: str, *, kind: str = "spectro", is_default: bool = False) -> str:
        uid = _uid("registry", name)
        self.registries[uid] = {
            "uid": uid,
            "name": name,
            "kind": kind,
            "scope": "system",
            "isDefault": is_default,
            "isPrivate": False,
        }
        return uid

    def add_pack(
        self, registry_uid: str, name: str, layer: str, versions: list[PackVersion], display: str
    ) -> None:
        self.packs[(registry_uid, name)] = {
            "name": name,
            "displayName": display,
            "layer": layer,
            "cloudTypes": ["edge-native"],
            "registryUid": registry_uid,
            "tags": [
                {"tag": v.tag, "version": v.tag, "packUid": v.uid(registry_uid, name)} for v in versions
            ],
            "packValues": [{"packUid": v.uid(registry_uid, name), "values": v.values} for v in versions],
        }

    def registry_list(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(r) for r in sorted(self.registries.values(), key=lambda r: r["name"])]

    def pack(self, registry_uid: str, name: str) -> dict[str, Any] | None:
        found = self.packs.get((registry_uid, name))
        return copy.deepcopy(found) if found else None

    def pack_uid(self, registry_uid: str, name: str, tag: str) -> str | None:
        """The pack uid of `name` at `tag` (its version or tag) in a registry; None when absent."""
        pack = self.packs.get((registry_uid, name))
        for entry in (pack or {}).get("tags", []):
            if tag in (entry["version"], entry["tag"]):
                return str(entry["packUid"])
        return None


# The BYOS Edge OS pack's defaults carry the provider image as the dotted key `system.uri` under `options`,
# as Spectro's docs write the pack's values (eks-hybrid-nodes/create-hybrid-node-pools.md, step 8) and CanvOS
# prints them (`earthly.sh` `print_os_pack`). The empty image is inferred [I]: no source shows the pack's
# untouched defaults.
BYOI_VALUES = """\
pack:
  content:
    images:
      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'
options:
  system.uri: ""
"""

NODEADM_VALUES = """\
# spectrocloud.com/enabled-presets: Mode:appliance
pack:
  namespace: kube-system
nodeadm:
  kubelet:
    config:
      shutdownGracePeriod: 30s
    flags: []
  containerd:
    config: ""
"""

CUSTOM_CNI_VALUES = """\
manifests:
  byo-cni:
    contents:
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: custom-cni
      data:
        custom-cni: calico
"""


def default_catalog() -> Catalog:
    catalog = Catalog()
    public = catalog.add_registry(PUBLIC_REPO, is_default=True)
    catalog.add_pack(
        public,
        "edge-native-byoi",
        "os",
        [PackVersion("1.0.0", BYOI_VALUES), PackVersion("2.1.0", BYOI_VALUES)],
        "BYOS - Edge OS",
    )
    catalog.add_pack(
        public,
        "edge-nodeadm",
        "k8s",
        [
            PackVersion(v, NODEADM_VALUES)
            for v in ("1.29.0", "1.30.0", "1.31.0", "1.32.0", "1.33.0", "1.34.0", "1.35.0", "1.36.0")
        ],
        "Nodeadm",
    )
    catalog.add_pack(public, "cni-custom", "cni", [PackVersion("0.1.0", CUSTOM_CNI_VALUES)], "Custom CNI")
    # A second registry, so tests can tell "by name" from "by uid" and a pack missing from a registry.
    mirror = catalog.add_registry("Edge Mirror", kind="oci")
    catalog.add_pack(mirror, "edge-native-byoi", "os", [PackVersion("2.1.0", BYOI_VALUES)], "BYOS - Edge OS")
    return catalog

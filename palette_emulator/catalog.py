"""The emulator's pack registries and packs, in the spec's shapes (`v1RegistryMetadata`, `v1PackTagEntity`).

Seeded with the packs a hybrid-pool profile uses (Spectro's EKS Hybrid Nodes docs): the BYOS Edge OS layer
`edge-native-byoi`, the Nodeadm Kubernetes layer `edge-nodeadm` and the placeholder CNI `cni-custom`. The
Nodeadm versions are exactly those public sources list, each with its source
(`eks_hybrid.components.domain.versions.NODEADM_PACKS`: Spectro's docs list 1.28.0-1.31.0, CanvOS's
`k8s_version.json` 1.29.0-1.32.0); the emulator invents none. The pack default values are modelled on the
docs (the Custom CNI ships `custom-cni: calico`, which the docs tell you to change to `dummy`) and are the
emulator's, not copies of Spectro's packs. A real tenant's registry is the judge: see docs/concepts/palette.md
for how a layer's registry is chosen.

Registries carry their `kind` as the spec names them (`v1PackRegistryMetadata.kind`: `pack`, `helm`, `oci`).
Spectro's registry docs ("Default Registries", `registries-and-packs/registries/registries.md`) list Public
Repo as a legacy pack registry and Palette Registry FIPS as OCI, the only default registry of Palette
VerteX (`vertex_catalog`).
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

from eks_hybrid.components.domain.versions import NODEADM_PACKS

__all__ = [
    "PALETTE_REGISTRY_FIPS",
    "PUBLIC_REPO",
    "Catalog",
    "PackVersion",
    "default_catalog",
    "vertex_catalog",
]

PUBLIC_REPO = "Public Repo"
PALETTE_REGISTRY_FIPS = "Palette Registry FIPS"
# `v1PackRegistryMetadata.kind` values (SPEC): a legacy pack registry, and an OCI registry.
PACK_REGISTRY = "pack"
OCI_REGISTRY = "oci"


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

    def add_registry(self, name: str, *, kind: str = PACK_REGISTRY, is_default: bool = False) -> str:
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

    def kind(self, registry_uid: str) -> str:
        return str(self.registries[registry_uid]["kind"])

    def pack(self, registry_uid: str, name: str, cloud_type: str = "all") -> dict[str, Any] | None:
        """The pack's `v1PackTagEntity`; None when absent, or not built for `cloud_type` (the spec's
        `cloudType` query parameter, default `all`; that Palette then answers 404 is inferred [I])."""
        found = self.packs.get((registry_uid, name))
        if found is None or cloud_type not in ("all", *found["cloudTypes"]):
            return None
        return copy.deepcopy(found)

    def pack_uid(self, registry_uid: str, name: str, tag: str) -> str | None:
        """The pack uid of `name` whose `tags[].version` is `tag`, in a registry; None when absent. Only the
        version matches, as in the Terraform provider's `resolvePackUID` (`resource_cluster_profile.go`:
        `packTag.Version == tag`); a `tags[].tag` (e.g. `1.31.x`) does not [I: Palette's own matching is not
        public]."""
        pack = self.packs.get((registry_uid, name))
        for entry in (pack or {}).get("tags", []):
            if entry["version"] == tag:
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


def _hybrid_packs(catalog: Catalog, registry: str) -> None:
    catalog.add_pack(
        registry,
        "edge-native-byoi",
        "os",
        [PackVersion("1.0.0", BYOI_VALUES), PackVersion("2.1.0", BYOI_VALUES)],
        "BYOS - Edge OS",
    )
    catalog.add_pack(
        registry,
        "edge-nodeadm",
        "k8s",
        [PackVersion(p.version, NODEADM_VALUES) for p in NODEADM_PACKS],
        "Nodeadm",
    )
    catalog.add_pack(registry, "cni-custom", "cni", [PackVersion("0.1.0", CUSTOM_CNI_VALUES)], "Custom CNI")


def default_catalog() -> Catalog:
    """Palette SaaS: the hybrid packs in Public Repo (a legacy pack registry)."""
    catalog = Catalog()
    _hybrid_packs(catalog, catalog.add_registry(PUBLIC_REPO, is_default=True))
    # A second registry, so tests can tell "by name" from "by uid" and a pack missing from a registry.
    mirror = catalog.add_registry("Edge Mirror", kind=OCI_REGISTRY)
    catalog.add_pack(mirror, "edge-native-byoi", "os", [PackVersion("2.1.0", BYOI_VALUES)], "BYOS - Edge OS")
    return catalog


def vertex_catalog() -> Catalog:
    """Palette VerteX: one default registry, the OCI Palette Registry FIPS (Spectro's registry docs). That it
    carries the three hybrid packs, at the same versions as Public Repo, is inferred [I]."""
    catalog = Catalog()
    _hybrid_packs(catalog, catalog.add_registry(PALETTE_REGISTRY_FIPS, kind=OCI_REGISTRY, is_default=True))
    return catalog

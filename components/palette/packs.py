"""Pack resolution for the hybrid pools' cluster profile: pure functions, no I/O.

Real Palette resolves a profile's packs by registry. The Terraform provider refuses a pack without `uid`
or `registry_uid` and looks the uid up (`resolvePackUID` in `spectrocloud/resource_cluster_profile.go`):
`GET /v1/registries/metadata` to find the registry (by name, as the SDK's `GetPackRegistryCommonByName`,
which fails on zero or several matches), then `GET /v1/packs/{name}/registries/{registryUid}` and the tag
whose `version` equals the pack's tag. The pack's own default values come back in the same answer
(`packValues[].values` for that `packUid`); ours are merged over them (`merge_values`).

A pack's `type` follows its registry's `kind` in that listing: the Terraform provider's pack schema says "If
using an OCI registry for pack, set the type to `oci`" (`spectrocloud/schemas/pack.go`, `type`), and the
spec names the registry kinds `pack`, `helm` and `oci` (`v1PackRegistryMetadata.kind`). Spectro's registry
docs ("Default Registries", `registries-and-packs/registries/registries.md`) list Public Repo as a legacy
pack registry and Palette Registry, Palette Registry FIPS and Palette Community Registry as OCI; Palette
VerteX ships only the FIPS OCI registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from ..codes import Code
from ..domain.palette import PaletteProfileConfig, ProfileLayer
from ..errors import EksHybridError

__all__ = [
    "SYSTEM_URI",
    "LayerSpec",
    "PackResolutionError",
    "ResolvedPack",
    "layer_specs",
    "merge_values",
    "pack_type",
    "pick_registry",
    "pick_version",
    "system_uri_dotted",
]

# `v1PackType` of a pack from a registry that is not OCI (the spec's default type).
SPECTRO_PACK = "spectro"

# Markers Palette keeps in a pack's values as comments (e.g. `# spectrocloud.com/enabled-presets: ...`).
MARKER_PREFIX = "# spectrocloud.com/"


class PackResolutionError(EksHybridError, ValueError):
    """A layer's registry, pack or version does not exist; the message names the layer and config key."""

    code = Code.PACK_RESOLUTION


@dataclass(frozen=True)
class LayerSpec:
    """One profile layer as configured: which pack at which tag, from which registry, with our values."""

    key: str  # the config key: os | kubernetes | cni
    layer: str  # Palette's layer: os | k8s | cni
    pack: str
    tag: str
    registry: Mapping[str, str]  # {"name": ...} or {"uid": ...}
    overlay: Mapping[str, Any]

    @property
    def where(self) -> str:
        return f"profile layer {self.key} (eks-hybrid:palette.profile.{self.key})"


@dataclass(frozen=True)
class ResolvedPack:
    """A layer's pack as Palette knows it: registry uid, pack uid, and the values to send."""

    layer: str
    name: str
    tag: str
    registry_uid: str
    uid: str
    values: str
    type: str = SPECTRO_PACK  # `v1PackType`: `oci` for a pack from an OCI registry (`pack_type`)

    def entity(self) -> dict[str, Any]:
        """`v1PackManifestEntity` / `v1PackManifestUpdateEntity` (the same fields for both pack types)."""
        return {
            "name": self.name,
            "tag": self.tag,
            "type": self.type,
            "layer": self.layer,
            "registryUid": self.registry_uid,
            "uid": self.uid,
            "values": self.values,
        }


# The BYOS Edge OS pack's provider image is one key spelled with a dot under `options`, not a nested
# `system: {uri: ...}`: Spectro's docs (eks-hybrid-nodes/create-hybrid-node-pools.md, step 8:
# `options:` / `system.uri: "example.io/edge-hosts/ubuntu:nodeadm-1.30.0-v4.5.21-eks-hybrid"`; the repave
# section: "Edit the `options.system.uri`"), CanvOS (`earthly.sh` `print_os_pack`: `system.uri`,
# `system.registry`, ... under `options:`) and the pack's own macro
# `{{.spectro.pack.edge-native-byoi.options.system.uri}}`.
SYSTEM_URI = "system.uri"


def os_overlay(provider_image: str) -> dict[str, Any]:
    """The BYOS Edge OS layer pointing at the EdgeForge provider image (Spectro's Appliance Mode docs)."""
    return {
        "pack": {"content": {"images": [{"image": "{{.spectro.pack.edge-native-byoi.options.system.uri}}"}]}},
        "options": {SYSTEM_URI: provider_image},
    }


def system_uri_dotted(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with a nested `options.system.uri` moved to the dotted key `options["system.uri"]` (an
    existing dotted key wins only when no nested one is given), and `options.system` dropped once empty, so
    a merge never carries both spellings. Anything else is unchanged."""
    options = values.get("options")
    if not isinstance(options, Mapping):
        return dict(values)
    nested = options.get("system")
    if not isinstance(nested, Mapping) or "uri" not in nested:
        return dict(values)
    moved = {k: v for k, v in options.items() if k != "system"}
    rest = {k: v for k, v in nested.items() if k != "uri"}
    if rest:
        moved["system"] = rest
    moved[SYSTEM_URI] = nested["uri"]
    return {**values, "options": moved}


# The Custom CNI layer is a placeholder: the docs say to set `custom-cni` from `calico` to `dummy`, because
# the real CNI is the Cilium add-on on the EKS cluster.
CNI_OVERLAY: dict[str, Any] = {"manifests": {"byo-cni": {"contents": {"data": {"custom-cni": "dummy"}}}}}


def _deep(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep(out[key], value)
        else:
            out[key] = value
    return out


def layer_specs(profile: PaletteProfileConfig) -> list[LayerSpec]:
    """The three layers of a hybrid-pool profile, in Palette's layer order (os, k8s, cni)."""

    def spec(
        key: str, layer: str, pack: str, tag: str, config: ProfileLayer, ours: Mapping[str, Any]
    ) -> LayerSpec:
        return LayerSpec(
            key, layer, pack, tag, config.registry, _deep(ours, system_uri_dotted(config.values))
        )

    return [
        spec("os", "os", profile.os.pack, profile.os.tag, profile.os, os_overlay(profile.os.provider_image)),
        spec(
            "kubernetes", "k8s", profile.kubernetes.pack, profile.kubernetes.version, profile.kubernetes, {}
        ),
        spec("cni", "cni", profile.cni.pack, profile.cni.tag, profile.cni, CNI_OVERLAY),
    ]


def merge_values(defaults: str, overlay: Mapping[str, Any]) -> str:
    """The pack's default values (YAML text) with `overlay` deep-merged over them: mappings merge key by
    key, anything else (lists, scalars) from the overlay replaces. Palette's marker comments at the top of
    the defaults (`# spectrocloud.com/...`) are kept; other comments do not survive the merge. No overlay
    returns the defaults verbatim. A nested `options.system.uri` on either side is read as the dotted key
    (`system_uri_dotted`), so the result holds one provider image, the overlay's."""
    if not overlay:
        return defaults
    parsed = yaml.safe_load(defaults) if defaults.strip() else {}
    if parsed is None:
        parsed = {}
    if not isinstance(parsed, Mapping):
        raise PackResolutionError(
            "the pack's default values are not a YAML mapping", code=Code.PACK_VALUES_NOT_MAPPING
        )
    merged = yaml.safe_dump(
        _deep(system_uri_dotted(parsed), system_uri_dotted(overlay)),
        sort_keys=False,
        default_flow_style=False,
    )
    markers = [line for line in defaults.splitlines() if line.startswith(MARKER_PREFIX)]
    return "".join(f"{line}\n" for line in markers) + merged


def pick_registry(registries: Sequence[Mapping[str, Any]], spec: LayerSpec) -> str:
    """The uid of the registry `spec` names (by uid or by a name that must match exactly one)."""
    if "uid" in spec.registry:
        uid = spec.registry["uid"]
        if not any(r.get("uid") == uid for r in registries):
            raise PackResolutionError(
                f"{spec.where}: no pack registry has uid {uid!r}{_known(registries)}",
                code=Code.PACK_REGISTRY_NOT_FOUND,
            )
        return uid
    name = spec.registry["name"]
    matches = [str(r.get("uid")) for r in registries if r.get("name") == name]
    if not matches:
        raise PackResolutionError(
            f"{spec.where}: no pack registry is named {name!r}{_known(registries)}",
            code=Code.PACK_REGISTRY_NOT_FOUND,
        )
    if len(matches) > 1:
        raise PackResolutionError(
            f"{spec.where}: {len(matches)} pack registries are named {name!r} ({', '.join(matches)}):"
            " give registryUid instead",
            code=Code.PACK_REGISTRY_AMBIGUOUS,
        )
    return matches[0]


# `v1PackRegistryMetadata.kind` -> `v1PackType`. A registry of any other kind (`pack`, or none given) holds
# Spectro packs, the spec's default pack type.
_TYPE_BY_KIND = {"oci": "oci"}


def pack_type(registries: Sequence[Mapping[str, Any]], registry_uid: str) -> str:
    """The `type` a pack from registry `registry_uid` is sent with: `oci` from an OCI registry, else
    `spectro` (TF `schemas/pack.go`: "If using an OCI registry for pack, set the type to `oci`")."""
    kind = next((str(r.get("kind") or "") for r in registries if r.get("uid") == registry_uid), "")
    return _TYPE_BY_KIND.get(kind.lower(), SPECTRO_PACK)


def _known(registries: Sequence[Mapping[str, Any]]) -> str:
    names = sorted(f"{r.get('name')} ({r.get('uid')})" for r in registries)
    return f" (registries: {', '.join(names)})" if names else " (Palette lists no registries)"


def pick_version(
    pack: Mapping[str, Any] | None, spec: LayerSpec, registry_uid: str, type_: str = SPECTRO_PACK
) -> ResolvedPack:
    """The pack uid of `spec.tag` in `pack` (`v1PackTagEntity`, None when the registry has no such pack),
    and our values merged over that version's defaults; `type_` is the registry's (`pack_type`)."""
    if pack is None:
        raise PackResolutionError(
            f"{spec.where}: registry {registry_uid} has no pack named {spec.pack!r}"
            f" (set eks-hybrid:palette.profile.{spec.key}.pack, or registryName/registryUid)",
            code=Code.PACK_NOT_FOUND,
        )
    tags = list(pack.get("tags") or [])
    found = next((t for t in tags if t.get("version") == spec.tag), None)
    if found is None or not found.get("packUid"):
        versions = ", ".join(sorted({str(t.get("version")) for t in tags})) or "none"
        raise PackResolutionError(
            f"{spec.where}: pack {spec.pack!r} has no version {spec.tag!r} in registry {registry_uid}"
            f" (versions there: {versions})",
            code=Code.PACK_VERSION_NOT_FOUND,
        )
    uid = str(found["packUid"])
    defaults = next(
        (str(v.get("values") or "") for v in pack.get("packValues") or [] if v.get("packUid") == uid), ""
    )
    layer = str(pack.get("layer") or spec.layer)
    if layer != spec.layer:
        raise PackResolutionError(
            f"{spec.where}: pack {spec.pack!r} is a {layer} layer, not {spec.layer}",
            code=Code.PACK_LAYER_MISMATCH,
        )
    return ResolvedPack(
        spec.layer, spec.pack, spec.tag, registry_uid, uid, merge_values(defaults, spec.overlay), type_
    )

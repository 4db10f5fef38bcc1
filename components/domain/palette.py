"""The Palette models the providers validate against and the stack files share: a cluster profile's layers
and a site's node pools with their edge hosts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from ..codes import Code
from ._base import ConfigModel
from .fields import IPv4, LabelKey, LabelValue, NicName, NtpServer, Slug, matches
from .patterns import (
    EDGE_HOST_NAME,
    EDGE_HOST_UID,
    PACK_NAME,
    PACK_TAG,
    PALETTE_UID,
    PROVIDER_IMAGE,
    REGISTRY_NAME,
    SEMVER,
)

DEFAULT_PROFILE_VERSION = "1.0.0"
"""A hybrid profile's first version when the stack file names none."""
VERSION_PATTERN = SEMVER
"""A profile version as the stack files write it: `x.y.z`."""

DEFAULT_PACK_REGISTRY = "Public Repo"
"""The registry a profile layer's pack is looked up in when the layer names none: Spectro Cloud's public
pack registry, as the Palette SDK names it (`client/pack.go` `GetPackRegistry`)."""


@dataclass(frozen=True)
class ProviderImage:
    """A provider image's name in its CanvOS parts (`patterns.PROVIDER_IMAGE`)."""

    registry: str
    repository: str
    distribution: str
    kubernetes_version: str
    pe_version: str
    custom_tag: str | None


_PROVIDER_IMAGE = re.compile(PROVIDER_IMAGE)
_IMAGE_NAME_MAX = 255
"""An image name before its tag (distribution/reference `NameTotalLengthMax`)."""


def parse_provider_image(image: str) -> ProviderImage | None:
    """Split a CanvOS-named provider image; None when the name does not follow CanvOS's pattern. The one
    parse: the stack-file model refuses what it cannot split, and `render` writes the `.arg` lines from it."""
    if len(image) > _IMAGE_NAME_MAX + 129:  # never hand a pattern more than a name and a tag can be
        return None
    match = _PROVIDER_IMAGE.fullmatch(image)
    if match is None or len(image.rsplit(":", 1)[0]) > _IMAGE_NAME_MAX:
        return None
    return ProviderImage(
        registry=match["registry"],
        repository=match["repo"],
        distribution=match["distribution"],
        kubernetes_version=match["version"],
        pe_version=match["pe_version"],
        custom_tag=match["custom_tag"],
    )


PackName = Annotated[str, AfterValidator(matches(PACK_NAME, Code.INVALID_PACK_NAME))]
PackTag = Annotated[str, AfterValidator(matches(PACK_TAG, Code.INVALID_PACK_TAG))]
RegistryName = Annotated[str, AfterValidator(matches(REGISTRY_NAME, Code.INVALID_REGISTRY_NAME))]
EdgeHostName = Annotated[str, AfterValidator(matches(EDGE_HOST_NAME, Code.INVALID_EDGE_HOST_NAME))]


class ProfileLayer(ConfigModel):
    """Where a layer's pack comes from, and values merged over the pack's own defaults."""

    registry_name: RegistryName | None = None
    registry_uid: str | None = Field(default=None, pattern=PALETTE_UID)
    values: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_registry(self) -> ProfileLayer:
        if self.registry_name is not None and self.registry_uid is not None:
            raise PydanticCustomError(
                Code.REGISTRY_AMBIGUOUS.value,
                "give registryName or registryUid, not both (neither means the {default} registry)",
                {"default": DEFAULT_PACK_REGISTRY},
            )
        return self

    @property
    def registry(self) -> dict[str, str]:
        """`{"uid": ...}` or `{"name": ...}`: how the pack's registry is found."""
        if self.registry_uid is not None:
            return {"uid": self.registry_uid}
        return {"name": self.registry_name or DEFAULT_PACK_REGISTRY}


class ProfileLayerOs(ProfileLayer):
    pack: PackName = "edge-native-byoi"
    tag: PackTag = "2.1.0"
    provider_image: str = Field(min_length=1)
    """Named the CanvOS way: the hub's stack file is refused otherwise (`config.rules.check_provider_image`,
    by `parse_provider_image`); the model stays open to what Palette already holds."""


class ProfileLayerKubernetes(ProfileLayer):
    pack: PackName = "edge-nodeadm"
    version: str = Field(pattern=SEMVER)


class ProfileLayerCni(ProfileLayer):
    """The placeholder CNI layer of hybrid pools (the real CNI is Cilium on the EKS cluster)."""

    pack: PackName = "cni-custom"
    tag: PackTag = "0.1.0"


class PaletteProfileConfig(ConfigModel):
    name: Slug = "eks-hybrid-nodes"
    version: str = Field(default=DEFAULT_PROFILE_VERSION, pattern=VERSION_PATTERN)
    os: ProfileLayerOs
    kubernetes: ProfileLayerKubernetes
    cni: ProfileLayerCni = ProfileLayerCni()


class EdgeHostConfig(ConfigModel):
    uid: str = Field(min_length=1, max_length=128, pattern=EDGE_HOST_UID)
    name: EdgeHostName | None = None
    """The host's name, its Kubernetes node name and the name of its files from `render`; default: its
    uid. Unique within a site (`config.rules.check_pools`)."""
    vpn_server_ip: IPv4 | None = None
    nic_name: NicName | None = None


class TaintConfig(ConfigModel):
    key: LabelKey
    value: LabelValue = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class NodePoolConfig(ConfigModel):
    name: Slug
    architecture: Literal["amd64", "arm64"] = "amd64"
    edge_hosts: list[EdgeHostConfig] = Field(min_length=1)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    taints: list[TaintConfig] = Field(default_factory=list)
    ntp_servers: list[NtpServer] = Field(default_factory=list)


def version_key(version: str) -> tuple[int, ...]:
    """`x.y.z` as numbers, for ordering versions (`1.10.0` after `1.9.0`)."""
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


FOLLOW_NEWEST = "newest"
"""`eks-hybrid:site.paletteProfileVersion: newest`: the site's pools follow the hub's newest version."""


class ProfileChoice(ConfigModel):
    """Which hybrid profile version a site's pools run (`profile_choice`)."""

    profile_uid: str
    keep_running_version: bool
    """True: pools keep the version they run (a new hub version applies to new pools only)."""


def published_versions(version: str, uid: str, retained: dict[str, str] | None) -> dict[str, str]:
    """The profile versions a hub publishes, version to uid: its current one and those it keeps because
    site pools still use them (`HybridProfile.retainedVersions`)."""
    return {**(retained or {}), version: uid}


def profile_choice(
    pinned: str | None, newest_uid: str, versions: dict[str, str] | None
) -> ProfileChoice | str:
    """The profile a site's pools get, or why the pin cannot be honoured.

    `pinned` is the site's `paletteProfileVersion`: None keeps each pool on the version it runs (a new pool
    takes the newest), so a site's `pulumi up` for another reason never repaves it; `newest` follows the
    hub's current version; a version runs that version, which the hub must publish (`versions`, the hub's
    `paletteProfileVersions`; None from a hub too old to export them)."""
    if pinned is None:
        return ProfileChoice(profile_uid=newest_uid, keep_running_version=True)
    if pinned == FOLLOW_NEWEST:
        return ProfileChoice(profile_uid=newest_uid, keep_running_version=False)
    if versions is None:
        return (
            "the hub exports no list of its profile versions: `pulumi up` the hub with this eks-hybrid first"
        )
    if pinned not in versions:
        published = ", ".join(sorted(versions)) or "none"
        return f"the hub does not publish version {pinned} (it publishes {published})"
    return ProfileChoice(profile_uid=versions[pinned], keep_running_version=False)

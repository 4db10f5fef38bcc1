"""The Palette models the providers validate against and the stack files share: a cluster profile's layers
and a site's node pools with their edge hosts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from ..codes import Code
from ._base import ConfigModel
from .fields import IPv4, LabelKey, LabelValue, Slug

DEFAULT_PACK_REGISTRY = "Public Repo"
"""The registry a profile layer's pack is looked up in when the layer names none: Spectro Cloud's public
pack registry, as the Palette SDK names it (`client/pack.go` `GetPackRegistry`)."""


class ProfileLayer(ConfigModel):
    """Where a layer's pack comes from, and values merged over the pack's own defaults."""

    registry_name: str | None = Field(default=None, min_length=1)
    registry_uid: str | None = Field(default=None, pattern=r"^[0-9a-f]{24}$")
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
    pack: str = "edge-native-byoi"
    tag: str = "2.1.0"
    provider_image: str = Field(min_length=1)


class ProfileLayerKubernetes(ProfileLayer):
    pack: str = "edge-nodeadm"
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")


class ProfileLayerCni(ProfileLayer):
    """The placeholder CNI layer of hybrid pools (the real CNI is Cilium on the EKS cluster)."""

    pack: str = "cni-custom"
    tag: str = "0.1.0"


class PaletteProfileConfig(ConfigModel):
    name: Slug = "eks-hybrid-nodes"
    version: str = Field(default="1.0.0", pattern=r"^\d+\.\d+\.\d+$")
    os: ProfileLayerOs
    kubernetes: ProfileLayerKubernetes
    cni: ProfileLayerCni = ProfileLayerCni()


class EdgeHostConfig(ConfigModel):
    uid: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str | None = None
    vpn_server_ip: IPv4 | None = None
    nic_name: str | None = None


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
    ntp_servers: list[str] = Field(default_factory=list)

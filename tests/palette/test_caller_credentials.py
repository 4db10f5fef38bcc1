"""Palette settings from the caller: a program (any project, any language) gives PaletteHub and
PaletteNodePools the endpoint, project and API key; the key is a secret input, wins over this project's
`eks-hybrid:palette` config and the environment, and stays out of logs and plaintext state."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette._credentials import PaletteCredentialsError, resolve_credentials
from palette_emulator import LiveServer

from .conftest import API_KEY, FAST_RETRY, PROJECT


def consumer_provider(cls: type[p.PaletteProvider], project: str = "edge-estate") -> p.PaletteProvider:
    """A provider as the engine configures it in a consumer's project: its config has no `palette` key."""
    instance = cls()
    instance.configure(ConfigureRequest(Config({}, project)))
    instance.client_options = {"retry": FAST_RETRY, "sleep": lambda _s: None}
    instance.poll_sleep = lambda _s: None
    return instance


def test_the_callers_key_reaches_palette_in_a_consumer_project(live: LiveServer, monkeypatch) -> None:
    monkeypatch.delenv("PALETTE_API_KEY", raising=False)
    props = {"endpoint": live.url, "projectUid": PROJECT, "apiKey": API_KEY, "clusterName": "edge-prod"}
    created = consumer_provider(p.ClusterImportProvider).create(props)
    assert created.id and created.outs is not None
    assert (
        created.outs["apiKey"] == API_KEY
    )  # echoed into the state, where additional_secret_outputs keeps it secret


def test_without_any_key_the_message_says_where_to_give_one(live: LiveServer, monkeypatch) -> None:
    monkeypatch.delenv("PALETTE_API_KEY", raising=False)
    props = {"endpoint": live.url, "projectUid": PROJECT, "clusterName": "edge-prod"}
    with pytest.raises(PaletteCredentialsError, match="give the component its api_key"):
        consumer_provider(p.ClusterImportProvider).create(props)


def test_the_callers_key_wins_over_config_and_environment() -> None:
    credentials = resolve_credentials(
        {"apiKey": "from-config", "projectUid": PROJECT},
        api_key="from-the-program",
        env={"PALETTE_API_KEY": "from-env"},
    )
    assert credentials.api_key == "from-the-program"
    assert "from-the-program" not in repr(credentials)


def test_a_bad_key_from_the_caller_is_named_without_quoting_it() -> None:
    with pytest.raises(PaletteCredentialsError) as caught:
        resolve_credentials({}, project_uid=PROJECT, api_key="key-with-newline\n", env={})
    assert "the component's api_key ends with a newline" in str(caught.value)
    assert "key-with-newline" not in str(caught.value)


@pytest.mark.parametrize("cls", [p.ClusterImportProvider, p.HybridSettingsProvider, p.NodePoolProvider])
def test_a_new_key_is_stored_by_an_update_that_replaces_nothing(cls: type[p.PaletteProvider]) -> None:
    olds: dict[str, Any] = {
        "endpoint": "https://api.spectrocloud.com",
        "projectUid": PROJECT,
        "apiKey": "old",
        "clusterName": "edge",
        "clusterUid": "c",
        "cloudConfigUid": "cc",
        "vpcCidr": "10.100.0.0/16",
        "profileUid": "p",
        "pool": {"name": "workers", "edgeHosts": []},
    }
    diff = cls().diff("id", olds, {**olds, "apiKey": "rotated"})
    assert diff.changes is True and not diff.replaces
    assert cls().diff("id", olds, dict(olds)).changes is False


def test_state_written_by_0_1_gets_the_moved_provider_module_on_the_next_update() -> None:
    # 0.1 pickled the providers as `components.palette.providers.*`; reads and deletes use the state's copy,
    # so the first `pulumi up` with 0.2 stores the new one (an update that changes nothing in Palette).
    olds = {"endpoint": "e", "projectUid": PROJECT, "clusterName": "edge", "__provider": "gASVold"}
    diff = p.ClusterImportProvider().diff("id", olds, {**olds, "__provider": "gASVnew"})
    assert diff.changes is True and not diff.replaces

"""The Palette endpoint is what the plan shows: the API key goes only to the host a reviewer reads.

`https://api.spectrocloud.com\\@evil.example` used to pass the endpoint pattern, show `api.spectrocloud.com`
in the plan, and send the `ApiKey` header to `evil.example`. The endpoint is now parsed as a URL
(`domain/endpoints.py`), by the stack-file model, the components and the client alike.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.domain.endpoints import endpoint_host, palette_endpoint_problem
from eks_hybrid.components.errors import ConfigError, EksHybridError
from eks_hybrid.components.palette import PaletteClient

from ..conftest import STACKS

HOSTILE = [
    "https://api.spectrocloud.com\\@evil.example",
    "https://api.spectrocloud.com@evil.example",
    "https://user:pass@api.spectrocloud.com",
    "https://api.spectrocloud.com#@evil.example",
    "https://api.spectrocloud.com?@evil.example",
    "https://api.spectrocloud.com/v1",
    "https://api.spectrocloud.com:0",
    "https://api.spectrocloud.com:65536",
    "https://api.spectrocloud.com:http",
    "http://api.spectrocloud.com",
    "ftp://api.spectrocloud.com",
    "https://api.spectro cloud.com",
    "https://api.spectrocloud.com\r\nX: y",
    "https://-bad-.example",
    "https://",
    "api.spectrocloud.com",
    "",
]
ACCEPTED = [
    "https://api.spectrocloud.com",
    "https://api.spectrocloud.com/",
    "https://palette.example.com:8443",
    "https://10.0.0.5",
    "http://127.0.0.1:8765",
    "http://localhost:8765",
    "http://palette.test",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_an_endpoint_that_could_send_the_key_elsewhere_is_refused(url: str) -> None:
    assert palette_endpoint_problem(url) is not None


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_plain_endpoint_is_accepted_and_its_host_is_what_httpx_calls(url: str) -> None:
    assert palette_endpoint_problem(url) is None
    called = httpx.URL(url.rstrip("/") + "/v1/x")
    assert endpoint_host(url) == (f"{called.host}:{called.port}" if called.port else called.host)
    assert urlsplit(url).hostname == called.host


@pytest.mark.parametrize("url", HOSTILE[:6])
def test_the_stack_file_refuses_it_naming_the_key(url: str) -> None:
    config = yaml.safe_load((STACKS / "Pulumi.example-hub.yaml").read_text())["config"]
    config["eks-hybrid:palette"]["endpoint"] = url
    with pytest.raises(ConfigError) as caught:
        validate_stack(config, "stacks/Pulumi.example-hub.yaml")
    [problem] = caught.value.problems
    assert (problem.path, problem.code) == ("eks-hybrid:palette.endpoint", "invalid-palette-endpoint")


@pytest.mark.parametrize("url", HOSTILE[:6])
def test_the_client_never_sends_the_key_there(url: str) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200, json={}))
    with pytest.raises(EksHybridError, match="Palette endpoint"):
        PaletteClient(url, "a-key-0123456789", "6491d4a94c39ad82d3cc30ae", transport=transport)
    assert sent == []

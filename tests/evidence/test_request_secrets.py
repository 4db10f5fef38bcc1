"""Secrets the Palette client sends never come back in an error: the API key, the SSM activation code and the
IAM Roles Anywhere CA's private key, under every fault kind of the emulator.

Palette's validation errors quote the request's field values [I: inferred from its `v1Error` messages]; the
emulator's `echo` fault answers with an error that quotes the whole request back (every header, the query
as sent, the body as sent, JSON-escaped, and each field's value decoded). Scanned: each error's message,
repr and args, its whole chain, and its traceback as printed (what the Pulumi engine shows: the dynamic
provider server aborts with `traceback.format_exc()`), and every log record at DEBUG.
"""

from __future__ import annotations

import base64
import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from eks_hybrid.components.errors import EksHybridError
from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette._redact import REDACTED, forms, fragments, redact, register
from palette_emulator import FaultRule, LiveServer
from palette_emulator.faults import KINDS
from tests.palette.conftest import API_KEY, FAST_RETRY, PROJECT, ProviderFactory, hybrid_cluster, make_client

from .conftest import record

SUITE = "secrets"
MARK = "PLANTED"
LINE = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw{:02d}PLANTEDkqhkiG9w0BAQEFAASCBKcwggSjAgEAAo"
CA_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    + "\n".join(LINE.format(i) for i in range(6))
    + "\n-----END PRIVATE KEY-----\n"
)
ACTIVATION_CODE = "PLANTEDactivationCode+/x9"
HYBRID_CONFIG = "/v1/cloudconfigs/aws/"


def _shapes(secret: str) -> set[str]:
    """What to search for: the secret as sent, JSON-escaped, URL-encoded, base64, each line of it (not a
    PEM's armour), and the mark every planted value holds."""
    lines = {line for line in secret.splitlines() if len(line) >= 16 and not line.startswith("-----")}
    encoded = base64.b64encode(secret.encode()).decode()
    return {
        secret,
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
        encoded,
        *lines,
        MARK,
    }


SHAPES = _shapes(CA_KEY) | _shapes(ACTIVATION_CODE)


def _texts(exc: BaseException) -> Iterator[str]:
    """The message, repr and args of `exc` and of each exception chained to it, and its printed traceback."""
    yield "".join(traceback.format_exception(exc))
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield from (str(current), repr(current), repr(current.args), repr(vars(current)))
        current = current.__cause__ or current.__context__


def _leaks(texts: list[str]) -> list[str]:
    return [f"{shape[:24]}... in {text[:200]!r}" for text in texts for shape in SHAPES if shape in text]


IDENTITIES = {
    "ssm": {"provider": "ssm", "activationId": "mai-0123456789abcdef0", "activationCode": ACTIVATION_CODE},
    "iamRolesAnywhere": {
        "provider": "iamRolesAnywhere",
        "roleArn": "arn:aws:iam::111122223333:role/hybrid",
        "trustAnchorArn": "arn:aws:rolesanywhere:us-west-2:111122223333:trust-anchor/ta",
        "profileArn": "arn:aws:rolesanywhere:us-west-2:111122223333:profile/pr",
        "rootCaCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "rootCaPrivateKey": CA_KEY,
    },
}


# Every fault kind, with the statuses a `status` or `echo` answer takes: a refusal (400, 409: no retry), an
# auth error, and server errors (retried until the attempts run out).
@pytest.fixture
def faults(app: Any) -> Any:
    return app.state.faults


FAULTS = [
    (kind, status)
    for kind in KINDS
    for status in ((400, 401, 409, 500, 503) if kind in ("status", "echo") else (503,))
]


@pytest.mark.parametrize("identity", sorted(IDENTITIES))
@pytest.mark.parametrize(("kind", "status"), FAULTS, ids=[f"{k}-{s}" for k, s in FAULTS])
def test_hybrid_identity_secrets_never_reach_an_error_or_a_log(
    provider: ProviderFactory,
    live: LiveServer,
    faults: Any,
    caplog: pytest.LogCaptureFixture,
    identity: str,
    kind: str,
    status: int,
) -> None:
    caplog.set_level(logging.DEBUG)
    cluster, cloud = hybrid_cluster(provider, live)
    faults.add(FaultRule(kind, path=HYBRID_CONFIG, method="PUT", status=status, times=20, seconds=0.01))
    props = {
        "endpoint": live.url,
        "projectUid": PROJECT,
        "clusterUid": cluster,
        "cloudConfigUid": cloud,
        "vpcCidr": "10.100.0.0/16",
        "nodeCidrs": ["10.200.0.0/16"],
        "podCidrs": ["192.168.0.0/16"],
        "identity": IDENTITIES[identity],
    }
    texts: list[str] = []
    failed = False
    try:
        provider(p.HybridSettingsProvider).create(props)
    except EksHybridError as exc:
        failed = True
        texts.extend(_texts(exc))
        if kind == "echo":  # the echo reached the error: redacted, not dropped
            assert REDACTED in str(exc) and "InvalidRequest" in str(exc), str(exc)
    texts.extend(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    leaks = _leaks(texts)
    record(
        SUITE,
        **{
            "request-secret runs": 1,
            "request-secret runs that failed": int(failed),
            "request-secret texts scanned": len(texts),
            "request-secret leaks": len(leaks),
        },
    )
    assert leaks == []
    if kind in ("status", "echo", "drop"):
        assert failed, (kind, status)


def test_secrets_in_the_query_and_an_echoed_api_key_are_redacted(live: LiveServer, faults: Any) -> None:
    faults.add(FaultRule("echo", path="/v1/spectroclusters/", status=400, times=1))
    texts: list[str] = []
    with make_client(live.url, retry=FAST_RETRY) as client, pytest.raises(EksHybridError) as info:
        client.request(
            "POST",
            "/v1/spectroclusters/x/anything",
            json={"activationCode": ACTIVATION_CODE, "key": CA_KEY},
            params={"code": ACTIVATION_CODE, "pem": CA_KEY},
            secrets=[ACTIVATION_CODE, CA_KEY],
        )
    texts.extend(_texts(info.value))
    assert "apikey=" in str(info.value).lower() and API_KEY not in str(info.value)  # the header was echoed
    assert _leaks(texts) == []
    record(SUITE, **{"request-secret texts scanned": len(texts)})


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda s: s, id="as sent"),
        pytest.param(lambda s: json.dumps(s)[1:-1], id="JSON-escaped"),
        pytest.param(lambda s: json.dumps({"v": s}), id="in a JSON document"),
        pytest.param(lambda s: quote(s, safe=""), id="URL-encoded"),
        pytest.param(lambda s: quote_plus(s), id="form-encoded"),
        pytest.param(lambda s: base64.b64encode(s.encode()).decode(), id="base64"),
        pytest.param(lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="), id="base64url"),
        pytest.param(lambda s: json.dumps(s)[1:160], id="cut short"),
        pytest.param(lambda s: s.replace("\n", "\r\n"), id="CRLF"),
    ],
)
def test_each_form_an_echo_takes_is_redacted(shape: Any) -> None:
    register(CA_KEY)
    register(ACTIVATION_CODE)
    for secret in (CA_KEY, ACTIVATION_CODE):
        cleaned = redact(f"error: {shape(secret)} (ref 1)")
        assert not any(piece in cleaned for piece in fragments(secret)), cleaned
        assert MARK not in cleaned and REDACTED in cleaned, cleaned
    assert (
        redact("no secret here, -----BEGIN PRIVATE KEY-----") == "no secret here, -----BEGIN PRIVATE KEY-----"
    )
    assert CA_KEY in forms(CA_KEY) and LINE.format(0)[:16] in fragments(CA_KEY)

"""What a Palette endpoint may be: the URL the client sends the API key to, parsed as a URL, so that what
the plan shows is the host the key goes to.

A lenient pattern let `https://api.spectrocloud.com\\@evil.example` through: a reviewer reads
`api.spectrocloud.com`, while URL parsers (httpx's among them) send the request, and the `ApiKey` header,
to `evil.example`. So: `https` (plain `http` only to this machine: `localhost`, a loopback address, or the
reserved `.test` and `.localhost` names of RFC 6761, as the emulator and tests use), a host name or IP
address and an optional port 1-65535, and nothing else: no user info, path, query or fragment, and no
character a URL parser reads differently from a person (`\\`, `@`, whitespace, controls).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

__all__ = ["endpoint_host", "palette_endpoint_problem"]

_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_FORBIDDEN = re.compile(r"[\\@#?\s\x00-\x1f\x7f]")
_LOCAL_SUFFIXES = (".test", ".localhost")


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_problem(host: str) -> str | None:
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return f"{host!r} is not a host name"
    return None


def palette_endpoint_problem(url: object) -> str | None:
    """Why `url` is not a Palette endpoint the API key may be sent to; None when it is."""
    if not isinstance(url, str) or not url:
        return "must be a URL such as https://api.spectrocloud.com"
    if _FORBIDDEN.search(url):
        return (
            "holds a character a URL parser reads as another host, a query or a fragment"
            " (\\ @ # ? or a space)"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        return "must start with https://"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "must be the host only, without a path, query or fragment (e.g. https://api.spectrocloud.com)"
    try:
        port = parts.port
    except ValueError:
        return "has a port that is not a number from 1 to 65535"
    if port is not None and not 1 <= port <= 65535:
        return "has a port that is not a number from 1 to 65535"
    if parts.username is not None or parts.password is not None:
        return "must not carry user info"
    host = parts.hostname or ""
    problem = _host_problem(host) if host else "names no host"
    if problem:
        return problem
    if parts.scheme == "http" and not _is_local(host):
        return "must use https (plain http only to this machine: localhost, 127.0.0.1 or a .test name)"
    return None


def endpoint_host(url: str) -> str:
    """The host (and port) a valid endpoint sends requests to, as a reviewer should read it."""
    parts = urlsplit(url)
    return parts.netloc

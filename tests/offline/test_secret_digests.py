"""`secret_digests`: a digest per `secure:` ciphertext, from the stack file as the planner read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from eks_hybrid.components.errors import ConfigError
from eks_hybrid.secret_digests import secret_digests
from eks_hybrid.stack_files import read_stack_file

STACK = """config:
  eks-hybrid:palette:
    apiKey:
      secure: v1:abc
  eks-hybrid:site:
    tunnels:
      - presharedKey:
          secure: v1:def
      - insideCidr: 169.254.10.0/30
"""
PATHS = ["eks-hybrid:palette.apiKey", "eks-hybrid:site.tunnels[0].presharedKey"]


def _digests(tmp_path: Path, content: bytes) -> dict[str, str]:
    (tmp_path / "Pulumi.s.yaml").write_bytes(content)
    return secret_digests(read_stack_file(tmp_path, "s").written)


def test_each_secret_path_gets_a_digest_of_its_ciphertext(tmp_path: Path) -> None:
    digests = _digests(tmp_path, STACK.encode())
    assert list(digests) == PATHS
    assert all(value.startswith("sha256:") and len(value) == 23 for value in digests.values())
    rotated = _digests(tmp_path, STACK.replace("v1:def", "v1:rotated").encode())
    assert rotated[PATHS[1]] != digests[PATHS[1]]
    assert rotated[PATHS[0]] == digests[PATHS[0]]


def test_a_utf16_stack_file_is_read_as_the_planner_reads_it(tmp_path: Path) -> None:
    # The planner accepts UTF-16 with a byte-order mark (YAML 1.2 §5.2); reading the file again as UTF-8 for
    # the digests raised UnicodeDecodeError, a traceback found by the evidence suite.
    assert list(_digests(tmp_path, STACK.encode("utf-16"))) == PATHS


def test_a_file_the_planner_refuses_never_reaches_the_digests(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.s.yaml").write_bytes(b"a: &a [*a]")
    with pytest.raises(ConfigError):
        read_stack_file(tmp_path, "s")

"""`secret_digests`: a digest per `secure:` ciphertext, from the stack file the planner read."""

from __future__ import annotations

from pathlib import Path

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
    assert rotated[PATHS[1]] != digests[PATHS[1]] and rotated[PATHS[0]] == digests[PATHS[0]]


def test_a_utf16_stack_file_is_read_as_the_planner_reads_it(tmp_path: Path) -> None:
    # The planner accepts UTF-16 with a byte-order mark (YAML 1.2 §5.2); digests read it the same way (reading
    # it again as UTF-8 raised UnicodeDecodeError, a traceback the evidence suite found).
    assert list(_digests(tmp_path, STACK.encode("utf-16"))) == PATHS

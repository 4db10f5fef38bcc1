"""`config_secret_digests`: a digest per `secure:` ciphertext, read as the planner reads stack files."""

from __future__ import annotations

from pathlib import Path

from eks_hybrid.secret_digests import config_secret_digests

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


def test_each_secret_path_gets_a_digest_of_its_ciphertext(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text(STACK)
    digests = config_secret_digests(path)
    assert list(digests) == ["eks-hybrid:palette.apiKey", "eks-hybrid:site.tunnels[0].presharedKey"]
    assert all(value.startswith("sha256:") and len(value) == 23 for value in digests.values())
    path.write_text(STACK.replace("v1:def", "v1:rotated"))
    rotated = config_secret_digests(path)
    assert (
        rotated["eks-hybrid:site.tunnels[0].presharedKey"]
        != digests["eks-hybrid:site.tunnels[0].presharedKey"]
    )
    assert rotated["eks-hybrid:palette.apiKey"] == digests["eks-hybrid:palette.apiKey"]


def test_a_utf16_stack_file_is_read_as_the_planner_reads_it(tmp_path: Path) -> None:
    # The planner accepts UTF-16 with a byte-order mark (YAML 1.2 §5.2); reading it as UTF-8 raised
    # UnicodeDecodeError here, a traceback found by the evidence suite.
    path = tmp_path / "Pulumi.s.yaml"
    path.write_bytes(STACK.encode("utf-16"))
    assert list(config_secret_digests(path)) == [
        "eks-hybrid:palette.apiKey",
        "eks-hybrid:site.tunnels[0].presharedKey",
    ]


def test_a_file_it_cannot_read_has_no_digests(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.s.yaml"
    path.write_bytes(b"a: &a [*a]")
    assert config_secret_digests(path) == {}
    assert config_secret_digests(tmp_path / "missing.yaml") == {}

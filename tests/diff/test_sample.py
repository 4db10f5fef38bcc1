"""The documentation's sample pull request comment (docs/guides/pr-review.md) is generated from the example
stacks, and current."""

from __future__ import annotations

import pytest

from eks_hybrid.diff.sample import END, START, embed, sample_comment

from ..conftest import REPO, STACKS


def test_the_docs_show_the_generated_sample_comment() -> None:
    page = (REPO / "docs" / "guides" / "pr-review.md").read_text()
    comment = sample_comment(STACKS)
    assert embed(page, comment) == page, "stale: run .venv/bin/python -m eks_hybrid.diff.sample"
    assert "cilium-pool-reorder" in comment and "+ site reno" in comment and "+ dallas-03" in comment
    # reno's new VPN connection: its tunnels' crypto options in one line, not eighteen.
    assert "+   tunnel1, tunnel2 crypto: IKE ikev2; phase 1 AES256-GCM-16, AES256" in comment
    assert "tunnel1Phase1DhGroupNumbers" not in comment


def test_embed_replaces_only_the_marked_block() -> None:
    document = f"intro\n{START}\nold\n{END}\noutro\n"
    embedded = embed(document, "new comment\n```mermaid\ngraph\n```\n")
    assert embedded.startswith("intro\n") and embedded.endswith(f"{END}\noutro\n")
    assert "old" not in embedded
    # The comment's Markdown source, fenced wider than the fences it holds.
    assert f"{START}\n````markdown\nnew comment\n```mermaid\ngraph\n```\n````\n{END}" in embedded


def test_embed_refuses_a_comment_its_fence_cannot_hold() -> None:
    with pytest.raises(ValueError, match="four-backtick"):
        embed(f"{START}\n{END}\n", "````\n")

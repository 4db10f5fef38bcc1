"""The README's sample pull request comment is generated from the example stacks, and current."""

from __future__ import annotations

from eks_hybrid.diff.sample import END, START, embed, sample_comment

from ..conftest import REPO, STACKS


def test_the_readme_shows_the_generated_sample_comment() -> None:
    readme = (REPO / "README.md").read_text()
    comment = sample_comment(STACKS)
    assert embed(readme, comment) == readme, "stale: run .venv/bin/python -m eks_hybrid.diff.sample README.md"
    assert "cilium-pool-reorder" in comment and "+ site reno" in comment and "+ dallas-03" in comment


def test_embed_replaces_only_the_marked_block() -> None:
    document = f"intro\n{START}\nold\n{END}\noutro\n"
    embedded = embed(document, "new comment\n")
    assert embedded.startswith("intro\n") and embedded.endswith(f"{END}\noutro\n")
    assert "old" not in embedded and "new comment" in embedded

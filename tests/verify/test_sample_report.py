"""README's sample report is what `eks-hybrid verify` prints for the scenario of `sample_report`."""

from __future__ import annotations

from ..conftest import REPO
from . import sample_report


def test_readme_shows_the_generated_sample_report() -> None:
    readme = (REPO / "README.md").read_text()
    start, end = sample_report.readme_block(readme)
    assert readme[start:end] == sample_report.render(), (
        "README's sample report is stale: run `.venv/bin/python -m tests.verify.sample_report --write`"
    )

"""The documentation's sample report (docs/guides/verify.md) is what `eks-hybrid verify` prints for the
scenario of `sample_report`."""

from __future__ import annotations

from . import sample_report


def test_the_docs_show_the_generated_sample_report() -> None:
    page = sample_report.PAGE.read_text()
    start, end = sample_report.page_block(page)
    assert page[start:end] == sample_report.render(), (
        "the docs' sample report is stale: run `.venv/bin/python -m tests.verify.sample_report --write`"
    )

"""Fixtures of the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import copy_examples


@pytest.fixture
def broken_hub(tmp_path: Path) -> Path:
    """The examples with a hub that cannot be planned (one invalid key), for what its sites do then."""

    def break_it(config: dict) -> None:
        config["eks-hybrid:cluster"]["authenticationMode"] = "CONFIG_MAP"

    return copy_examples(tmp_path, {"example-hub": break_it})

"""The Pulumi program: read this stack's config, validate it, build the hub or the site."""

from __future__ import annotations

import pulumi

from ..config.hub import HubConfig
from ..config.source import load_current_stack, stack_file_label
from .hub import build_hub
from .site import build_site


def build_current_stack() -> None:
    """Raises `ConfigError`/`PlanError` before any resource is declared when the stack is not valid."""
    config = load_current_stack()
    if isinstance(config, HubConfig):
        build_hub(config)
    else:
        build_site(config, stack_file_label(pulumi.get_stack()))

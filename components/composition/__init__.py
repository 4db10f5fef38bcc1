"""Whole stacks from validated config: what `__main__.py` runs, and what your own program can call."""

from .hub import build_hub
from .program import build_current_stack
from .site import build_site

__all__ = ["build_current_stack", "build_hub", "build_site"]

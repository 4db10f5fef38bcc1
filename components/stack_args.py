"""Deprecated alias of `eks_hybrid.components.config._stack_args` (internal to the stack-file programs since
0.3.0; this alias goes in 0.4.0).

Build a component's Args yourself (each is a `TypedDict`, see docs/guides/library.md); the stack-file
programs build them from validated config with these functions.
"""

from ._deprecated import warn_moved_module
from .config._stack_args import *  # noqa: F403
from .config._stack_args import __all__ as __all__

warn_moved_module(
    __name__, "it builds component Args from stack config and is internal to the stack-file programs"
)

"""A local emulator of the Palette API subset eks-hybrid uses (not part of `components`)."""

from .app import create_app
from .faults import FaultRule, Faults
from .ratelimit import PaletteRateLimits
from .server import LiveServer, free_port
from .spec import validate
from .state import ApiError, EmulatorState
from .transport import SyncASGITransport

__all__ = [
    "ApiError",
    "EmulatorState",
    "FaultRule",
    "Faults",
    "LiveServer",
    "PaletteRateLimits",
    "SyncASGITransport",
    "create_app",
    "free_port",
    "validate",
]

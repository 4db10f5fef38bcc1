"""`render`'s file modes, apart from `render` so the CLI can name them without loading it."""

SECRET_MODE = 0o600
FILE_MODE = 0o644
SCRIPT_MODE = 0o755

__all__ = ["FILE_MODE", "SCRIPT_MODE", "SECRET_MODE"]

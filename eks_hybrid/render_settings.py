"""`render`'s file modes, apart from `render` so the CLI can name them without loading it."""

SECRET_MODE = 0o600
FILE_MODE = 0o644
SCRIPT_MODE = 0o755
DIR_MODE = 0o700
"""Every directory `render` creates or writes into below --out, whatever the umask (it may hold keys)."""

MANIFEST = ".eks-hybrid-render"
"""The file in --out listing, one a line, every path `render` wrote there (docs/guides/render.md)."""

__all__ = ["DIR_MODE", "FILE_MODE", "MANIFEST", "SCRIPT_MODE", "SECRET_MODE"]

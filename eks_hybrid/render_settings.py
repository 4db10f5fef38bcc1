"""`render`'s defaults and file modes, apart from `render` so the CLI can name them without loading it."""

# The cluster's BGP ASN for Cilium's BGP control plane until the hub config has a key for it.
DEFAULT_CLUSTER_ASN = 65100
SECRET_MODE = 0o600
FILE_MODE = 0o644
SCRIPT_MODE = 0o755

__all__ = ["DEFAULT_CLUSTER_ASN", "FILE_MODE", "SCRIPT_MODE", "SECRET_MODE"]

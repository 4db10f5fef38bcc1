"""The facts every other layer of eks-hybrid shares, each written once: CIDR and ASN rules, field types,
node labels, Kubernetes and Cilium versions, defaults and allowed values, the cluster's endpoint rule, how a
CIDR is written in a name, the Palette profile and pool models, and the hub's outputs.

The bottom layer: it imports nothing of `eks_hybrid.components` but `errors`. The areas (`network`,
`cluster`, `cni`, ...) and the stack-file contract (`config`) import it; `tests/test_layering.py` keeps it so.

Not a public API of its own: the names a library user needs are exported by `config` and the area packages.
"""

__all__: list[str] = []

"""The eks-hybrid library, imported as `eks_hybrid.components` (this folder is its source in the repository).

The repository keeps the library in its top-level `components/` folder (the project's layout), and
`eks_hybrid/components` is a link to it: the wheel installs it as `eks_hybrid.components` and never as a
top-level `components`, a name many Pulumi projects use for their own code. Importing it under its folder's
name would load every module a second time under another name, so that is refused.
"""

if __name__ != "eks_hybrid.components":
    raise ImportError(
        f"import the eks-hybrid library as `eks_hybrid.components`, not `{__name__}`"
        " (`from eks_hybrid.components.network import TransitGatewayHub`)"
    )

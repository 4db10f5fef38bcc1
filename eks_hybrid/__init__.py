"""eks-hybrid: Amazon EKS Hybrid Nodes managed by Spectro Cloud Palette, on Pulumi.

The library is `eks_hybrid.components` (docs/guides/library.md); the
`eks-hybrid` command is `eks_hybrid.cli`; `eks_hybrid.provider` serves the components to Pulumi programs in
other languages.
"""

__version__ = "0.2.0"

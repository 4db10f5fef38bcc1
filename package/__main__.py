"""The eks-hybrid component provider: Pulumi runs this to serve the components to other languages."""

from eks_hybrid.provider import main

main()

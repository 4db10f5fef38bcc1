"""`python -m eks_hybrid.cli`: the `eks-hybrid` command without its console script."""

from .app import main

main()

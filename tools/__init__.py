"""Maintainers' scripts run from the repository (not part of the wheel)."""

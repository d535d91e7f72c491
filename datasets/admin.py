"""Admin of the datasets app."""

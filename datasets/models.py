"""Models of the datasets app."""

"""Models of the execution app."""

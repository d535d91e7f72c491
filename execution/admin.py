"""Admin of the execution app."""

"""Admin of the registry app."""

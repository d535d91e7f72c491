"""Admin of the publications app."""

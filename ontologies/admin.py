"""Admin of the ontologies app."""

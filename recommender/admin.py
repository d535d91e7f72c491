"""Admin of the recommender app."""

"""Ranks procedures for a dataset, with explanations, via embedded or Elasticsearch backends."""

"""Runs of procedures on datasets through Celery and execution backends, with provenance."""

"""Reproducible publications: a DOI's datasets and procedures, re-executed and compared."""

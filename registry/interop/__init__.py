"""Interoperability of the registry: GA4GH TRS, Workflow RO-Crates, export/import, JSON-LD.

Registry-level: imports only ``registry``, ``ontologies`` and ``config``.
"""

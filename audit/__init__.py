"""Audit log: who did what to the registry (create, publish, deprecate, delete, token revocation).

Registry models know nothing of this app: it listens to their Django signals and reads the
acting user from the request being served (``audit.middleware``).
"""

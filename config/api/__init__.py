"""API infrastructure shared by every app: the error shape, pagination, permissions helpers."""

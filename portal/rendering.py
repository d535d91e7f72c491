"""Rendering helpers shared by the portal views."""

from django.shortcuts import render

from registry.permissions import is_curator


def page(request, template: str, context: dict | None = None, status: int = 200, nav: str = ""):
    """Render a portal page with what the layout needs (navigation, the curator flag)."""
    context = {**(context or {}), "nav": nav, "is_curator": is_curator(request.user)}
    return render(request, template, context, status=status)


def bound_data(request) -> tuple:
    """Form arguments (data, files): bound on POST even when nothing was sent."""
    if request.method == "POST":
        return (request.POST, request.FILES)
    return (None, None)

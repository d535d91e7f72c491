"""Portal views: server-rendered pages for scientists and curators."""

from django.shortcuts import render


def home(request):
    """The home page."""
    return render(request, "portal/home.html")

"""Rendering helpers shared by the portal views."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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


# The characters that could end a <script> element or start markup, escaped the way Django's
# json_script filter escapes them; the JSON stays equal once parsed.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def jsonld_script(document: dict) -> str:
    """``document`` as a ``<script type="application/ld+json">`` element, safe inside HTML."""
    text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_SCRIPT_ESCAPES)),  # noqa: S308 - escaped just above
    )


def dataset_as_panosc(dataset, request=None) -> dict:
    """The PaNOSC-shaped dict of a dataset that ``dataset_jsonld`` reads."""
    path = reverse("portal:dataset", kwargs={"pid": dataset.pid})
    document = {
        "pid": dataset.pid,
        "title": dataset.title,
        "creationDate": dataset.creation_date.isoformat() if dataset.creation_date else "",
        "url": request.build_absolute_uri(path) if request is not None else path,
        "techniques": [{"pid": t.iri, "name": t.label} for t in dataset.techniques.all()],
    }
    if dataset.instrument_name:
        document["instrument"] = {"name": dataset.instrument_name, "pid": dataset.instrument_pid}
    return document

"""JSON-LD rendering of techniques: the same JSON with an ``@context`` using SKOS and RDFS."""

from rest_framework.renderers import JSONRenderer

TERM_CONTEXT = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "iri": "@id",
    "type": "@type",
    "label": "skos:prefLabel",
    "synonyms": "skos:altLabel",
    "definition": "skos:definition",
    "obsolete": "owl:deprecated",
    "parents": {"@id": "skos:broader"},
    "children": {"@id": "skos:narrower"},
    "results": "@graph",
}


def _typed(item):
    """Mark a term dict as a SKOS concept, recursively through parents and children."""
    if isinstance(item, list):
        return [_typed(entry) for entry in item]
    if isinstance(item, dict) and "iri" in item:
        typed = {"type": "skos:Concept", **item}
        for key in ("parents", "children"):
            if key in typed:
                typed[key] = _typed(typed[key])
        return typed
    return item


class JSONLDRenderer(JSONRenderer):
    """Render on ``Accept: application/ld+json`` (or ``?format=jsonld``); errors stay plain."""

    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """Add the ``@context`` and ``@type`` to terms, lists and trees."""
        response = (renderer_context or {}).get("response")
        if data is None or (response is not None and response.status_code >= 400):
            return super().render(data, accepted_media_type, renderer_context)
        if isinstance(data, list):
            data = {"@context": TERM_CONTEXT, "@graph": _typed(data)}
        elif isinstance(data, dict) and "results" in data:
            data = {"@context": TERM_CONTEXT, **data, "results": _typed(data["results"])}
        elif isinstance(data, dict):
            data = {"@context": TERM_CONTEXT, **_typed(data)}
        return super().render(data, accepted_media_type, renderer_context)

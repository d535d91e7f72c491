"""OpenAPI examples of the ontologies API."""

from drf_spectacular.utils import OpenApiExample

SAXS = "http://purl.org/pan-science/PaNET/PaNET01188"
SAS = "http://purl.org/pan-science/PaNET/PaNET01124"
COUNTS = {"procedures": 2, "resources": 1, "datasets": 3}

TERM_EXAMPLE = OpenApiExample(
    "Small angle x-ray scattering",
    value={
        "id": 234,
        "iri": SAXS,
        "short_id": "PaNET01188",
        "label": "small angle x-ray scattering",
        "synonyms": ["SAXS"],
        "obsolete": False,
        "ontology": "panet",
        "parents": [{"id": 120, "iri": SAS, "label": "small angle scattering-based techniques"}],
        "counts": COUNTS,
    },
    response_only=True,
)

TREE_EXAMPLE = OpenApiExample(
    "Tree below small angle scattering, depth 2",
    value=[
        {
            "id": 120,
            "iri": SAS,
            "label": "small angle scattering-based techniques",
            "counts": COUNTS,
            "child_count": 1,
            "children": [
                {
                    "id": 234,
                    "iri": SAXS,
                    "label": "small angle x-ray scattering",
                    "counts": COUNTS,
                    "child_count": 0,
                    "children": [],
                }
            ],
        }
    ],
    response_only=True,
)

NEXUS_DEFINITION_EXAMPLE = OpenApiExample(
    "NXsas",
    value={
        "id": 1,
        "name": "NXsas",
        "category": "application",
        "contributed": False,
        "extends": "NXobject",
        "summary": "Raw 2-D small-angle scattering data with an area detector.",
        "terms": [
            {
                "id": 120,
                "iri": SAS,
                "label": "small angle scattering-based techniques",
                "confidence": 0.9,
                "note": "",
            }
        ],
        "required_groups": ["NXentry", "NXentry/NXinstrument/NXdetector", "NXentry/NXdata"],
        "required_fields": ["/ENTRY/definition", "/ENTRY/INSTRUMENT/DETECTOR/data"],
    },
    response_only=True,
)

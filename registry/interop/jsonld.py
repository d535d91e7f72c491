"""schema.org JSON-LD for pages: a procedure (SoftwareApplication) and a dataset (Dataset).

Functions return plain dicts; the portal embeds them as ``<script type="application/ld+json">``.
The dataset one takes a plain dict so that the registry layer does not import ``datasets``.
"""

from registry.choices import VersionStatus
from registry.models import Procedure

SCHEMA_ORG = "https://schema.org"
PANET_SET = "http://purl.org/pan-science/PaNET/PaNET.owl"


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def defined_term(iri: str, label: str = "") -> dict:
    """A technique as a schema.org DefinedTerm in the PaNET term set."""
    term = {"@type": "DefinedTerm", "@id": iri, "url": iri, "inDefinedTermSet": PANET_SET}
    if label:
        term["name"] = label
    term["termCode"] = iri.rstrip("/#").rsplit("/", 1)[-1]
    return term


def procedure_jsonld(procedure: Procedure, request=None) -> dict:
    """schema.org SoftwareApplication describing a procedure and its latest public version."""
    url = _absolute(request, f"/api/v1/procedures/{procedure.slug}/")
    latest = (
        procedure.versions.exclude(status=VersionStatus.DRAFT)
        .order_by("-published_at", "-created_at")
        .first()
    )
    document = {
        "@context": SCHEMA_ORG,
        "@type": "SoftwareApplication",
        "@id": url,
        "url": url,
        "identifier": procedure.slug,
        "name": procedure.name,
        "description": procedure.summary,
        "applicationCategory": "Scientific data analysis",
        "keywords": list(procedure.keywords or []),
        "about": [defined_term(t.iri, t.label) for t in procedure.techniques.all()],
        "provider": [
            {"@type": "Organization", "name": f.name, **({"url": f.url} if f.url else {})}
            for f in procedure.facilities.all()
        ],
        "author": [
            {"@type": "Person", "name": u.get_full_name() or u.username}
            for u in procedure.owners.all()
        ],
        "dateCreated": procedure.created_at.isoformat(),
        "dateModified": procedure.updated_at.isoformat(),
    }
    if procedure.license:
        document["license"] = f"https://spdx.org/licenses/{procedure.license}"
    if procedure.citation:
        document["citation"] = procedure.citation
    if latest is not None:
        document["softwareVersion"] = latest.version
        document["codeRepository"] = latest.code_repository
        if latest.container_image:
            document["softwareRequirements"] = latest.container_image
        if latest.published_at:
            document["datePublished"] = latest.published_at.isoformat()
    return document


def dataset_jsonld(dataset: dict) -> dict:
    """schema.org Dataset from a plain dict in the PaNOSC shape.

    Keys used: ``pid`` (required), ``title``, ``creationDate``, ``techniques`` (IRIs or dicts
    with ``pid``/``iri`` and ``name``/``label``), ``instrument`` (name or dict), ``url``,
    ``license``, ``description``, ``keywords``."""
    pid = dataset["pid"]
    document = {
        "@context": SCHEMA_ORG,
        "@type": "Dataset",
        "@id": dataset.get("url") or pid,
        "identifier": pid,
        "name": dataset.get("title") or pid,
    }
    if dataset.get("description"):
        document["description"] = dataset["description"]
    if dataset.get("creationDate"):
        document["dateCreated"] = str(dataset["creationDate"])
    if dataset.get("url"):
        document["url"] = dataset["url"]
    if dataset.get("license"):
        document["license"] = dataset["license"]
    if dataset.get("keywords"):
        document["keywords"] = list(dataset["keywords"])
    techniques = []
    for item in dataset.get("techniques") or []:
        if isinstance(item, dict):
            iri = item.get("pid") or item.get("iri") or ""
            techniques.append(defined_term(iri, item.get("name") or item.get("label") or ""))
        else:
            techniques.append(defined_term(str(item)))
    if techniques:
        document["measurementTechnique"] = techniques
    instrument = dataset.get("instrument")
    if instrument:
        name = instrument.get("name") if isinstance(instrument, dict) else str(instrument)
        document["contributor"] = {"@type": "Organization", "name": name}
    return document

"""Reading ontologies with rdflib: OWL (RDF/XML), Turtle and JSON-LD into :class:`TermRecord`s."""

from __future__ import annotations

import hashlib
from pathlib import Path

import rdflib
import requests
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from tqdm import tqdm

from config.api.errors import DomainError
from ontologies.services import TermRecord

OBO = rdflib.Namespace("http://purl.obolibrary.org/obo/")
OBO_IN_OWL = rdflib.Namespace("http://www.geneontology.org/formats/oboInOwl#")

FORMATS = {"owl": "xml", "rdf": "xml", "xml": "xml", "ttl": "turtle", "jsonld": "json-ld"}
SUFFIX_FORMATS = {".owl": "owl", ".rdf": "owl", ".xml": "owl", ".ttl": "ttl", ".jsonld": "jsonld"}
SUFFIX_FORMATS[".json"] = "jsonld"

LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel)
SYNONYM_PROPERTIES = (
    SKOS.altLabel,
    OBO_IN_OWL.hasExactSynonym,
    OBO_IN_OWL.hasRelatedSynonym,
    OBO_IN_OWL.hasBroadSynonym,
    OBO_IN_OWL.hasNarrowSynonym,
    OBO.IAO_0000118,  # alternative term
)
DEFINITION_PROPERTIES = (SKOS.definition, OBO.IAO_0000115, RDFS.comment)
DOWNLOAD_LIMIT = 50 * 1024 * 1024
# The own-term namespace of the ontologies we know, used when --iri-prefix is not given.
KNOWN_PREFIXES = {"panet": "http://purl.org/pan-science/PaNET/PaNET"}


def read_source(source: str) -> bytes:
    """Bytes of a local path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        try:
            response = requests.get(source, timeout=60)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise DomainError(f"Cannot download {source}: {exc}") from exc
        if len(response.content) > DOWNLOAD_LIMIT:
            raise DomainError(f"{source} is larger than {DOWNLOAD_LIMIT} bytes.")
        return response.content
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise DomainError(f"Cannot read {source}: {exc.strerror or exc}") from exc


def guess_format(source: str, content: bytes) -> str:
    """Short format name (owl, ttl, jsonld) from the file suffix, else from the first bytes."""
    suffix = Path(source.split("?", 1)[0]).suffix.lower()
    if suffix in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[suffix]
    head = content.lstrip()[:1]
    if head == b"<":
        return "owl"
    if head in (b"{", b"["):
        return "jsonld"
    return "ttl"


def parse_graph(content: bytes, fmt: str) -> rdflib.Graph:
    """Parse ``content`` in format ``fmt`` (owl, ttl, jsonld); raise DomainError if not RDF."""
    if fmt not in FORMATS:
        raise DomainError(f"Unknown format {fmt!r}; use one of owl, ttl, jsonld.")
    graph = rdflib.Graph()
    try:
        graph.parse(data=content, format=FORMATS[fmt])
    except Exception as exc:  # rdflib raises many parser-specific types
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DomainError(f"Not valid RDF ({fmt}): {reason}", code="ontology_invalid") from exc
    return graph


def _texts(graph: rdflib.Graph, subject: URIRef, properties) -> list[str]:
    """Literal values of ``properties`` on ``subject``, English or untagged first, deduplicated."""
    values: list[str] = []
    for prop in properties:
        literals = [o for o in graph.objects(subject, prop) if isinstance(o, Literal)]
        literals.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
        values.extend(str(lit).strip() for lit in literals if str(lit).strip())
    return list(dict.fromkeys(values))


def _fragment(iri: str) -> str:
    """The local name of an IRI, used as the label of an unlabelled class."""
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def named_classes(graph: rdflib.Graph, iri_prefix: str = "") -> list[URIRef]:
    """IRIs of the named classes: declared classes and named subjects of rdfs:subClassOf.

    With ``iri_prefix``, only classes whose IRI starts with it (the ontology's own terms, not
    classes it borrows such as foaf:Person).
    """
    classes = {s for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    classes |= {s for s in graph.subjects(RDF.type, RDFS.Class) if isinstance(s, URIRef)}
    classes |= {s for s in graph.subjects(RDFS.subClassOf, None) if isinstance(s, URIRef)}
    classes.discard(OWL.Thing)
    return sorted(iri for iri in classes if str(iri).startswith(iri_prefix))


def term_record(graph: rdflib.Graph, iri: URIRef, classes: set[URIRef]) -> TermRecord:
    """The facts of one named class; parents are named classes only (restrictions ignored)."""
    labels = _texts(graph, iri, LABEL_PROPERTIES)
    label = labels[0] if labels else _fragment(str(iri))
    synonyms = [s for s in _texts(graph, iri, SYNONYM_PROPERTIES) if s != label]
    synonyms += [s for s in labels[1:] if s not in synonyms]
    definitions = _texts(graph, iri, DEFINITION_PROPERTIES)
    parents = sorted(
        str(parent)
        for parent in graph.objects(iri, RDFS.subClassOf)
        if isinstance(parent, URIRef) and parent in classes and parent != iri
    )
    deprecated = any(
        str(value).strip().lower() in ("true", "1") for value in graph.objects(iri, OWL.deprecated)
    )
    return TermRecord(
        iri=str(iri),
        label=label[:300],
        synonyms=tuple(synonyms),
        parents=tuple(parents),
        obsolete=deprecated,
        definition=definitions[0] if definitions else "",
    )


def read_ontology(
    source: str, fmt: str | None = None, iri_prefix: str = "", progress: bool = False
) -> tuple[list[TermRecord], str]:
    """Read ``source`` (path or URL) into term records; return them and the SHA-256 of the bytes.

    Raises :class:`DomainError` when the source cannot be read, is not RDF or has no classes.
    """
    content = read_source(source)
    graph = parse_graph(content, fmt or guess_format(source, content))
    classes = named_classes(graph, iri_prefix)
    if not classes:
        where = f" under {iri_prefix}" if iri_prefix else ""
        raise DomainError(f"{source} declares no named classes{where}.", code="ontology_empty")
    class_set = set(classes)
    records = [
        term_record(graph, iri, class_set)
        for iri in tqdm(classes, desc="Reading classes", unit="term", disable=not progress)
    ]
    return records, hashlib.sha256(content).hexdigest()

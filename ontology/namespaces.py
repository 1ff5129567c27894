"""IRIs shared by every layer, so that loaders, store and API mint the same names."""

from rdflib import Namespace, URIRef

BOMAY = Namespace("https://w3id.org/bomay/ontology#")
ID = Namespace("https://w3id.org/bomay/id/")
VOCAB = Namespace("https://w3id.org/bomay/vocab/")
GRAPH = Namespace("https://w3id.org/bomay/graph/")
API = Namespace("https://w3id.org/bomay/api#")  # the service's own terms (result limit and policy)

ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

ONTOLOGY_GRAPH = URIRef(GRAPH["ontology"])
GAZETTEER_GRAPH = URIRef(GRAPH["gazetteer"])


def article_graph(doc_id: str) -> URIRef:
    """Named graph that holds everything one source article contributed."""
    return URIRef(GRAPH[f"article/{doc_id}"])


PREFIXES = {
    "bomay": BOMAY,
    "id": ID,
    "vocab": VOCAB,
    "org": ORG,
    "prov": PROV,
    "oa": OA,
    "time": TIME,
    "eli": ELI,
    "skos": Namespace("http://www.w3.org/2004/02/skos/core#"),
    "dcterms": Namespace("http://purl.org/dc/terms/"),
    "rdfs": Namespace("http://www.w3.org/2000/01/rdf-schema#"),
    "xsd": Namespace("http://www.w3.org/2001/XMLSchema#"),
}

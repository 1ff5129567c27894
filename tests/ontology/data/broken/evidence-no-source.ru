# An evidence span without a source.
# expect: http://www.w3.org/ns/oa#hasSource
PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX status: <https://w3id.org/bomay/vocab/status/>
PREFIX kind: <https://w3id.org/bomay/vocab/model-kind/>
DELETE WHERE { ?e oa:hasSource ?s . }

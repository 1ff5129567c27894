# A pilot application whose place is an agency, not a unit.
# expect: https://w3id.org/bomay/ontology#place
PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX status: <https://w3id.org/bomay/vocab/status/>
PREFIX kind: <https://w3id.org/bomay/vocab/model-kind/>
DELETE WHERE { <https://w3id.org/bomay/id/application/a1> bomay:place ?p . } ; INSERT DATA { <https://w3id.org/bomay/id/application/a1> bomay:place <https://w3id.org/bomay/id/agency/tinh-uy-bac-ninh> . }

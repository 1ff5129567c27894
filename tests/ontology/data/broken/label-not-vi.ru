# A labelled resource with an English label only.
# expect: http://www.w3.org/2000/01/rdf-schema#label
PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX status: <https://w3id.org/bomay/vocab/status/>
PREFIX kind: <https://w3id.org/bomay/vocab/model-kind/>
DELETE WHERE { <https://w3id.org/bomay/id/agency/tinh-uy-bac-ninh> rdfs:label ?l . } ; INSERT DATA { <https://w3id.org/bomay/id/agency/tinh-uy-bac-ninh> rdfs:label "Bac Ninh Provincial Party Committee"@en . }

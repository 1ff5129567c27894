# A status event whose when is not YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD.
# expect: https://w3id.org/bomay/ontology#when
PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX status: <https://w3id.org/bomay/vocab/status/>
PREFIX kind: <https://w3id.org/bomay/vocab/model-kind/>
DELETE WHERE { ?e bomay:when ?w . } ; INSERT DATA { <https://w3id.org/bomay/id/event/000/1> bomay:when "quý IV/2022" . }

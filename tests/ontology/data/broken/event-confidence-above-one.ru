# A status event whose confidence is not between 0 and 1.
# expect: https://w3id.org/bomay/ontology#confidence
PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { <https://w3id.org/bomay/id/event/000/1> bomay:confidence "1.5"^^xsd:decimal . }

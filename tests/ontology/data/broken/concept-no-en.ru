# A SKOS concept without an English prefLabel.
# expect: http://www.w3.org/2004/02/skos/core#prefLabel
PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX status: <https://w3id.org/bomay/vocab/status/>
PREFIX kind: <https://w3id.org/bomay/vocab/model-kind/>
INSERT DATA { <https://w3id.org/bomay/vocab/agency-type/x> a skos:Concept ; skos:inScheme <https://w3id.org/bomay/vocab/agency-type> ; skos:prefLabel "Ban X"@vi . <https://w3id.org/bomay/vocab/agency-type> a skos:ConceptScheme . }

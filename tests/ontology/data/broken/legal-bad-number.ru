# A legal document whose number is not in a Vietnamese numbering form.
# expect: https://w3id.org/bomay/ontology#documentNumber
PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX status: <https://w3id.org/bomay/vocab/status/>
PREFIX kind: <https://w3id.org/bomay/vocab/model-kind/>
DELETE WHERE { ?d bomay:documentNumber ?n . } ; INSERT DATA { <https://w3id.org/bomay/id/legal/tinh-uy-bac-ninh/68-kh-tu/2022> bomay:documentNumber "Kế hoạch số sáu tám" . }

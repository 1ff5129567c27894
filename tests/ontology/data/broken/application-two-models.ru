# A pilot application with two models.
# expect: https://w3id.org/bomay/ontology#model
PREFIX bomay: <https://w3id.org/bomay/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX status: <https://w3id.org/bomay/vocab/status/>
PREFIX kind: <https://w3id.org/bomay/vocab/model-kind/>
INSERT DATA { <https://w3id.org/bomay/id/model/m2> a bomay:MergerModel ; rdfs:label "Văn phòng Huyện ủy – HĐND – UBND"@vi ; bomay:modelKind kind:merger ; bomay:component <https://w3id.org/bomay/id/agency/tinh-uy-bac-ninh> . <https://w3id.org/bomay/id/application/a1> bomay:model <https://w3id.org/bomay/id/model/m2> . }

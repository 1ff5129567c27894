# A status event that claims two patterns read it.
# expect: https://w3id.org/bomay/ontology#rule
PREFIX bomay: <https://w3id.org/bomay/ontology#>
INSERT DATA { <https://w3id.org/bomay/id/event/000/1> bomay:rule "merger.object" , "concurrency.trigger" . }

# A status event that does not point at its article.
# expect: http://www.w3.org/ns/prov#wasDerivedFrom
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE WHERE { ?e prov:wasDerivedFrom ?a . }

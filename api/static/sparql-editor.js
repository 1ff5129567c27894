"use strict";
// The SPARQL editor of /sparql: YASGUI (installed from npm by `make install`, served by this app), set up
// for this endpoint only. Every request it makes goes to this app: example tabs from /api/examples,
// prefixes from static/editor/prefixes.json, class and property completions from this endpoint (YASQE's
// own come from an online vocabulary service).

(function () {
  const here = (path) => new URL(path, document.baseURI).href;
  const ENDPOINT = here("sparql");
  const ONTOLOGY_GRAPH = "https://w3id.org/bomay/graph/ontology";
  // Vietnamese tab names for graph/queries/cq*.rq (the query text keeps its own comments).
  const TAB_NAMES = {
    cq1_mergers: "CQ1 Hợp nhất ở đâu",
    cq2_model_places: "CQ2 Nơi áp dụng một mô hình",
    cq3_place_timeline: "CQ3 Dòng thời gian một nơi",
    cq4_document_decisions: "CQ4 Văn bản quyết định gì",
    cq5_concurrent_paused: "CQ5 Kiêm nhiệm tạm dừng",
    cq6_not_implemented: "CQ6 Chưa thực hiện",
    cq7_provenance: "CQ7 Nguồn của dữ kiện",
  };
  const DEFAULT_QUERY = [
    "PREFIX bomay: <https://w3id.org/bomay/ontology#>",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "",
    "# Các mô hình hợp nhất và nhãn của chúng / merger models and their labels",
    "SELECT ?model ?label WHERE {",
    "  ?model a bomay:MergerModel ;",
    "         rdfs:label ?label .",
    "}",
    "ORDER BY ?label",
    "LIMIT 50",
    "",
  ].join("\n");

  async function getJson(url, init) {
    try {
      const r = await fetch(url, init);
      return r.ok ? await r.json() : null;
    } catch (e) {
      return null;
    }
  }

  // Terms of the ontology graph, for completion after `a` (classes) and in predicate position.
  async function ontologyTerms(kinds) {
    const query =
      "SELECT DISTINCT ?t WHERE { GRAPH <" + ONTOLOGY_GRAPH + "> { ?t a ?k } " +
      "VALUES ?k { " + kinds.join(" ") + " } FILTER(isIRI(?t)) }";
    const data = await getJson(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
      body: query,
    });
    return data ? data.results.bindings.map((b) => b.t.value) : [];
  }

  function useLocalCompleters(Yasqe) {
    const OWL = "http://www.w3.org/2002/07/owl#", RDFS = "http://www.w3.org/2000/01/rdf-schema#";
    const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter((n) => n !== "class" && n !== "property");
    Yasqe.forkAutocompleter("class", {
      name: "bomayClass", bulk: true, autoShow: true, persistenceId: null,
      get: () => ontologyTerms(["<" + OWL + "Class>", "<" + RDFS + "Class>"]),
    });
    Yasqe.forkAutocompleter("property", {
      name: "bomayProperty", bulk: true, autoShow: true, persistenceId: null,
      get: () => ontologyTerms(["<" + OWL + "ObjectProperty>", "<" + OWL + "DatatypeProperty>",
        "<" + RDF + "Property>", "<" + OWL + "AnnotationProperty>"]),
    });
  }

  async function start() {
    const Yasgui = window.Yasgui;
    if (typeof Yasgui === "undefined") {
      document.getElementById("editor-missing").hidden = false;
      return;
    }
    useLocalCompleters(Yasgui.Yasqe);
    const [prefixes, examples] = await Promise.all([
      getJson(here("static/editor/prefixes.json")),
      getJson(here("api/examples")),
    ]);
    const yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: ENDPOINT, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: () => [{ endpoint: ENDPOINT }], keys: [] },
      populateFromUrl: false,
      autofocus: false,
      persistenceId: "bomay-sparql-editor",
      yasqe: { value: DEFAULT_QUERY, prefixCcApi: here("static/editor/prefixes.json"), createShortLink: undefined },
      yasr: { prefixes: prefixes || {}, defaultPlugin: "table" },
    });
    const firstVisit = Object.keys(yasgui._tabs).length <= 1;
    let first = null;
    for (const ex of (examples && examples.items) || []) {
      const name = TAB_NAMES[ex.name] || ex.name;
      let tab = yasgui.tabNameTaken(name);
      if (!tab) {
        tab = yasgui.addTab(false, { name, yasqe: { value: ex.query } });
      }
      first = first || tab;
    }
    if (firstVisit && first) {
      yasgui.selectTabId(first.getId());
    }
    window.bomayEditor = yasgui;  // for the browser tests and the curious
    document.body.dataset.ready = "1";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

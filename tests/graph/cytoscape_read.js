// Opens a Cytoscape JSON export in cytoscape.js (headless) and prints what it drew, for test_exports.py.
"use strict";
const cytoscape = require("cytoscape");
const data = JSON.parse(require("fs").readFileSync(0, "utf-8"));
const cy = cytoscape({ headless: true, styleEnabled: true, elements: data.elements, style: data.style,
  layout: { name: "preset" } });  // the positions the export wrote, as Cytoscape desktop keeps them
const nodes = {};
cy.nodes().forEach((n) => {
  nodes[n.id()] = { label: n.style("label"), colour: n.style("background-color"), position: n.position() };
});
const edges = cy.edges().map((e) => ({ label: e.style("label"), colour: e.style("line-color") }));
cy.destroy();  // cytoscape.js keeps a render timer that would hold node open
process.stdout.write(JSON.stringify({ nodes, edges }), () => process.exit(0));

// Bộ Máy KG explorer: search, a force-laid SVG graph, facts with their source sentence, a SPARQL editor.
// Every label from the data goes through textContent / createTextNode, never through HTML parsing.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const TYPE_COLOURS = {
  place: "#2e7d32", province: "#1b5e20", merger: "#c62828", concurrent_position: "#6a1b9a",
  other: "#ef6c00", model: "#ef6c00", document: "#1565c0", agency: "#00838f", position: "#ad1457",
};
const TYPE_LABELS = {
  place: "Đơn vị hành chính", province: "Tỉnh / thành phố", merger: "Mô hình hợp nhất",
  concurrent_position: "Mô hình kiêm nhiệm", other: "Mô hình khác", document: "Văn bản",
  agency: "Cơ quan", position: "Chức danh",
};
// One hue per status, none in the greens of place and province nodes (a status is drawn as a ring round
// a place and as the colour of its edge): tests/api/test_pages_browser.py measures the distances.
const STATUS_COLOURS = {
  researching: "#039be5", planned: "#3949ab", implemented: "#00acc1", continued: "#8e24aa",
  not_implemented: "#757575", paused: "#f9a825", stopped: "#e64a19", ended: "#5d4037",
};
const STATUS_LABELS = {
  continued: "tiếp tục", researching: "nghiên cứu", planned: "dự kiến", implemented: "đã thực hiện",
  not_implemented: "chưa thực hiện", paused: "tạm dừng", stopped: "dừng", ended: "kết thúc",
};

const $ = (id) => document.getElementById(id);
const articleCache = new Map();
let current = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

async function getJSON(url, options) {
  const res = await fetch(url, options);
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new Error((body && body.message) || `HTTP ${res.status}`);
  return body;
}

function setStatus(text, isError) {
  const line = $("status-line");
  line.textContent = text;
  line.className = isError ? "error" : "";
}

// ---- legend ----------------------------------------------------------------------------------------
function buildLegend() {
  const legend = $("legend");
  for (const [type, label] of Object.entries(TYPE_LABELS)) {
    const sw = el("span", { class: "swatch" });
    sw.style.background = TYPE_COLOURS[type];
    legend.append(el("li", {}, sw, label));
  }
  for (const [status, label] of Object.entries(STATUS_LABELS)) {
    const sw = el("span", { class: "swatch line" });
    sw.style.background = STATUS_COLOURS[status];
    legend.append(el("li", {}, sw, `trạng thái: ${label}`));
  }
}

// ---- search ----------------------------------------------------------------------------------------
const CATEGORY_LABELS = { place: "địa bàn", model: "mô hình", document: "văn bản", agency: "cơ quan", position: "chức danh" };
const GRAPHABLE = ["unit/", "model/", "legal/", "article/"];

async function search(q) {
  const list = $("results");
  list.replaceChildren();
  if (!q.trim()) return;
  setStatus("Đang tìm…");
  let data;
  try {
    data = await getJSON(`/api/search?q=${encodeURIComponent(q)}&per_page=100`);
  } catch (e) {
    setStatus(`Lỗi: ${e.message}`, true);
    return;
  }
  const items = data.items.filter((it) => it.id && GRAPHABLE.some((p) => it.id.startsWith(p)));
  setStatus(items.length ? `${data.total} kết quả` : "Không tìm thấy kết quả nào.");
  const order = { place: 0, model: 1, document: 2 };
  items.sort((a, b) => (order[a.category] ?? 9) - (order[b.category] ?? 9));
  for (const it of items) {
    const button = el("button", { type: "button", "data-id": it.id }, it.label || it.id,
      el("span", { class: "cat" }, CATEGORY_LABELS[it.category] || it.category));
    button.addEventListener("click", () => loadGraph(it.id, it.label, button));
    list.append(el("li", {}, button));
  }
  if (items.length) loadGraph(items[0].id, items[0].label, list.querySelector("button"));
}

// ---- graph -----------------------------------------------------------------------------------------
async function loadGraph(id, label, button) {
  for (const b of $("results").querySelectorAll("button")) b.classList.remove("active");
  if (button) button.classList.add("active");
  $("graph-title").textContent = `Đồ thị: ${label || id}`;
  let data;
  try {
    data = await getJSON(`/api/graph?id=${encodeURIComponent(id)}`);
  } catch (e) {
    $("graph").replaceChildren();
    setStatus(`Không vẽ được đồ thị: ${e.message}`, true);
    return;
  }
  current = data;
  layout(data.nodes, data.edges);
  drawGraph(data);
  const focus = data.nodes.find((n) => n.focus);
  if (focus) showNode(focus);
}

function layout(nodes, edges) {
  // A small force simulation: repulsion between all nodes, springs along edges, a pull to the centre.
  const W = 900, H = 600;
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  nodes.forEach((n, i) => {
    const a = (2 * Math.PI * i) / nodes.length;
    n.x = W / 2 + 220 * Math.cos(a) + (i % 7);
    n.y = H / 2 + 200 * Math.sin(a) + (i % 5);
    if (n.focus) { n.x = W / 2; n.y = H / 2; }
  });
  const links = edges.map((e) => [index.get(e.source), index.get(e.target)]).filter(([a, b]) => a !== undefined && b !== undefined);
  // Bigger graphs get more room: stronger repulsion, longer springs.
  const spread = Math.max(1, nodes.length / 15);
  const repulsion = 9000 * spread, springLength = 140 * Math.sqrt(spread);
  for (let step = 0; step < 400; step++) {
    const t = 1 - step / 400;
    const fx = new Float64Array(nodes.length), fy = new Float64Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        let dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
        let d2 = dx * dx + dy * dy;
        if (d2 < 1) { dx = 1; dy = 0; d2 = 1; }
        const f = repulsion / d2;
        const d = Math.sqrt(d2);
        fx[i] += (f * dx) / d; fy[i] += (f * dy) / d;
        fx[j] -= (f * dx) / d; fy[j] -= (f * dy) / d;
      }
    }
    for (const [a, b] of links) {
      const dx = nodes[b].x - nodes[a].x, dy = nodes[b].y - nodes[a].y;
      const d = Math.max(1, Math.sqrt(dx * dx + dy * dy));
      const f = (d - springLength) * 0.04;
      fx[a] += (f * dx) / d; fy[a] += (f * dy) / d;
      fx[b] -= (f * dx) / d; fy[b] -= (f * dy) / d;
    }
    nodes.forEach((n, i) => {
      fx[i] += ((W / 2 - n.x) * 0.01) / Math.sqrt(spread); fy[i] += ((H / 2 - n.y) * 0.01) / Math.sqrt(spread);
      const cap = 30 * t + 1;
      n.x += Math.max(-cap, Math.min(cap, fx[i]));
      n.y += Math.max(-cap, Math.min(cap, fy[i]));
    });
  }
}

// Wheel zooms around the pointer, dragging the background pans: both just move the SVG viewBox.
function enableZoom(g) {
  let drag = null;
  const box = () => g.getAttribute("viewBox").split(" ").map(Number);
  const toSvg = (ev) => {
    const [x, y, w, h] = box(), r = g.getBoundingClientRect();
    return [x + ((ev.clientX - r.left) / r.width) * w, y + ((ev.clientY - r.top) / r.height) * h];
  };
  g.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const [x, y, w, h] = box(), [px, py] = toSvg(ev);
    const k = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    g.setAttribute("viewBox", `${px - (px - x) * k} ${py - (py - y) * k} ${w * k} ${h * k}`);
  }, { passive: false });
  g.addEventListener("pointerdown", (ev) => {
    if (ev.target.closest(".node")) return;
    drag = { start: toSvg(ev), view: box() };
    g.setPointerCapture(ev.pointerId);
  });
  g.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const [x, y, w, h] = drag.view, r = g.getBoundingClientRect();
    const dx = ((ev.clientX - r.left) / r.width) * w + x - drag.start[0];
    const dy = ((ev.clientY - r.top) / r.height) * h + y - drag.start[1];
    g.setAttribute("viewBox", `${x - dx} ${y - dy} ${w} ${h}`);
  });
  g.addEventListener("pointerup", () => { drag = null; });
}

function drawGraph(data) {
  const g = $("graph");
  g.replaceChildren();
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  // Fit the view to the nodes and to their labels (about 6.5 px per character at 11 px).
  const xs = data.nodes.map((n) => n.x), ys = data.nodes.map((n) => n.y);
  const rights = data.nodes.map((n) => n.x + 20 + 6.5 * Math.min(42, n.label.length));
  const pad = 40;
  const minX = Math.min(...xs) - pad, minY = Math.min(...ys) - pad;
  const w = Math.max(...rights) - minX + pad, h = Math.max(...ys) - minY + pad + 20;
  g.setAttribute("viewBox", `${minX} ${minY} ${Math.max(w, 300)} ${Math.max(h, 200)}`);
  const edgeLayer = svg("g", { class: "edges" }), nodeLayer = svg("g", { class: "nodes" });
  g.append(edgeLayer, nodeLayer);
  const crowded = data.edges.length > 40;  // then only status edges keep their labels
  for (const e of data.edges) {
    const a = byId.get(e.source), b = byId.get(e.target);
    if (!a || !b) continue;
    const group = svg("g", { class: "edge" });
    const colour = e.status ? STATUS_COLOURS[e.status] || "#999" : "#b0b7bf";
    group.append(svg("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: colour }));
    const text = svg("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, "text-anchor": "middle" });
    text.textContent = e.label;
    if (!crowded || e.status) group.append(text);
    edgeLayer.append(group);
  }
  for (const n of data.nodes) {
    const group = svg("g", { class: `node${n.focus ? " focus" : ""}`, "data-id": n.id, "data-type": n.type, tabindex: 0, role: "button" });
    const r = n.type === "place" || n.type === "province" ? 13 : n.type.endsWith("merger") || n.type.includes("position") && n.type !== "position" ? 12 : 9;
    const circle = svg("circle", { cx: n.x, cy: n.y, r, fill: TYPE_COLOURS[n.type] || "#777" });
    if (n.status) {
      circle.setAttribute("stroke", STATUS_COLOURS[n.status] || "#999");
      circle.setAttribute("stroke-width", 4);
    }
    const title = svg("title");
    title.textContent = `${TYPE_LABELS[n.type] || n.type}: ${n.label}`;
    const text = svg("text", { x: n.x + r + 3, y: n.y + 4 });
    text.textContent = n.label.length > 42 ? `${n.label.slice(0, 40)}…` : n.label;
    if (n.status) {
      const st = svg("tspan", { x: n.x + r + 3, dy: 13, fill: STATUS_COLOURS[n.status] || "#555" });
      st.textContent = `(${STATUS_LABELS[n.status] || n.status})`;
      text.append(st);
    }
    group.append(title, circle, text);
    group.addEventListener("click", () => showNode(n));
    group.addEventListener("keydown", (ev) => { if (ev.key === "Enter") showNode(n); });
    nodeLayer.append(group);
  }
}

// ---- details ---------------------------------------------------------------------------------------
function factsFor(node) {
  if (!current) return [];
  const direct = current.facts.filter((f) => f.place === node.id || f.model === node.id || f.document === node.id);
  if (direct.length) return direct;
  const neighbours = new Set(current.edges.filter((e) => e.source === node.id || e.target === node.id)
    .flatMap((e) => [e.source, e.target]));
  return current.facts.filter((f) => neighbours.has(f.model) || neighbours.has(f.place));
}

function showNode(node) {
  for (const n of $("graph").querySelectorAll(".node")) n.classList.toggle("selected", n.getAttribute("data-id") === node.id);
  $("detail-title").textContent = `${TYPE_LABELS[node.type] || node.type}: ${node.label}`;
  const box = $("facts");
  box.replaceChildren();
  const facts = factsFor(node);
  if (!facts.length) box.append(el("p", {}, "Không có dữ kiện."));
  facts.forEach((f, i) => {
    const item = el("div", { class: "fact", "data-event": f.event || "" },
      el("span", { class: "st" }, f.status_label || STATUS_LABELS[f.status] || f.status || ""),
      f.when ? ` · ${f.when}` : "", f.count ? ` · ${f.count}` : "",
      el("div", {}, `${f.model_label || ""} — ${f.place_label || ""}`),
      f.document_label ? el("div", {}, `Văn bản: ${f.document_label}`) : "",
      f.evidence && f.evidence.text ? el("q", {}, f.evidence.text) : "");
    item.style.borderLeftColor = STATUS_COLOURS[f.status] || "#999";
    item.addEventListener("click", () => showEvidence(f));
    box.append(item);
    if (i === 0) showEvidence(f);
  });
  showLineage(node);
}

// A place's lineage across the reform of 1 July 2025: where a former unit's territory went, or where a
// new unit's came from, from /api/places/{id}.
async function showLineage(node) {
  const box = $("lineage");
  box.replaceChildren();
  const marker = "/id/unit/";
  const at = node.id.indexOf(marker);
  if ((node.type !== "place" && node.type !== "province") || at < 0) return;
  let place;
  try {
    place = await getJSON(`/api/places/${node.id.slice(at + marker.length)}`);
  } catch (e) {
    return;  // a unit outside the gazetteer has no lineage to show
  }
  const rows = [["Nay thuộc (sau 1/7/2025)", place.successors || []],
                ["Hình thành từ (trước 1/7/2025)", place.predecessors || []]];
  for (const [title, units] of rows) {
    if (!units.length) continue;
    const list = el("ul", { class: "lineage" });
    for (const u of units) list.append(el("li", {}, u.parent_label ? `${u.label} (${u.parent_label})` : u.label));
    box.append(el("h3", {}, title), list);
  }
  const pilots = place.pilots_on_territory || [];
  if (pilots.length) {
    const list = el("ul", { class: "lineage" });
    for (const p of pilots) list.append(el("li", {}, `${p.place_label}: ${p.model_label} — ${STATUS_LABELS[p.status] || p.status}${p.when ? " · " + p.when : ""}`));
    box.append(el("h3", {}, "Thí điểm trước đây trên địa bàn"), list);
  }
}

async function showEvidence(fact) {
  const box = $("article");
  if (!fact.article_id) { box.replaceChildren(el("p", {}, "Không có bài báo nguồn.")); return; }
  let doc = articleCache.get(fact.article_id);
  if (!doc) {
    try {
      doc = await getJSON(`/api/documents/article/${encodeURIComponent(fact.article_id)}`);
    } catch (e) {
      box.replaceChildren(el("p", { class: "error" }, `Không tải được bài báo: ${e.message}`));
      return;
    }
    articleCache.set(fact.article_id, doc);
  }
  const text = doc.text || "";
  let start = fact.evidence ? fact.evidence.start : null, end = fact.evidence ? fact.evidence.end : null;
  const quote = fact.evidence ? fact.evidence.text : null;
  if (quote && (start == null || text.slice(start, end) !== quote)) {
    start = text.indexOf(quote);
    end = start >= 0 ? start + quote.length : null;
  }
  box.replaceChildren();
  box.append(el("div", { class: "article-title" }, doc.label || fact.article_id));
  if (start == null || start < 0) { box.append(document.createTextNode(text)); return; }
  const mark = el("mark", { id: "evidence" }, text.slice(start, end));
  box.append(document.createTextNode(text.slice(0, start)), mark, document.createTextNode(text.slice(end)));
  centreWithin(box, mark);
}

// Centre `target` inside the scrolling `box` only: scrollIntoView also scrolls the window, so the page
// jumped on load (a search from ?q= shows its first fact) and the header and search box left the screen.
function centreWithin(box, target) {
  const b = box.getBoundingClientRect(), t = target.getBoundingClientRect();
  box.scrollTop += t.top - b.top - (box.clientHeight - t.height) / 2;
}

// ---- SPARQL editor ---------------------------------------------------------------------------------
async function loadExamples() {
  try {
    const data = await getJSON("/api/examples");
    const select = $("examples");
    data.items.forEach((ex) => select.append(el("option", { value: ex.name }, `${ex.name}: ${ex.title}`)));
    select.addEventListener("change", () => {
      const ex = data.items.find((x) => x.name === select.value);
      if (ex) $("sparql").value = ex.query;
    });
  } catch (e) { /* examples are optional */ }
}

function termText(t) {
  if (!t) return "";
  if (t.type === "literal" && t["xml:lang"]) return `${t.value} @${t["xml:lang"]}`;
  return t.value;
}

async function runSparql() {
  const out = $("sparql-result"), status = $("sparql-status");
  out.replaceChildren();
  status.textContent = "Đang chạy…";
  status.className = "";
  const body = new URLSearchParams({ query: $("sparql").value });
  const res = await fetch("/sparql", { method: "POST", body,
    headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" } });
  const type = res.headers.get("content-type") || "";
  if (!res.ok) {
    let msg = `HTTP ${res.status}`;
    try { msg = (await res.json()).message; } catch (e) { /* keep status */ }
    status.textContent = msg;
    status.className = "error";
    return;
  }
  if (!type.includes("sparql-results+json")) {
    status.textContent = "Kết quả đồ thị (Turtle):";
    out.append(el("pre", {}, await res.text()));
    return;
  }
  const data = await res.json();
  if ("boolean" in data) { status.textContent = `ASK: ${data.boolean}`; return; }
  const vars = data.head.vars;
  status.textContent = `${data.results.bindings.length} dòng`;
  const table = el("table", {}, el("tr", {}, ...vars.map((v) => el("th", {}, v))));
  for (const row of data.results.bindings) table.append(el("tr", {}, ...vars.map((v) => el("td", {}, termText(row[v])))));
  out.append(table);
}

document.addEventListener("DOMContentLoaded", () => {
  buildLegend();
  enableZoom($("graph"));
  loadExamples();
  $("search-form").addEventListener("submit", (ev) => { ev.preventDefault(); search($("search").value); });
  $("run-sparql").addEventListener("click", runSparql);
  const q = new URLSearchParams(location.search).get("q");
  if (q) { $("search").value = q; search(q); }
});

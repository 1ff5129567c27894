// Bộ Máy KG explorer: search, a two-column graph (models on the left, places grouped under their
// province on the right, status edges between), facts with their source sentence and a timeline, a
// SPARQL editor. Every label from the data goes through textContent / createTextNode, never HTML parsing.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const FONT = 'system-ui, "Segoe UI", Roboto, sans-serif';
// Colours and status labels come from /api/palette (graph/palette.json and the status vocabulary), the
// same as in every export.
// Until it loads (or if it cannot), everything is grey.
let PALETTE = { node: {}, status: {}, edge: "grey", unknown_status: "grey", unknown_node: "grey", status_labels: {} };
const TYPE_LABELS = {
  place: "Đơn vị hành chính", province: "Tỉnh / thành phố", merger: "Mô hình hợp nhất",
  concurrent_position: "Mô hình kiêm nhiệm", other: "Mô hình khác", document: "Văn bản",
  agency: "Cơ quan", position: "Chức danh", article: "Bài báo",
};
const MODEL_TYPES = new Set(["merger", "concurrent_position", "other", "model"]);
const PLACE_TYPES = new Set(["place", "province"]);
const COMPONENT_TYPES = new Set(["agency", "position"]);
const LEVEL_ORDER = { province: 0, district: 1, commune: 2, village: 3 };

const $ = (id) => document.getElementById(id);
const articleCache = new Map();
const graphCache = new Map();
// What is drawn: nodes, edges and facts by key, the models whose components are shown, the selection.
let view = null;

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

// The path id /api/graph takes: a resource IRI after its `/id/` (every resource of ours lives there).
const localId = (iri) => (iri && iri.includes("/id/") ? iri.slice(iri.indexOf("/id/") + 4) : iri);
const nodeColour = (type) => PALETTE.node[type] || PALETTE.unknown_node;
const statusColour = (status) => PALETTE.status[status] || PALETTE.unknown_status;
const statusLabel = (status) => PALETTE.status_labels[status] || status || "";

// ---- text measuring (labels are wrapped to the width they have, at a legible size) ------------------
const measurer = document.createElement("canvas").getContext("2d");
function textWidth(text, size, weight) {
  measurer.font = `${weight || "normal"} ${size}px ${FONT}`;
  return measurer.measureText(text).width;
}

// Words of `text` in lines no wider than `width`, at most `max` lines (the last one cut with "…").
function wrap(text, width, size, max) {
  const words = String(text).split(/\s+/).filter(Boolean);
  const lines = [];
  let line = "";
  for (const w of words) {
    const next = line ? `${line} ${w}` : w;
    if (!line || textWidth(next, size) <= width) { line = next; continue; }
    lines.push(line);
    line = w;
  }
  if (line) lines.push(line);
  if (lines.length <= max) return lines;
  const out = lines.slice(0, max);
  let last = out[max - 1];
  while (last && textWidth(`${last}…`, size) > width) last = last.slice(0, -1);
  out[max - 1] = `${last.trimEnd()}…`;
  return out;
}

// ---- legend ----------------------------------------------------------------------------------------
function buildLegend() {
  const legend = $("legend");
  legend.replaceChildren();
  for (const [type, label] of Object.entries(TYPE_LABELS)) {
    if (!PALETTE.node[type] || type === "article") continue;
    const sw = el("span", { class: "swatch" });
    sw.style.background = nodeColour(type);
    legend.append(el("li", {}, sw, label));
  }
  for (const status of Object.keys(PALETTE.status)) {
    const sw = el("span", { class: "swatch line" });
    sw.style.background = statusColour(status);
    legend.append(el("li", {}, sw, `trạng thái: ${statusLabel(status)}`));
  }
}

// ---- search ----------------------------------------------------------------------------------------
const CATEGORY_LABELS = { place: "địa bàn", model: "mô hình", document: "văn bản", agency: "cơ quan",
  position: "chức danh", article: "bài báo" };
const GRAPHABLE = ["unit/", "model/", "legal/", "article/", "agency/", "position/"];

// An article's title, from the article itself when the search hit carries no label.
async function articleDoc(id) {
  if (!articleCache.has(id)) {
    articleCache.set(id, getJSON(`/api/documents/article/${encodeURIComponent(id)}`).catch(() => null));
  }
  return articleCache.get(id);
}

async function itemLabel(it) {
  if (it.label) return it.label;
  if (it.id.startsWith("article/")) {
    const doc = await articleDoc(it.id.slice("article/".length));
    if (doc && (doc.title || doc.label)) return doc.title || doc.label;
    return "Bài báo không có tiêu đề";
  }
  return it.id;
}

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
  const labels = await Promise.all(items.map(itemLabel));
  items.forEach((it, i) => { it.shown = labels[i]; if (it.id.startsWith("article/")) it.category = "article"; });
  // the count is of the results listed below it
  const more = data.total > data.items.length ? ` (trong ${data.total})` : "";
  setStatus(items.length ? `${items.length} kết quả${more}` : "Không tìm thấy kết quả nào.");
  const order = { place: 0, model: 1, document: 2, article: 3 };
  items.sort((a, b) => (order[a.category] ?? 9) - (order[b.category] ?? 9));
  for (const it of items) {
    const button = el("button", { type: "button", "data-id": it.id }, it.shown,
      el("span", { class: "cat" }, CATEGORY_LABELS[it.category] || it.category));
    button.addEventListener("click", () => loadGraph(it.id, it.shown, button));
    list.append(el("li", {}, button));
  }
  if (items.length) loadGraph(items[0].id, items[0].shown, list.querySelector("button"));
}

// ---- graph data ------------------------------------------------------------------------------------
async function fetchGraph(id) {
  if (!graphCache.has(id)) {
    const p = getJSON(`/api/graph?id=${encodeURIComponent(id)}`);
    graphCache.set(id, p);
    p.catch(() => graphCache.delete(id));
  }
  return graphCache.get(id);
}

const edgeKey = (e) => `${e.source} ${e.target} ${e.relation} ${e.event || ""}`;

function merge(data) {
  for (const n of data.nodes) {
    const old = view.nodes.get(n.id);
    view.nodes.set(n.id, old ? { ...n, ...old } : { ...n, focus: false });
  }
  for (const e of data.edges) view.edges.set(edgeKey(e), e);
  for (const f of data.facts) view.facts.set(f.event, f);
  // a place's statuses are those of the facts now known about it
  for (const n of view.nodes.values()) {
    if (!PLACE_TYPES.has(n.type)) continue;
    const counts = new Map();
    for (const f of view.facts.values()) if (f.place === n.id) counts.set(f.status, (counts.get(f.status) || 0) + 1);
    n.statuses = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([status, count]) => ({ status, count, label: statusLabel(status) }));
  }
}

async function loadGraph(id, label, button) {
  for (const b of $("results").querySelectorAll("button")) b.classList.toggle("active", b === button);
  $("graph-title").textContent = `Đồ thị: ${label || id}`;
  let data;
  try {
    data = await fetchGraph(id);
  } catch (e) {
    $("graph").replaceChildren();
    setStatus(`Không vẽ được đồ thị: ${e.message}`, true);
    return;
  }
  view = { focus: data.focus, nodes: new Map(), edges: new Map(), facts: new Map(), expanded: new Set(), selected: null };
  merge(data);
  view.nodes.get(data.focus) && (view.nodes.get(data.focus).focus = true);
  const focus = view.nodes.get(data.focus);
  if (focus && !label) $("graph-title").textContent = `Đồ thị: ${focus.label}`;
  if (focus && MODEL_TYPES.has(focus.type)) view.expanded.add(focus.id);
  if (focus && COMPONENT_TYPES.has(focus.type)) {
    for (const e of view.edges.values()) if (e.target === focus.id) view.expanded.add(e.source);
  }
  render();
  if (focus) showNode(focus);
}

// ---- layout: models | status edges | places grouped under their province, then documents -----------
function visibleNodes() {
  const shown = new Set();
  for (const n of view.nodes.values()) {
    if (MODEL_TYPES.has(n.type) || PLACE_TYPES.has(n.type) || n.type === "document" || n.focus) shown.add(n.id);
  }
  for (const e of view.edges.values()) {
    if ((e.relation === "component" || e.relation === "result") && view.expanded.has(e.source)) shown.add(e.target);
  }
  return shown;
}

function layout() {
  const g = $("graph");
  const W = Math.max(300, Math.round(g.clientWidth || g.parentNode.clientWidth || 900));
  const size = W < 520 ? 13 : 14, small = size - 1, lineH = Math.round(size * 1.3);
  const M = 8, R = 8, gap = 6;
  const band = Math.max(36, Math.min(260, W * 0.22));
  const labelW = Math.max(80, (W - 2 * M - band - 2 * (R + 6)) / 2);
  const xL = M + labelW + R + 6, xR = xL + band;
  const shown = visibleNodes();
  const nodes = [...shown].map((id) => view.nodes.get(id));
  const byLabel = (a, b) => a.label.localeCompare(b.label, "vi");
  const pos = new Map();
  const groups = [];

  // left: models (focus first, then by level), each with its components when expanded
  const models = nodes.filter((n) => MODEL_TYPES.has(n.type))
    .sort((a, b) => (b.focus - a.focus) || (LEVEL_ORDER[a.level] ?? 9) - (LEVEL_ORDER[b.level] ?? 9) || byLabel(a, b));
  let y = M + 4;
  for (const m of models) {
    const top = y;
    const lines = wrap(m.label, labelW, size, 3);
    pos.set(m.id, { x: xL, y: y + lineH / 2, lines, size, anchor: "end", r: R });
    y += Math.max(lines.length * lineH, 2 * R) + gap;
    if (view.expanded.has(m.id)) {
      const parts = [...view.edges.values()]
        .filter((e) => e.source === m.id && (e.relation === "component" || e.relation === "result"))
        .map((e) => ({ node: view.nodes.get(e.target), relation: e.relation }))
        .filter((p) => p.node && !pos.has(p.node.id));
      for (const p of parts) {
        const prefix = p.relation === "result" ? "→ " : "";
        const plines = wrap(prefix + p.node.label, labelW - 12, small, 2);
        pos.set(p.node.id, { x: xL, y: y + lineH / 2, lines: plines, size: small, anchor: "end", r: 6 });
        y += Math.max(plines.length * (lineH - 2), 12) + 3;
      }
      y += gap;
    }
    groups.push({ x: M - 4, y: top - 3, w: labelW + 2 * R + 14, h: y - top - gap + 6, kind: "model" });
  }
  for (const n of nodes) {  // a focused agency or position with no expanded model: on the left
    if (!pos.has(n.id) && COMPONENT_TYPES.has(n.type)) {
      const lines = wrap(n.label, labelW, size, 3);
      pos.set(n.id, { x: xL, y: y + lineH / 2, lines, size, anchor: "end", r: 7 });
      y += lines.length * lineH + gap;
    }
  }
  const leftH = y;

  // right: places grouped by the unit they belong to (a province and its districts), then documents
  const places = nodes.filter((n) => PLACE_TYPES.has(n.type));
  const ids = new Set(places.map((p) => p.id));
  const roots = places.filter((p) => !p.parent || !ids.has(p.parent))
    .sort((a, b) => (b.focus - a.focus) || byLabel(a, b));
  const children = (p) => places.filter((c) => c.parent === p.id).sort(byLabel);
  y = M + 4;
  const placeItem = (p, depth) => {
    const indent = depth * 16;
    const x = xR + indent, w = labelW - indent;
    const lines = wrap(p.label, w, size, 2);
    const chips = statusLines(p.statuses || [], w, small);
    pos.set(p.id, { x, y: y + lineH / 2, lines, size, anchor: "start", r: R, chips, lineH });
    y += Math.max((lines.length + chips.length) * lineH, 2 * R) + gap;
    for (const c of children(p)) placeItem(c, depth + 1);
  };
  for (const root of roots) {
    const top = y;
    placeItem(root, 0);
    groups.push({ x: xR - R - 6, y: top - 3, w: W - M - xR + R + 10, h: y - top - gap + 6, kind: "place" });
    y += gap;
  }
  const docs = nodes.filter((n) => n.type === "document" || n.type === "article").sort(byLabel);
  if (docs.length) {
    y += 4;
    pos.set("#docs", { x: xR - R, y: y + lineH / 2, heading: "Văn bản, nguồn", size: small });
    y += lineH;
    for (const d of docs) {
      const lines = wrap(d.label, labelW, size, 2);
      pos.set(d.id, { x: xR, y: y + lineH / 2, lines, size, anchor: "start", r: 7 });
      y += Math.max(lines.length * lineH, 2 * R) + gap;
    }
  }
  return { W, H: Math.max(leftH, y) + M, pos, groups, lineH, size, narrow: band < 120 };
}

// A place's statuses as "label ×n" chips, wrapped into lines of the width there is.
function statusLines(statuses, width, size) {
  const lines = [];
  let line = [], used = 0;
  for (const s of statuses) {
    const text = s.count > 1 ? `${s.label} ×${s.count}` : s.label;
    const w = textWidth(`${text} · `, size, "600");
    if (line.length && used + w > width) { lines.push(line); line = []; used = 0; }
    if (w > width) {  // wider than the column: its words on lines of their own
      const parts = wrap(text, width, size + 1, 3);
      parts.slice(0, -1).forEach((part) => lines.push([{ ...s, text: part }]));
      line = [{ ...s, text: parts[parts.length - 1] }];
      used = textWidth(`${line[0].text} · `, size, "600");
      continue;
    }
    line.push({ ...s, text });
    used += w;
  }
  if (line.length) lines.push(line);
  return lines;
}

// ---- drawing ---------------------------------------------------------------------------------------
let lastLayout = null;

function render() {
  if (!view) return;
  const g = $("graph");
  const L = layout();
  lastLayout = L;
  g.replaceChildren();
  g.style.height = `${L.H}px`;
  g.classList.toggle("narrow", L.narrow);  // no room between the columns for edge labels
  fit();
  const groupLayer = svg("g", { class: "groups" }), edgeLayer = svg("g", { class: "edges" });
  const nodeLayer = svg("g", { class: "nodes" });
  g.append(groupLayer, edgeLayer, nodeLayer);
  for (const box of L.groups) {
    groupLayer.append(svg("rect", { class: `cluster ${box.kind}`, x: box.x, y: box.y, width: box.w, height: box.h, rx: 6 }));
  }
  // status edges: one path per model–place pair, in the colour of its latest status
  const pairs = new Map();
  for (const e of view.edges.values()) {
    const a = L.pos.get(e.source), b = L.pos.get(e.target);
    if (!a || !b) continue;
    const key = e.relation === "status" ? `${e.source} ${e.target} status` : edgeKey(e);
    if (!pairs.has(key)) pairs.set(key, []);
    pairs.get(key).push(e);
  }
  for (const list of pairs.values()) {
    list.sort((p, q) => (p.start || p.when || "").localeCompare(q.start || q.when || ""));
    const e = list[list.length - 1];
    const a = L.pos.get(e.source), b = L.pos.get(e.target);
    const group = svg("g", { class: `edge ${e.relation}`, "data-source": e.source, "data-target": e.target });
    let d;
    if (e.relation === "component" || e.relation === "result" || e.relation === "part_of") {
      const x = e.relation === "part_of" ? b.x : a.x;
      d = `M ${a.x} ${a.y} L ${x} ${b.y} L ${b.x} ${b.y}`;
      if (e.relation === "part_of") d = `M ${b.x} ${b.y} L ${b.x} ${a.y} L ${a.x} ${a.y}`;
    } else {
      const mid = (a.x + b.x) / 2;
      d = `M ${a.x} ${a.y} C ${mid} ${a.y}, ${mid} ${b.y}, ${b.x} ${b.y}`;
    }
    const colour = e.relation === "status" ? statusColour(e.status) : PALETTE.edge;
    const path = svg("path", { d, stroke: colour, fill: "none" });
    if (e.relation === "status") group.setAttribute("data-statuses", list.map((x) => x.status).join(" "));
    group.append(path);
    // the label sits at both ends (only the one away from the selected node shows): each of those ends is
    // a different node, so highlighted labels never pile up in the middle
    const text = svg("text", { class: "at-source", x: a.x + 10, y: a.y - 4, "text-anchor": "start" });
    text.textContent = e.relation === "status"
      ? list.map((x) => x.label).join("; ")
      : e.relation === "decided" ? "quyết định" : e.label;
    const title = svg("title");
    title.textContent = `${view.nodes.get(e.source)?.label || ""} — ${text.textContent} — ${view.nodes.get(e.target)?.label || ""}`;
    const far = svg("text", { class: "at-target", x: b.x - 12, y: b.y - 4, "text-anchor": "end" });
    far.textContent = text.textContent;
    group.append(title, text, far);
    edgeLayer.append(group);
  }
  const heading = L.pos.get("#docs");
  if (heading) {
    const t = svg("text", { class: "heading", x: heading.x, y: heading.y + 4, "font-size": heading.size });
    t.textContent = heading.heading;
    nodeLayer.append(t);
  }
  for (const [id, p] of L.pos) {
    const n = view.nodes.get(id);
    if (!n) continue;
    nodeLayer.append(drawNode(n, p, L));
  }
  highlight();
}

function drawNode(n, p, L) {
  const group = svg("g", { class: `node${n.focus ? " focus" : ""}`, "data-id": n.id, "data-type": n.type,
    tabindex: 0, role: "button" });
  const title = svg("title");
  title.textContent = `${TYPE_LABELS[n.type] || n.type}: ${n.label}`;
  group.append(title);
  const statuses = n.statuses || [];
  if (statuses.length) {
    // a ring of one arc per reported status event, each in its status's colour
    group.setAttribute("data-statuses", statuses.map((s) => `${s.status}:${s.count}`).join(" "));
    const total = statuses.reduce((t, s) => t + s.count, 0);
    let angle = -Math.PI / 2;
    const ring = svg("g", { class: "ring" });
    for (const s of statuses) {
      for (let i = 0; i < s.count; i++) {
        const next = angle + (2 * Math.PI) / total;
        ring.append(arc(p.x, p.y, p.r + 3, angle, next, statusColour(s.status), s.status, total));
        angle = next;
      }
    }
    group.append(ring);
  }
  group.append(svg("circle", { cx: p.x, cy: p.y, r: p.r, fill: nodeColour(n.type) }));
  const dx = p.anchor === "end" ? -(p.r + 6) : p.r + 6;
  const text = svg("text", { x: p.x + dx, y: p.y + p.size * 0.35, "text-anchor": p.anchor, "font-size": p.size });
  p.lines.forEach((line, i) => {
    const span = svg("tspan", { x: p.x + dx, dy: i ? Math.round(p.size * 1.3) : 0 });
    span.textContent = line;
    text.append(span);
  });
  (p.chips || []).forEach((line, i) => {
    line.forEach((chip, j) => {
      const attrs = { class: "chip", fill: statusColour(chip.status), "font-size": p.size - 1, "data-status": chip.status };
      if (j === 0) Object.assign(attrs, { x: p.x + dx, dy: i || p.lines.length ? Math.round(p.size * 1.3) : 0 });
      const span = svg("tspan", attrs);
      span.textContent = j ? ` · ${chip.text}` : chip.text;
      text.append(span);
    });
  });
  group.append(text);
  if (COMPONENT_TYPES.has(n.type) === false && !MODEL_TYPES.has(n.type) && !PLACE_TYPES.has(n.type)) {
    group.classList.add("doc");
  }
  group.addEventListener("click", () => showNode(n));
  group.addEventListener("dblclick", () => expand(n));
  group.addEventListener("keydown", (ev) => { if (ev.key === "Enter") showNode(n); });
  return group;
}

function arc(cx, cy, r, a0, a1, colour, status, total) {
  if (total === 1) return svg("circle", { class: "arc", cx, cy, r, fill: "none", stroke: colour, "stroke-width": 4, "data-status": status });
  const x0 = cx + r * Math.cos(a0), y0 = cy + r * Math.sin(a0);
  const x1 = cx + r * Math.cos(a1 - 0.12), y1 = cy + r * Math.sin(a1 - 0.12);
  const large = a1 - a0 > Math.PI ? 1 : 0;
  return svg("path", { class: "arc", d: `M ${x0} ${y0} A ${r} ${r} 0 ${large} 1 ${x1} ${y1}`, fill: "none",
    stroke: colour, "stroke-width": 4, "data-status": status });
}

function highlight() {
  const id = view && view.selected;
  for (const n of $("graph").querySelectorAll(".node")) n.classList.toggle("selected", n.getAttribute("data-id") === id);
  for (const e of $("graph").querySelectorAll(".edge")) {
    const source = e.getAttribute("data-source") === id, target = e.getAttribute("data-target") === id;
    e.classList.toggle("hl", !!id && (source || target));
    e.classList.toggle("from-selected", !!id && source);
  }
}

// The view box: the whole drawing at one SVG unit per CSS pixel (labels keep their size), or a zoom.
function fit() {
  const g = $("graph");
  if (!lastLayout) return;
  g.setAttribute("viewBox", `0 0 ${lastLayout.W} ${lastLayout.H}`);
}

function zoomBy(k, px, py) {
  const g = $("graph");
  const [x, y, w, h] = g.getAttribute("viewBox").split(" ").map(Number);
  if (px === undefined) { px = x + w / 2; py = y + h / 2; }
  g.setAttribute("viewBox", `${px - (px - x) * k} ${py - (py - y) * k} ${w * k} ${h * k}`);
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
    if (!ev.ctrlKey && !ev.metaKey && !g.classList.contains("zoomed")) return;  // let the page scroll
    ev.preventDefault();
    const [px, py] = toSvg(ev);
    zoomBy(ev.deltaY > 0 ? 1.15 : 1 / 1.15, px, py);
    g.classList.add("zoomed");
  }, { passive: false });
  g.addEventListener("pointerdown", (ev) => {
    if (ev.target.closest(".node") || ev.pointerType === "touch" && !g.classList.contains("zoomed")) return;
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
  $("zoom-in").addEventListener("click", () => { zoomBy(1 / 1.25); g.classList.add("zoomed"); });
  $("zoom-out").addEventListener("click", () => { zoomBy(1.25); g.classList.add("zoomed"); });
  $("zoom-fit").addEventListener("click", () => { fit(); g.classList.remove("zoomed"); });
}

// ---- expand and re-centre --------------------------------------------------------------------------
async function expand(node) {
  if (!GRAPHABLE.some((p) => localId(node.id).startsWith(p))) return;
  let data;
  try {
    data = await fetchGraph(localId(node.id));
  } catch (e) {
    setStatus(`Không mở rộng được: ${e.message}`, true);
    return;
  }
  merge(data);
  if (MODEL_TYPES.has(node.type)) view.expanded.add(node.id);
  render();
  showNode(view.nodes.get(node.id) || node);
}

// The node becomes the focus of a graph of its own; the address (?id=...) keeps it, for a link or reload.
function recentre(node) {
  history.replaceState(null, "", `?id=${encodeURIComponent(localId(node.id))}`);
  loadGraph(localId(node.id), node.label, null);
}

// ---- details ---------------------------------------------------------------------------------------
// Every fact about a node: from its own graph (a model's places not drawn yet included).
async function factsOf(node) {
  const id = localId(node.id);
  let facts = [...view.facts.values()];
  if (GRAPHABLE.some((p) => id.startsWith(p))) {
    try { facts = (await fetchGraph(id)).facts; } catch (e) { /* the drawn facts then */ }
  }
  const own = facts.filter((f) => f.place === node.id || f.model === node.id || f.document === node.id
    || (node.type === "article" && f.article_id === id.slice("article/".length)));
  if (own.length) return own;
  const neighbours = new Set([...view.edges.values()].filter((e) => e.source === node.id || e.target === node.id)
    .flatMap((e) => [e.source, e.target]));
  return facts.filter((f) => neighbours.has(f.model) || neighbours.has(f.place));
}

async function showNode(node) {
  view.selected = node.id;
  highlight();
  $("detail-title").textContent = `${TYPE_LABELS[node.type] || node.type}: ${node.label}`;
  const actions = $("node-actions");
  actions.replaceChildren();
  const box = $("facts");
  box.replaceChildren(el("p", {}, "Đang tải…"));
  const facts = await factsOf(node);
  if (view.selected !== node.id) return;
  const drawnEvents = new Set(view.facts.keys());
  const missing = facts.filter((f) => !drawnEvents.has(f.event)).length;
  if (GRAPHABLE.some((p) => localId(node.id).startsWith(p))) {
    const more = el("button", { type: "button", id: "expand" },
      missing ? `Mở rộng (+${missing} dữ kiện)` : "Mở rộng");
    more.addEventListener("click", () => expand(node));
    actions.append(more);
    if (!node.focus) {
      const centre = el("button", { type: "button", id: "recentre" }, "Lấy làm tâm");
      centre.addEventListener("click", () => recentre(node));
      actions.append(centre);
    }
  }
  box.replaceChildren();
  if (!facts.length) box.append(el("p", {}, "Không có dữ kiện."));
  facts.forEach((f, i) => {
    const item = el("div", { class: "fact", "data-event": f.event || "", "data-place": f.place, "data-model": f.model },
      el("span", { class: "st" }, f.status_label || statusLabel(f.status)),
      f.when ? ` · ${f.when}` : "", f.count ? ` · ${f.count}` : "",
      reviewBadge(f.review),
      el("div", {}, `${f.model_label || ""} — ${f.place_label || ""}`),
      f.document_label ? el("div", {}, `Văn bản: ${f.document_label}`) : "",
      f.evidence && f.evidence.text ? el("q", {}, f.evidence.text) : "");
    item.style.borderLeftColor = statusColour(f.status);
    item.addEventListener("click", () => showEvidence(f));
    box.append(item);
    if (i === 0) showEvidence(f);
  });
  drawTimeline(node, facts);
  showLineage(node);
}

// ---- timeline: each model–place application as a row, its status events along a time axis ----------
const UNDATED = "chưa rõ thời điểm";

// A fact's review state as the review API names it, in Vietnamese, with the reviewer's name.
const REVIEW_LABELS = { extracted: "Trích xuất tự động", confirmed: "Đã xác nhận", corrected: "Đã sửa",
  added: "Người duyệt thêm" };
function reviewBadge(review) {
  const state = (review && review.state) || "extracted";
  const text = REVIEW_LABELS[state] || state;
  return el("span", { class: `review-state review-${state}`, "data-review": state },
    review && review.by ? `${text} · ${review.by}` : text);
}

function drawTimeline(node, facts) {
  const box = $("timeline");
  box.replaceChildren();
  if (!(PLACE_TYPES.has(node.type) || MODEL_TYPES.has(node.type)) || !facts.length) return;
  const rows = new Map();
  for (const f of facts) {
    const key = `${f.model} ${f.place}`;
    if (!rows.has(key)) {
      const label = PLACE_TYPES.has(node.type) ? f.model_label : f.place_label;
      rows.set(key, { key, label, events: [] });
    }
    rows.get(key).events.push(f);
  }
  const list = [...rows.values()];
  for (const r of list) r.events.sort((a, b) => (a.start || "").localeCompare(b.start || ""));
  list.sort((a, b) => (a.events[0].start || "9999").localeCompare(b.events[0].start || "9999") || a.label.localeCompare(b.label, "vi"));
  const dated = facts.filter((f) => f.start).map((f) => Date.parse(f.start));
  const hasUndated = facts.some((f) => !f.start);
  const W = Math.max(260, box.clientWidth || 360);
  const size = 12, rowH = 40, M = 10, undatedW = hasUndated ? 56 : 0;
  const x0 = M + undatedW + 8, x1 = W - M - 8;
  let t0 = dated.length ? Math.min(...dated) : 0, t1 = dated.length ? Math.max(...dated) : 0;
  const year = 365.25 * 864e5;
  if (t1 - t0 < year) { t0 -= year / 2; t1 += year / 2; }
  const pad = (t1 - t0) * 0.06;
  t0 -= pad; t1 += pad;
  const xOf = (f) => x0 + ((Date.parse(f.start) - t0) / (t1 - t0)) * (x1 - x0);
  const H = 24 + list.length * rowH + M;
  const g = svg("svg", { id: "timeline-svg", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
    "aria-label": `Dòng thời gian: ${node.label}` });
  // axis: one tick a year (fewer when the span is long)
  const y0 = new Date(t0).getUTCFullYear() + 1, y1 = new Date(t1).getUTCFullYear();
  const step = Math.max(1, Math.ceil((y1 - y0 + 1) / Math.max(2, Math.floor((x1 - x0) / 48))));
  for (let yr = y0; yr <= y1; yr += step) {
    const x = x0 + ((Date.UTC(yr, 0, 1) - t0) / (t1 - t0)) * (x1 - x0);
    g.append(svg("line", { class: "tick", x1: x, x2: x, y1: 16, y2: H - M }));
    const t = svg("text", { class: "tick-label", x, y: 12, "text-anchor": "middle", "font-size": 11 });
    t.textContent = String(yr);
    g.append(t);
  }
  if (hasUndated) {
    const t = svg("text", { class: "tick-label", x: M, y: 12, "font-size": 11 });
    t.textContent = "chưa rõ";
    g.append(t);
  }
  list.forEach((row, i) => {
    const top = 24 + i * rowH;
    const rg = svg("g", { class: "tl-row", "data-key": row.key });
    const label = svg("text", { x: M, y: top + size, "font-size": size });
    label.textContent = wrap(row.label, W - 2 * M, size, 1)[0];
    rg.append(label);
    const y = top + size + 14;
    const placed = row.events.map((f, j) => ({ f, x: f.start ? xOf(f) : M + 8 + (j % 4) * 12 }));
    placed.forEach((p, j) => {
      if (!p.f.start) return;
      const next = placed.slice(j + 1).find((q) => q.f.start);
      const end = next ? next.x : x1;
      rg.append(svg("line", { class: next ? "span" : "span open", x1: p.x, x2: end, y1: y, y2: y, stroke: statusColour(p.f.status) }));
    });
    for (const p of placed) {
      const dot = svg("circle", { class: "tl-event", cx: p.x, cy: y, r: 6, fill: statusColour(p.f.status),
        "data-status": p.f.status, "data-start": p.f.start || "", "data-event": p.f.event, tabindex: 0 });
      const title = svg("title");
      title.textContent = `${p.f.status_label || statusLabel(p.f.status)} · ${p.f.when || UNDATED}`;
      dot.append(title);
      dot.addEventListener("click", () => showEvidence(p.f));
      rg.append(dot);
    }
    g.append(rg);
  });
  box.append(el("h3", {}, "Dòng thời gian"), g);
}

// A place's lineage across the reform of 1 July 2025: where a former unit's territory went, or where a
// new unit's came from, from /api/places/{id}.
async function showLineage(node) {
  const box = $("lineage");
  box.replaceChildren();
  const marker = "/id/unit/";
  const at = node.id.indexOf(marker);
  if (!PLACE_TYPES.has(node.type) || at < 0) return;
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
    for (const p of pilots) list.append(el("li", {}, `${p.place_label}: ${p.model_label} — ${statusLabel(p.status)}${p.when ? " · " + p.when : ""}`));
    box.append(el("h3", {}, "Thí điểm trước đây trên địa bàn"), list);
  }
}

async function showEvidence(fact) {
  const box = $("article");
  if (!fact.article_id) { box.replaceChildren(el("p", {}, "Không có bài báo nguồn.")); return; }
  const doc = await articleDoc(fact.article_id);
  if (!doc) {
    box.replaceChildren(el("p", { class: "error" }, "Không tải được bài báo."));
    return;
  }
  const text = doc.text || "";
  let start = fact.evidence ? fact.evidence.start : null, end = fact.evidence ? fact.evidence.end : null;
  const quote = fact.evidence ? fact.evidence.text : null;
  if (quote && (start == null || text.slice(start, end) !== quote)) {
    start = text.indexOf(quote);
    end = start >= 0 ? start + quote.length : null;
  }
  box.replaceChildren();
  box.append(el("div", { class: "article-title" }, doc.title || doc.label || fact.article_id));
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

document.addEventListener("DOMContentLoaded", async () => {
  try { PALETTE = { ...PALETTE, ...(await getJSON("/api/palette")) }; } catch (e) { /* greys then */ }
  buildLegend();
  enableZoom($("graph"));
  loadExamples();
  $("search-form").addEventListener("submit", (ev) => { ev.preventDefault(); search($("search").value); });
  $("run-sparql").addEventListener("click", runSparql);
  let width = window.innerWidth;
  window.addEventListener("resize", () => {
    if (window.innerWidth === width) return;
    width = window.innerWidth;
    clearTimeout(window.__relayout);
    window.__relayout = setTimeout(render, 150);
  });
  const params = new URLSearchParams(location.search);
  const q = params.get("q"), id = params.get("id");
  if (q) { $("search").value = q; search(q); } else if (id) loadGraph(id, null, null);
});

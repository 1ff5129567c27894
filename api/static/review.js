// Review mode: an article's facts, lowest confidence first; confirm / correct / reject / add in place.
// Reads GET /api/review-queue/{id}, writes POST /api/facts/{id}/review and POST /api/articles/{id}/facts
// with the reviewer's bearer token (kept for this tab only). Text from the store is set as text, never HTML.
"use strict";

const KINDS = ["merger", "concurrent_position", "other"];
const LEVELS = ["", "province", "district", "commune", "village"];
const STATUSES = ["continued", "ended", "implemented", "not_implemented", "paused", "planned", "researching", "stopped"];
const STATE_VI = { extracted: "trích xuất", confirmed: "đã xác nhận", corrected: "đã sửa", added: "đã thêm" };

const $ = (id) => document.getElementById(id);
let data = null;   // the queue answer
let current = 0;   // index in data.facts
let mode = null;   // "correct" | "add" | "reject" | null
let span = null;   // {start, end} chosen in the text for "add"

function say(text, error = false) {
  $("review-status").textContent = text;
  $("review-status").classList.toggle("error", error);
}

function options(select, values) {
  select.replaceChildren(...values.map((v) => {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = v || "—";
    return o;
  }));
}

async function load(keep) {
  const id = $("article-id").value.trim();
  if (!id) return;
  const r = await fetch(`/api/review-queue/${encodeURIComponent(id)}`);
  const body = await r.json();
  if (!r.ok) { say(body.message || "Không mở được bài báo.", true); return; }
  data = body;
  if (!keep) current = 0;
  current = Math.min(current, Math.max(0, data.facts.length - 1));
  render();
  history.replaceState(null, "", `?article=${encodeURIComponent(id)}`);
}

function render() {
  const list = $("queue");
  list.replaceChildren(...data.facts.map((f, i) => {
    const li = document.createElement("li");
    li.dataset.event = f.event;
    li.dataset.index = String(i);
    const state = document.createElement("span");
    state.className = "state";
    state.dataset.state = f.review.state;
    state.textContent = STATE_VI[f.review.state] + (f.review.by ? ` · ${f.review.by}` : "");
    const title = document.createElement("div");
    title.textContent = `${f.kind}: ${f.components.join(" + ")}`;
    const meta = document.createElement("div");
    meta.className = "meta";
    const conf = f.confidence == null ? "—" : f.confidence.toFixed(2);
    meta.textContent = `${f.place.name || ""} · ${f.level || "—"} · ${f.status}${f.when ? " · " + f.when : ""} · tin cậy ${conf}`;
    li.append(state, title, meta);
    li.addEventListener("click", () => { current = i; select(); });
    return li;
  }));
  $("unattached").replaceChildren(...data.unattached.map((r) => {
    const li = document.createElement("li");
    li.textContent = `${r.verdict} bởi ${r.reviewer} (${r.at}): ${r.fact_id}`;
    return li;
  }));
  select();
}

function select() {
  for (const li of $("queue").children) li.classList.toggle("current", Number(li.dataset.index) === current);
  const f = data && data.facts[current];
  const text = data ? data.text : "";
  const art = $("article");
  if (!f || f.evidence.start == null) { art.textContent = text; return; }
  const mark = document.createElement("mark");
  mark.textContent = text.slice(f.evidence.start, f.evidence.end);
  art.replaceChildren(text.slice(0, f.evidence.start), mark, text.slice(f.evidence.end));
  mark.scrollIntoView({ block: "center" });
  const li = $("queue").children[current];
  if (li) li.scrollIntoView({ block: "nearest" });
}

function headers() {
  return { "Content-Type": "application/json", Authorization: `Bearer ${$("token").value.trim()}` };
}

async function send(url, body, done) {
  const r = await fetch(url, { method: "POST", headers: headers(), body: JSON.stringify(body) });
  let answer = {};
  try { answer = await r.json(); } catch { /* an empty answer */ }
  if (!r.ok) {
    const detail = answer.message || (Array.isArray(answer.detail) ? answer.detail.map((d) => d.msg).join("; ") : "");
    say(`Không lưu (${r.status}): ${detail}`, true);
    return;
  }
  say(done);
  closeForms();
  await load(true);
}

function fact() { return data && data.facts[current]; }

function confirm() {
  const f = fact();
  if (f) send(`/api/facts/${f.id}/review`, { verdict: "confirm" }, "Đã xác nhận.");
}

function closeForms() {
  mode = null;
  $("reject-form").hidden = true;
  $("fact-form").hidden = true;
}

function openReject() {
  if (!fact()) return;
  closeForms();
  mode = "reject";
  $("reject-form").hidden = false;
  $("reason").value = "";
  $("reason").focus();
}

function fillForm(f) {
  $("f-kind").value = f.kind || "merger";
  $("f-components").value = (f.components || []).join("\n");
  $("f-place").value = (f.place && f.place.name) || "";
  $("f-level").value = f.level || "";
  $("f-status").value = f.status || "planned";
  $("f-when").value = f.when || "";
  $("f-count").value = f.count || "";
}

function openCorrect() {
  const f = fact();
  if (!f) return;
  closeForms();
  mode = "correct";
  $("fact-form-title").textContent = "Sửa dữ kiện";
  fillForm(f);
  $("fact-form").hidden = false;
  $("f-status").focus();
}

function chosenSpan() {
  const sel = window.getSelection();
  const art = $("article");
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed || !art.contains(sel.anchorNode)) return null;
  const range = sel.getRangeAt(0);
  const before = document.createRange();
  before.selectNodeContents(art);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  return { start, end: start + range.toString().length };
}

function openAdd() {
  span = chosenSpan();
  if (!span) { say("Bôi một đoạn trong bài báo trước khi thêm dữ kiện.", true); return; }
  closeForms();
  mode = "add";
  $("fact-form-title").textContent = `Thêm dữ kiện tại ${span.start}–${span.end}`;
  fillForm({ place: fact() ? fact().place : null });
  $("fact-form").hidden = false;
  $("f-kind").focus();
}

function formFact() {
  return {
    kind: $("f-kind").value,
    components: $("f-components").value.split("\n").map((s) => s.trim()).filter(Boolean),
    place: $("f-place").value.trim(),
    level: $("f-level").value || null,
    status: $("f-status").value,
    when: $("f-when").value.trim() || null,
    count: $("f-count").value.trim() || null,
  };
}

function submitFact(event) {
  event.preventDefault();
  const given = formFact();
  if (mode === "add") {
    send(`/api/articles/${encodeURIComponent(data.article)}/facts`, { ...given, ...span }, "Đã thêm dữ kiện.");
    return;
  }
  const f = fact();
  const was = { kind: f.kind, components: f.components, place: f.place.name, level: f.level, status: f.status,
                when: f.when, count: f.count };
  const fields = {};
  for (const [k, v] of Object.entries(given)) {
    if (JSON.stringify(v) !== JSON.stringify(was[k] ?? null)) fields[k] = v;
  }
  if (!Object.keys(fields).length) { say("Không có gì thay đổi.", true); return; }
  send(`/api/facts/${f.id}/review`, { verdict: "correct", fields }, "Đã sửa.");
}

function move(step) {
  if (!data || !data.facts.length) return;
  current = (current + step + data.facts.length) % data.facts.length;
  select();
}

document.addEventListener("keydown", (e) => {
  const typing = e.target.closest && e.target.closest("input, textarea, select");
  if (e.key === "Escape") { closeForms(); say(""); return; }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  const keys = { j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
                 c: confirm, e: openCorrect, r: openReject, a: openAdd };
  if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
});

document.addEventListener("DOMContentLoaded", () => {
  options($("f-kind"), KINDS);
  options($("f-level"), LEVELS);
  options($("f-status"), STATUSES);
  $("token").value = sessionStorage.getItem("bomay-review-token") || "";
  $("token").addEventListener("change", () => sessionStorage.setItem("bomay-review-token", $("token").value.trim()));
  $("load-form").addEventListener("submit", (e) => { e.preventDefault(); load(false); });
  $("reject-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = fact();
    if (f) send(`/api/facts/${f.id}/review`, { verdict: "reject", reason: $("reason").value.trim() }, "Đã bác bỏ.");
  });
  $("fact-form").addEventListener("submit", submitFact);
  $("do-confirm").addEventListener("click", confirm);
  $("do-correct").addEventListener("click", openCorrect);
  $("do-reject").addEventListener("click", openReject);
  $("do-add").addEventListener("click", openAdd);
  const given = new URLSearchParams(location.search).get("article");
  if (given) { $("article-id").value = given; load(false); }
});

"""Search through an index held in the API process, instead of a scan of every label per request.

The index is built from the store at start (`start`, in a thread: the store answers meanwhile, searches
wait for it) and kept in step with writes: after each acknowledged write to an article graph, `refresh`
reads that graph again and replaces what the index held from it. Each resource is indexed by the texts
every graph states for it (folded search keys, label, document number, title), each also with the
vocabularies' abbreviations written out ("UBKT" → "ủy ban kiểm tra", `Abbreviations`), so a query
matches with or without diacritics and in either form.

Matching keeps today's rule (the folded query inside a folded key) and ranks what it finds: the whole
key, then a key starting with the query, then the query opening a word, then every query word opening
some word, then anywhere; within a rank the current era's units first, then Vietnamese collation. A unit
that kept its label across the 2025 reform is one hit (the current one), the other era's under `also`.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDFS, URIRef

import ontology
from graph import named
from graph.sparql import bind
from graph.terms import IRI
from ontology.namespaces import BOMAY, ID
from ontology.text import collation_key, fold

log = logging.getLogger("bomay.search")
_UNIT = str(ID) + "unit/"
CURRENT_ERA = "2025"
# what a category is, by the ontology class its resources belong to (subclasses included)
_CATEGORY_ROOTS = (
    ("model", BOMAY.PilotModel),
    ("agency", BOMAY.Agency),
    ("position", BOMAY.Position),
    ("place", BOMAY.AdministrativeUnit),
    ("document", BOMAY.LegalDocument),
    ("document", BOMAY.SourceDocument),
)
# provinces are found without a pilot (the gazetteer holds every unit of the country; other units only
# when a pilot is applied there)
_ALWAYS_SHOWN = (str(BOMAY.Province), str(BOMAY.CentralCity))
MATCHES = ("exact", "prefix", "token", "words", "contains")
_FOLDED = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")  # a search key as loaders write it: fold() is a no-op


@functools.cache
def categories() -> dict[str, str]:
    """Class IRI → search category, from the ontology's subclass tree (a root itself counts, except
    the bare bomay:AdministrativeUnit an unresolved place carries, which today's search leaves out)."""
    terms = ontology.terms()
    out: dict[str, str] = {}
    for category, root in _CATEGORY_ROOTS:
        for cls in terms.transitive_subjects(RDFS.subClassOf, URIRef(root)):
            if cls != BOMAY.AdministrativeUnit:
                out.setdefault(str(cls), category)
    return out


class Abbreviations:
    """The vocabularies' abbreviations (a vi altLabel with two capitals running, "UBKT", "HĐND", "Sở
    TN&MT") written out as their concept's prefLabel, on folded text, longest first."""

    def __init__(self, table: dict[tuple[str, ...], tuple[str, ...]]) -> None:
        self.table = table
        self.longest = max((len(k) for k in table), default=0)

    @classmethod
    @functools.cache
    def from_vocabularies(cls) -> Abbreviations:
        table: dict[tuple[str, ...], tuple[str, ...]] = {}
        for scheme in ontology.SCHEMES:
            for c in ontology.concepts(scheme):
                full = tuple(fold(c.pref_vi).split())
                for alt in c.alt_labels:
                    short = tuple(fold(alt).split())
                    if re.search(r"[A-ZĐ]{2}", alt) and short and short != full:
                        table.setdefault(short, full)  # concepts sorted by IRI: the first keeps it
        return cls(table)

    def expand(self, key: str) -> str:
        """`key` (folded) with every abbreviation written out; the key itself when it has none."""
        words = key.split()
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                full = self.table.get(tuple(words[i : i + n]))
                if full:
                    out.extend(full)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)


@dataclass
class _Stated:
    """What one graph states about one resource."""

    classes: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Entry:
    """One searchable resource, as all graphs together state it."""

    item: str
    label: str | None
    category: str
    keys: tuple[str, ...]
    words: frozenset[str]
    always_shown: bool
    era: str | None  # "2023" / "2025" for units of the gazetteer, else None


@dataclass(frozen=True)
class Hit:
    """One search result: the resource, its label and category, how it matched, and the same unit in
    the other era when it kept its label."""

    item: str
    label: str | None
    category: str
    match: str
    also: tuple[str, ...] = ()


def rank(query: str, key: str) -> int | None:
    """Index into MATCHES of how folded `query` lies inside folded `key` (exact, prefix, token or
    contains), or None; the "words" rank is `words_match`, on the resource's words."""
    at = key.find(query)
    if at < 0:
        return None
    if at == 0:
        return 0 if len(key) == len(query) else 1
    return 2 if key[at - 1] == " " or (" " + query) in key else 4


def words_match(words: list[str], held: frozenset[str]) -> bool:
    """Every query word is a word of the resource's keys, the last one perhaps only its beginning (the
    word being typed), in any order."""
    *whole, last = words
    return all(w in held for w in whole) and (last in held or any(h.startswith(last) for h in held))


@functools.lru_cache(maxsize=1 << 16)
def _collated(label: str | None) -> tuple[Any, ...]:
    return collation_key(label)


def _era(item: str) -> str | None:
    if item.startswith(_UNIT):
        era = item[len(_UNIT) :].split("/", 1)[0]
        return era if era.isdigit() else None
    return None


class SearchIndex:
    """Resources by the words of their keys; updated one named graph at a time."""

    def __init__(self, abbreviations: Abbreviations | None = None) -> None:
        self.abbreviations = abbreviations or Abbreviations.from_vocabularies()
        self._graphs: dict[str, dict[str, _Stated]] = {}
        self._holders: dict[str, set[str]] = {}  # resource → graphs stating it
        self._applied: dict[str, set[str]] = {}  # graph → places it applies a pilot in
        self._applied_count: dict[str, int] = {}
        self._same: dict[str, set[tuple[str, str]]] = {}  # graph → (pre, post) units, one label
        self._same_as: dict[str, set[str]] = {}
        self._entries: dict[str, Entry] = {}
        self._by_word: dict[str, set[str]] = {}  # key word → resources
        self._words: list[str] = []  # sorted key words
        self._containing: dict[str, tuple[str, ...]] = {}  # query word → key words holding it

    def __len__(self) -> int:
        return len(self._entries)

    # --- building --------------------------------------------------------------------------------------

    def load(self, rows: Iterable[dict[str, Any]]) -> None:
        """Replace every graph named in `rows` (rows of graph/queries/search_index.rq)."""
        by_graph: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            by_graph.setdefault(r["g"], []).append(r)
        touched: set[str] = set()
        for g, graph_rows in by_graph.items():
            touched |= self._restate(g, graph_rows)
        for item in touched:  # once per resource, however many graphs repeat it
            self._reindex(item)

    def replace_graph(self, graph: str, rows: Iterable[dict[str, Any]]) -> None:
        """What the index holds from `graph` becomes `rows` (none: the graph was dropped)."""
        for item in self._restate(graph, rows):
            self._reindex(item)

    def _restate(self, graph: str, rows: Iterable[dict[str, Any]]) -> set[str]:
        """Record what `graph` states; the resources whose entry must be made again."""
        known = categories()
        stated: dict[str, _Stated] = {}
        applied: set[str] = set()
        same: set[tuple[str, str]] = set()
        for r in rows:
            kind, item = r.get("kind"), r.get("item")
            if not item:
                continue
            if kind == "applied":
                applied.add(item)
            elif kind == "same" and r.get("other"):
                same.add((item, r["other"]))
            elif kind == "entry" and r.get("class") in known:
                s = stated.setdefault(item, _Stated())
                s.classes.add(r["class"])
                if r.get("key"):
                    s.keys.add(str(r["key"]))
                for name, texts in (("label", s.labels), ("title", s.titles)):
                    if r.get(name):
                        texts.add(str(r[name]))
                        s.keys.add(str(r[name]))
        old = self._graphs.pop(graph, {})
        for item in old:
            self._holders[item].discard(graph)
        if stated:
            self._graphs[graph] = stated
        for item in stated:
            self._holders.setdefault(item, set()).add(graph)
        for place in self._applied.pop(graph, set()):
            self._applied_count[place] -= 1
        if applied:
            self._applied[graph] = applied
        for place in applied:
            self._applied_count[place] = self._applied_count.get(place, 0) + 1
        for pre, post in self._same.pop(graph, set()):
            self._same_as.get(pre, set()).discard(post)
            self._same_as.get(post, set()).discard(pre)
        if same:
            self._same[graph] = same
        for pre, post in same:
            self._same_as.setdefault(pre, set()).add(post)
            self._same_as.setdefault(post, set()).add(pre)
        return set(old) | set(stated)

    def _reindex(self, item: str) -> None:
        before = self._entries.pop(item, None)
        if before is not None:
            for word in before.words:
                holders = self._by_word.get(word)
                if holders is not None:
                    holders.discard(item)
        graphs = self._holders.get(item) or set()
        if not graphs:
            self._holders.pop(item, None)
            return
        classes: set[str] = set()
        texts: set[str] = set()
        labels: set[str] = set()
        titles: set[str] = set()
        for g in graphs:
            s = self._graphs[g][item]
            classes |= s.classes
            texts |= s.keys
            labels |= s.labels
            titles |= s.titles
        known = categories()
        category = next(c for c, _ in _CATEGORY_ROOTS if any(known[k] == c for k in classes))
        keys = {k for t in texts if (k := t if _FOLDED.fullmatch(t) else fold(t))}
        keys |= {self.abbreviations.expand(k) for k in keys}
        # the label today's search shows (its MIN); an article stored without one, its title
        label = min(labels) if labels else min(titles) if titles else None
        entry = Entry(
            item=item,
            label=label,
            category=category,
            keys=tuple(sorted(keys)),
            words=frozenset(w for k in keys for w in k.split()),
            always_shown=bool(classes & set(_ALWAYS_SHOWN)),
            era=_era(item),
        )
        self._entries[item] = entry
        for word in entry.words:
            holders = self._by_word.get(word)
            if holders is None:
                self._by_word[word] = {item}
                bisect.insort(self._words, word)
                self._containing.clear()
            else:
                holders.add(item)

    # --- searching -------------------------------------------------------------------------------------

    def _words_containing(self, part: str) -> tuple[str, ...]:
        found = self._containing.get(part)
        if found is None:
            lo = bisect.bisect_left(self._words, part)
            hi = bisect.bisect_left(self._words, part + "\x7f")
            prefixed = self._words[lo:hi]  # most hits start with the query word: found by bisection...
            inside = [w for w in self._words if part in w and not w.startswith(part)]  # ...the rest by a scan
            found = tuple(prefixed) + tuple(inside)
            if len(self._containing) > 4096:
                self._containing.clear()
            self._containing[part] = found
        return found

    def _candidates(self, query: str) -> set[str]:
        """Resources with, for every word of the query, a key word containing it."""
        pools = []
        for part in sorted(set(query.split()), key=len, reverse=True):  # longest first: fewest holders
            words = self._words_containing(part)
            pool: set[str] = set()
            for w in words:
                pool |= self._by_word.get(w, set())
            pools.append(pool)
            if not pool:
                return set()
        pools.sort(key=len)
        found = set(pools[0])
        for p in pools[1:]:
            found &= p
        return found

    def _shown(self, e: Entry) -> bool:
        return e.category != "place" or e.always_shown or self._applied_count.get(e.item, 0) > 0

    def search(self, text: str) -> list[Hit]:
        """Every resource matching `text` (folded, abbreviations expanded or not), best first."""
        query = fold(text)
        if not query:
            return []
        queries = {query, self.abbreviations.expand(query)}
        best: dict[str, int] = {}
        worst = len(MATCHES)
        for q in queries:
            words = q.split()
            for item in self._candidates(q):
                e = self._entries[item]
                r = min((r for k in e.keys if (r := rank(q, k)) is not None), default=worst)
                if r > 3 and len(words) > 1 and words_match(words, e.words):
                    r = 3
                if r < best.get(item, worst):
                    best[item] = r
        ranked: list[tuple[int, int, tuple[Any, ...], Entry]] = []
        for item, r in best.items():
            e = self._entries[item]
            if self._shown(e):
                ranked.append((r, 0 if e.era in (None, CURRENT_ERA) else 1, (_collated(e.label), e.item), e))
        ranked.sort(key=lambda t: t[:3])
        shown = {t[3].item for t in ranked}
        hits: list[Hit] = []
        folded: set[str] = set()
        for best, _, _, e in ranked:
            if e.item in folded:
                continue
            twins = tuple(sorted(t for t in self._same_as.get(e.item, ()) if t in shown and t not in folded))
            folded.update(twins)
            hits.append(Hit(e.item, e.label, e.category, MATCHES[best], twins))
        return hits


@dataclass
class _Holder:
    """The app's index, the task building it, and the lock putting refreshes in order."""

    index: SearchIndex | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task | None = None
    failed: bool = False


def read(store: Any, graph: str | None = None) -> list[dict[str, Any]]:
    """Rows of search_index.rq from `store` (a graph.Store): one graph's, or every graph's; as the
    engine's own SPARQL JSON (`Store.run`), read by `json` (a third of `select`'s time per row)."""
    query = bind(named.get("search_index").text, {"g": IRI(graph) if graph else None})
    data, _ = store.run(query, accept="application/sparql-results+json")
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(data)["results"]["bindings"]]


def build(store: Any) -> SearchIndex:
    """An index of everything in `store`."""
    index = SearchIndex()
    index.load(read(store))
    return index


def start(app: Any, store: Any) -> None:
    """Build the app's index from `store` in a thread (beside the query workers' start); searches wait
    until it is there."""
    holder = _Holder()
    app.state.search_index = holder

    async def run() -> None:
        async with holder.lock:
            try:
                holder.index = await asyncio.to_thread(build, store)
                log.info("search index: %d resources", len(holder.index))
            except Exception:  # the search falls back on the SPARQL scan
                holder.failed = True
                log.exception("search index could not be built")
            finally:
                holder.ready.set()

    holder.task = asyncio.ensure_future(run())


async def stop(app: Any) -> None:
    """Wait for a build still reading the store (before the store closes)."""
    holder = getattr(app.state, "search_index", None)
    if holder is not None and holder.task is not None:
        await asyncio.gather(holder.task, return_exceptions=True)


async def current(app: Any) -> SearchIndex | None:
    """The app's index once built; None when there is none (not started, or the build failed)."""
    holder = getattr(app.state, "search_index", None)
    if holder is None:
        return None
    await holder.ready.wait()
    return holder.index


async def refresh(app: Any, graph: str) -> None:
    """After an acknowledged write to `graph` (stored, replaced or dropped): what the index holds from
    it becomes what the store holds. Refreshes run one at a time, each reading the store when it runs,
    so the last one leaves the store's final state."""
    holder = getattr(app.state, "search_index", None)
    if holder is None:
        return
    async with holder.lock:
        if holder.index is None:
            return
        try:
            rows = await asyncio.to_thread(read, app.state.store, graph)
        except Exception:  # noqa: BLE001 — the write stands; the index is rebuilt at next start
            log.exception("search index refresh of %s failed", graph)
            return
        holder.index.replace_graph(graph, [{**r, "g": graph} for r in rows])

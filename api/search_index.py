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
import heapq
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDFS, URIRef

import ontology
from graph import named
from graph.sparql import bind
from graph.store import paired_graphs
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


@dataclass(slots=True)
class _Stated:
    """What one graph states about one resource: lists while the rows are read, then tuples without
    repeats (`frozen`): the index keeps one per graph and resource, and an empty set alone costs four
    times a short tuple."""

    classes: list[str] | tuple[str, ...] = field(default_factory=list)
    keys: list[str] | tuple[str, ...] = field(default_factory=list)
    labels: list[str] | tuple[str, ...] = field(default_factory=list)
    titles: list[str] | tuple[str, ...] = field(default_factory=list)

    def frozen(self) -> _Stated:
        return _Stated(*(tuple(sorted(set(v))) for v in (self.classes, self.keys, self.labels, self.titles)))


@dataclass(slots=True)
class _Read:
    """What the rows of one graph say, gathered a row at a time."""

    stated: dict[str, _Stated] = field(default_factory=dict)
    applied: set[str] = field(default_factory=set)
    same: set[tuple[str, str]] = field(default_factory=set)

    def add(self, r: dict[str, Any]) -> None:
        kind, item = r.get("kind"), r.get("item")
        if not item:
            return
        if kind == "applied":
            self.applied.add(item)
        elif kind == "same" and r.get("other"):
            self.same.add((item, r["other"]))
        elif kind == "entry" and r.get("class") in categories():
            s = self.stated.get(item)
            if s is None:
                s = self.stated[item] = _Stated()
            s.classes.append(r["class"])
            if r.get("key"):
                s.keys.append(str(r["key"]))
            for name, texts in (("label", s.labels), ("title", s.titles)):
                if r.get(name):
                    texts.append(str(r[name]))
                    s.keys.append(str(r[name]))


@dataclass(frozen=True, slots=True)
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
    contains), or None; "words" is a property of the resource's words (`SearchIndex`)."""
    at = key.find(query)
    if at < 0:
        return None
    if at == 0:
        return 0 if len(key) == len(query) else 1
    return 2 if key[at - 1] == " " or (" " + query) in key else 4


def _era(item: str) -> str | None:
    if item.startswith(_UNIT):
        era = item[len(_UNIT) :].split("/", 1)[0]
        return era if era.isdigit() else None
    return None


@dataclass(frozen=True)
class Page:
    """One window of a search's hits, and how many there are in all."""

    total: int
    hits: list[Hit]


class SearchIndex:
    """Resources by their keys and by the words of their keys; updated one named graph at a time.

    A search is set algebra on those maps (one set per rank), and only the window asked for is put in
    order: the cost follows the page, not the number of matches (every commune's "Ủy ban MTTQ").
    """

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
        self._by_key: dict[str, set[str]] = {}  # whole key → resources
        self._keys: list[str] = []  # sorted keys
        self._blob: dict[str, str] = {}  # resource → "\n"-joined keys, for substring checks in C
        self._order: dict[str, str] = {}  # resource → sort key: era, collation of the label, IRI
        self._postings: dict[str, list[str]] = {}  # key word → its resources in sort order
        self._hidden: set[str] = set()  # places not shown (no pilot applied, not a province)
        self._cache: dict[tuple[str, str], set[str]] = {}  # (how, word) → resources; cleared on change
        self._found: dict[str, tuple[list[set[str]], dict[str, tuple[str, ...]], list, list]] = {}
        self._sorted: dict[int, list[str]] = {}  # id of a set in _found → that set in sort order

    def __len__(self) -> int:
        return len(self._entries)

    def forget(self) -> None:
        """Drop what searches remember (after a change; or to time a search cold)."""
        self._cache.clear()
        self._found.clear()
        self._sorted.clear()

    # --- building --------------------------------------------------------------------------------------

    def load(self, rows: Iterable[dict[str, Any]]) -> None:
        """Replace every graph named in `rows` (rows of graph/queries/search_index.rq), taken one at a
        time: no row is kept once read."""
        by_graph: dict[str, _Read] = {}
        for r in rows:
            read = by_graph.get(r["g"])
            if read is None:
                read = by_graph[r["g"]] = _Read()
            read.add(r)
        touched: set[str] = set()
        for g, read in by_graph.items():
            touched |= self._restate(g, read)
        for item in touched:  # once per resource, however many graphs repeat it
            self._reindex(item)
        self._words.sort()
        self._keys.sort()
        for posting in self._postings.values():
            posting.sort(key=self._order.__getitem__)

    def replace_graph(self, graph: str, rows: Iterable[dict[str, Any]]) -> None:
        """What the index holds from `graph` becomes `rows` (none: the graph was dropped)."""
        read = _Read()
        for r in rows:
            read.add(r)
        for item in self._restate(graph, read):
            self._reindex(item, insort=True)

    def _restate(self, graph: str, read: _Read) -> set[str]:
        """Record what `graph` states; the resources whose entry must be made again."""
        stated, applied, same = read.stated, read.applied, read.same
        old = self._graphs.pop(graph, {})
        for item in old:
            self._holders[item].discard(graph)
        if stated:
            self._graphs[graph] = {item: s.frozen() for item, s in stated.items()}
        for item in stated:
            self._holders.setdefault(item, set()).add(graph)
        before = self._applied.pop(graph, set())
        for place in before:
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
        self.forget()
        return set(old) | set(stated) | before | applied

    def _index(
        self, table: dict[str, set[str]], ordered: list[str], name: str, item: str, insort: bool
    ) -> None:
        holders = table.get(name)
        if holders is None:
            table[name] = {item}
            if insort:
                bisect.insort(ordered, name)
            else:
                ordered.append(name)  # load() sorts once at the end
        else:
            holders.add(item)

    def _reindex(self, item: str, insort: bool = False) -> None:
        before = self._entries.pop(item, None)
        if before is not None:
            by_order = self._order.__getitem__
            for word in before.words:
                self._by_word.get(word, set()).discard(item)
                posting = self._postings.get(word, [])
                at = bisect.bisect_left(posting, self._order[item], key=by_order)
                if at < len(posting) and posting[at] == item:
                    del posting[at]
            for key in before.keys:
                self._by_key.get(key, set()).discard(item)
            del self._order[item]
            self._blob.pop(item, None)
            self._hidden.discard(item)
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
            classes.update(s.classes)
            texts.update(s.keys)
            labels.update(s.labels)
            titles.update(s.titles)
        known = categories()
        category = next(c for c, _ in _CATEGORY_ROOTS if any(known[k] == c for k in classes))
        keys = {k for t in texts if (k := t if _FOLDED.fullmatch(t) else fold(t))}
        keys |= {self.abbreviations.expand(k) for k in keys}
        # the label today's search shows (its MIN); an article stored without one, its title
        label = min(labels) if labels else min(titles) if titles else None
        era = _era(item)
        entry = Entry(
            item=item,
            label=label,
            category=category,
            keys=tuple(sorted(keys)),
            words=frozenset(w for k in keys for w in k.split()),
            always_shown=bool(classes & set(_ALWAYS_SHOWN)),
            era=era,
        )
        self._entries[item] = entry
        for word in entry.words:
            self._index(self._by_word, self._words, word, item, insort)
        for key in entry.keys:
            self._index(self._by_key, self._keys, key, item, insort)
        self._blob[item] = "\n" + "\n".join(entry.keys) + "\n"
        order = ("1" if era not in (None, CURRENT_ERA) else "0") + collation_key(label) + "\x00" + item
        self._order[item] = order
        for word in entry.words:
            posting = self._postings.setdefault(word, [])
            if insort:
                bisect.insort(posting, item, key=self._order.__getitem__)
            else:
                posting.append(item)  # load() sorts each once at the end
        if category == "place" and not entry.always_shown and self._applied_count.get(item, 0) <= 0:
            self._hidden.add(item)
        self._cache.clear()

    # --- searching -------------------------------------------------------------------------------------

    def _names(self, how: str, part: str) -> list[str]:
        """Key words starting with `part` ("prefix") or containing it ("inside"), or whole keys starting
        with it ("key")."""
        ordered = self._keys if how == "key" else self._words
        names = ordered[bisect.bisect_left(ordered, part) : bisect.bisect_left(ordered, part + "\x7f")]
        if how == "inside":
            names = names + [w for w in self._words if part in w and not w.startswith(part)]
        return names

    def _union(self, how: str, part: str) -> set[str]:
        """The resources of `_names(how, part)`; remembered until the next change."""
        found = self._cache.get((how, part))
        if found is None:
            table = self._by_key if how == "key" else self._by_word
            found = set().union(*(table.get(n, ()) for n in self._names(how, part)))
            if len(self._cache) > 512:
                self._cache.clear()
            self._cache[(how, part)] = found
        return found

    def _ranked(self, query: str) -> tuple[list[set[str]], list[list[str]], list[list[str]]]:
        """One set of resources per rank (MATCHES) for folded `query` (a resource may be in several),
        and the sorted postings holding every resource of ranks 0-3 (a word starting with the query's
        last word) and of rank 4 (a word containing it)."""
        words = query.split()
        last = words[-1]
        exact = self._by_key.get(query, set())
        prefix = self._union("key", query)
        if len(words) == 1:
            token, inside = self._union("prefix", query), self._union("inside", query)
            near = [self._postings[w] for w in self._names("prefix", query)]
            far = [self._postings[w] for w in self._names("inside", query)]
            return [exact, prefix, token, set(), inside], near, far
        # several words: each a word of the resource, the last perhaps only begun, in any order...
        pools = [self._by_word.get(w, set()) for w in words[:-1]] + [self._union("prefix", last)]
        pools.sort(key=len)
        every = set(pools[0]).intersection(*pools[1:])
        blob = self._blob
        token = prefix | {i for i in every - prefix if (" " + query) in blob[i]}
        # ...or the query anywhere inside a key ("an to chuc" in "ban to chuc"): its first word ends a
        # word, the middle ones are words, the last begins one
        pools = [self._by_word.get(w, set()) for w in words[1:-1]] + [self._union("prefix", last)]
        pools += [self._union("inside", words[0])]
        pools.sort(key=len)
        anywhere = {i for i in set(pools[0]).intersection(*pools[1:]) - every if query in blob[i]}
        # postings holding every match, in order: the rarest whole word (ranks 0-3: all but the last;
        # rank 4: the middle ones), else the words the last one begins
        def rarest(whole: list[str]) -> list[list[str]]:
            return [min((self._postings.get(w, []) for w in whole), key=len)]

        begun = [self._postings[w] for w in self._names("prefix", last)]
        return [exact, prefix, token, every, anywhere], rarest(words[:-1]), rarest(words[1:-1]) if len(
            words) > 2 else begun

    def _window(self, found: set[str], start: int, count: int, sources: list[list[str]]) -> list[str]:
        """Resources `start` to `start + count` of `found` in sort order (era, collation, IRI): read off
        the sorted postings holding it, merged, as far as the window, when that stays short; else the
        set sorted once and kept with the text's matches."""
        end = start + count
        by_order = self._order.__getitem__
        known = self._sorted.get(id(found))  # the first ones in order (all, once sorted)
        if known is not None and (len(known) >= end or len(known) == len(found)):
            return known[start:end]
        if len(found) > 2048 and sources:
            out: list[str] = []
            taken: set[str] = set()
            budget = 2 * len(found) + 4 * end  # items of the postings read before sorting instead
            for n, item in enumerate(heapq.merge(*sources, key=by_order)):
                if item in found and item not in taken:
                    taken.add(item)
                    out.append(item)
                    if len(out) == end:
                        self._sorted[id(found)] = out
                        return out[start:]
                if n > budget:
                    break
        whole = self._sorted[id(found)] = sorted(found, key=by_order)
        return whole[start:end]

    def search(self, text: str, offset: int = 0, limit: int | None = None) -> Page:
        """Hits `offset` to `offset + limit` (all when None) of the resources matching `text` (folded,
        abbreviations expanded or not), best first, and how many match in all."""
        query = fold(text)
        if not query:
            return Page(0, [])
        found = self._found.get(query)
        if found is None:
            found = self._match(query)
            if len(self._found) > 256:
                self._found.clear()
                self._sorted.clear()
            self._found[query] = found
        buckets, twins, near, far = found
        total = sum(len(b) for b in buckets)
        left = total - offset if limit is None else limit
        hits: list[Hit] = []
        for r, bucket in enumerate(buckets):
            if left <= 0:
                break
            if offset >= len(bucket):
                offset -= len(bucket)
                continue
            for item in self._window(bucket, offset, left, far if r == 4 else near):
                e = self._entries[item]
                hits.append(Hit(item, e.label, e.category, MATCHES[r], twins.get(item, ())))
            left -= min(left, len(bucket) - offset)
            offset = 0
        return Page(total, hits)

    def _match(self, query: str) -> tuple[list[set[str]], dict[str, tuple[str, ...]], list, list]:
        """Every match of folded `query` (and of it with abbreviations written out), one disjoint set
        per rank, the units folded into their current twin, and the postings to order them by; kept
        for the next time the same text is asked until the next change."""
        queries = {query, self.abbreviations.expand(query)}
        per_query = [self._ranked(q) for q in queries]
        near = [posting for _, postings, _ in per_query for posting in postings]
        far = [posting for _, _, postings in per_query for posting in postings]
        seen: set[str] = set()
        buckets: list[set[str]] = []
        for r in range(len(MATCHES)):
            bucket = set().union(*(ranks[r] for ranks, _, _ in per_query)) - seen - self._hidden
            seen |= bucket
            buckets.append(bucket)
        # a unit that kept its label across the reform: one hit, the current one
        twins: dict[str, tuple[str, ...]] = {}
        for old in [i for i in seen.intersection(self._same_as) if self._entries[i].era != CURRENT_ERA]:
            current = tuple(sorted(t for t in self._same_as[old] if t in seen))
            if current:
                for bucket in buckets:
                    bucket.discard(old)
                for t in current:
                    twins[t] = (*twins.get(t, ()), old)
        return buckets, {t: tuple(sorted(olds)) for t, olds in twins.items()}, near, far


@dataclass
class _Holder:
    """The app's index, the task building it, and the lock putting refreshes in order."""

    index: SearchIndex | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task | None = None
    failed: bool = False


def read(store: Any, graph: str | None = None) -> Iterator[dict[str, str]]:
    """Rows of search_index.rq from `store` (a graph.Store): one graph's, or every graph's, one at a
    time as their terms' text (`Store.text_rows`)."""
    query = bind(named.get("search_index").text, {"g": IRI(graph) if graph else None})
    return store.text_rows(query)


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


async def refresh(app: Any, *graphs: str) -> None:
    """After an acknowledged write to `graphs` (stored, replaced or dropped): what the index holds from
    them, and from the graphs their write re-decides (a review graph's article: what its reviews retract
    leaves the index), becomes what the store holds. Refreshes run one at a time, each reading the store
    when it runs, so the last one leaves the store's final state."""
    holder = getattr(app.state, "search_index", None)
    if holder is None:
        return
    touched = [g for g in dict.fromkeys(p for graph in graphs for p in paired_graphs(graph))]
    async with holder.lock:
        if holder.index is None:
            return
        for graph in touched:
            try:
                rows = await asyncio.to_thread(lambda g=graph: list(read(app.state.store, g)))
            except Exception:  # noqa: BLE001 — the write stands; the index is rebuilt at next start
                log.exception("search index refresh of %s failed", graph)
                return
            holder.index.replace_graph(graph, [{**r, "g": graph} for r in rows])

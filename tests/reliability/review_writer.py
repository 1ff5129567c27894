"""A review writer process for the SIGKILL test: `python -m tests.reliability.review_writer STORE N`.

Confirms the seed's first fact N times, one review write after another (each stores the whole review
graph, so it grows), printing `storing k` just before the store's one update and `ok k` after it."""

from __future__ import annotations

import sys

from graph import reviews as rv
from graph.embedded import EmbeddedStore

DOC = "000_3db7e80d1100efe9"


def main(path: str, n: int) -> None:
    from api.reviews import ReviewIn, find_fact, review_fact

    store = EmbeddedStore(path)
    article = store.get_graph(rv.article_graph_iri(DOC))
    event = rv.facts(article)[0]["event"]
    find_fact(store, event)
    # the first write goes through the API's own function; the later ones reuse its review with new ids
    out = review_fact(store, event, ReviewIn(verdict="confirm"), "Lan")
    print("ok 1", flush=True)
    base = out.reviews[-1]
    for k in range(2, n + 1):
        at = f"2030-01-01T00:{k // 60 % 60:02d}:{k % 60:02d}Z"
        again = rv.Review(**{**base.__dict__, "iri": f"{base.iri}-{k}", "at": at})
        reviews = [*rv.stored(store, DOC), again]
        m = rv.materialise(DOC, reviews, article)
        print(f"storing {k}", flush=True)
        store.replace_graph(rv.review_graph(DOC), m.graph)
        print(f"ok {k}", flush=True)
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

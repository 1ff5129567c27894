"""The bench measures what the API runs: a REST row of the query mix, bound by `bench.mix`, returns the
rows of the worker jobs the endpoint sends."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from api.rest import model_jobs
from bench.mix import load_mix
from graph.embedded import EmbeddedStore

MODELS = ("PREFIX bomay: <https://w3id.org/bomay/ontology#>\n"
          "SELECT DISTINCT ?m WHERE { ?app bomay:model ?m } ORDER BY ?m")


def rows(store: EmbeddedStore, query: str) -> list[tuple]:
    found = store.select(query)
    return sorted(tuple(sorted((k, str(v)) for k, v in r.items() if v is not None)) for r in found)


def test_the_model_lookup_of_the_mix_answers_what_get_api_models_id_asks(seeded_store: Path) -> None:
    with EmbeddedStore(seeded_store, read_only=True) as store:
        models = [r["m"] for r in store.select(MODELS)]
        assert len(models) >= 2
        params = defaultdict(lambda: ["urn:bomay:none"], model=[str(m) for m in models])  # other rows: any
        mix = load_mix(params, per_query=len(models))
        lookups = next(entry for entry in mix if entry[0].name == "rest_model")
        assert len(lookups) == len(models)
        for model, lookup in zip(models, lookups, strict=True):
            jobs = model_jobs(str(model), page=1, per_page=20)
            assert len(lookup.texts) == len(jobs)
            for text, job in zip(lookup.texts, jobs, strict=True):
                expected = rows(store, job["query"])
                assert rows(store, text) == expected
            # the page of places is the model's own, not a page of every model's applications
            page = rows(store, lookup.texts[1])
            assert page and all(("model", str(model)) in r for r in page)

"""The status vocabulary's cue phrases (bomay:trigger in ontology/vocab/statuses.ttl) are the extractor's
(loaders/lexicons/statuses.yaml): one list, published with the vocabulary and read by the extractor."""

from __future__ import annotations

from collections import defaultdict

from loaders.lexicon import load
from loaders.status import find_cues
from ontology import concepts


def test_each_status_triggers_are_the_extractors_cues() -> None:
    cues: dict[str, set[str]] = defaultdict(set)
    for cue in load("statuses")["cues"]:
        cues[cue["status"]].add(cue["phrase"])
    assert {c.slug: set(c.triggers) for c in concepts("status")} == cues


def test_every_trigger_is_found_as_its_status() -> None:
    for concept in concepts("status"):
        for trigger in concept.triggers:
            found = find_cues(f"Ông nói: {trigger}.")
            assert any(c.status == concept.slug and c.end - c.start == len(trigger) for c in found), trigger


def test_each_model_kinds_triggers_are_the_words_the_extractor_opens_a_mention_with() -> None:
    """bomay:trigger of ontology/vocab/model-kinds.ttl is the extractor's own list (relations.yaml)."""
    lex = load("relations")
    extractor = {
        "merger": lex["merger"]["triggers"] + lex["merger"]["with_triggers"] + lex["merger"]["dissolve"],
        "concurrent_position": lex["concurrency"]["triggers"] + lex["concurrency"]["unify_triggers"],
    }
    published = {c.slug: set(c.triggers) for c in concepts("model-kind") if c.triggers}
    assert published == {kind: set(words) for kind, words in extractor.items()}


def test_document_kinds_and_codes_are_read_from_the_vocabulary() -> None:
    from loaders.docnums import find_documents

    for concept in concepts("document-kind"):
        if concept.broader:
            continue  # read as its parts ("Thông báo" + "Kết luận")
        for code in concept.codes:
            found = find_documents(f"Theo văn bản số 12-{code}/TU ngày 3/4/2024.", [])
            assert [d.kind for d in found] == [concept.pref_vi], (code, found)
        found = find_documents(f"Theo {concept.pref_vi} số 12-XY/TU.", [])
        assert [d.kind for d in found] == [concept.pref_vi], concept.pref_vi

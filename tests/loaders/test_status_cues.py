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

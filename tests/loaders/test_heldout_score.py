"""Generalisation floor: the extractor on the held-out-style development set (tests/data/heldout: 35
articles written for this project, 35 provinces other than the seeds', 278 gold facts in
tests/data/heldout_gold.yaml), scored by tests/scoring.py, the project's own copy of the scoring rule.

101-107 were written first and the rules tuned on them; then seven batches of four (108-135) were each
written with their gold and scored blind before the rules were extended again. Facts F1 on first sight,
before -> after that round's own fixes: 0.870, 0.899, 0.478, 0.825, 0.783, 0.864, 0.885 (the extractor
as first committed scored 0.818, 0.806, 0.326, 0.767, 0.565, 0.718, 0.642 on the same batches). That first
sight figure, about 0.85, is what to expect on new provinces; the whole set now scores 0.998. The floor is
that figure minus a small margin, so a change that loses held-out facts fails here.
"""

from pathlib import Path

import pytest
import yaml

from loaders.batch import read_article
from loaders.extract import extract_document
from tests.scoring import score

DATA = Path(__file__).resolve().parents[1] / "data"
FACTS_F1_FLOOR = 0.97
DOCUMENTS_F1_FLOOR = 0.97


@pytest.fixture(scope="module")
def result():
    gold = yaml.safe_load((DATA / "heldout_gold.yaml").read_text(encoding="utf-8"))
    preds = []
    for path in sorted((DATA / "heldout").glob("*.txt")):
        art = read_article(path)  # the CLI's reading path: HTML, decomposed Unicode
        preds.append(extract_document(art.text, art.doc_id))
    assert {p["id"] for p in preds} == set(gold)
    return score(gold, preds)


def test_heldout_facts_f1_floor(result):
    assert result["facts"].f1 >= FACTS_F1_FLOOR, result


def test_heldout_documents_f1_floor(result):
    assert result["documents"].f1 >= DOCUMENTS_F1_FLOOR, result

"""The issue's acceptance check: `bomay extract examples/*.txt --format json` scored against the gold."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.scoring import Score, overlap, place_of, score, words_of

ROOT = Path(__file__).resolve().parents[2]


def test_cli_output_scores_at_least_090_on_the_seeds():
    seeds = sorted(str(p) for p in (ROOT / "examples").glob("*.txt"))
    out = subprocess.run([sys.executable, "-m", "api.cli", "extract", *seeds, "--format", "json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    gold = yaml.safe_load((ROOT / "tests" / "data" / "seeds_gold.yaml").read_text(encoding="utf-8"))
    result = score(gold, json.loads(out.stdout))
    assert result["facts"].f1 >= 0.90, result
    assert result["documents"].f1 >= 0.90, result


def test_scoring_rule_ignores_type_words_marks_and_abbreviations():
    assert place_of({"name": "thị trấn Kinh Môn"}) == place_of("thị xã Kinh Môn") == "kinh mon"
    assert words_of(["Chủ tịch UBND"]) == words_of(["chu tich uy ban nhan dan"])
    assert overlap({"a", "b"}, {"c"}) == 0.0


def test_scoring_rule_counts_each_prediction_once():
    fact = {"kind": "merger", "status": "ended", "level": "district", "place": "huyện A",
            "components": ["Văn phòng Huyện ủy", "Văn phòng UBND"]}
    gold = {"d": {"models": [fact, fact], "documents": []}}
    result = score(gold, [{"id": "d", "models": [fact], "documents": []}])
    assert (result["facts"].matched, result["facts"].gold) == (1, 2)
    assert Score(0, 0, 3).f1 == 0.0

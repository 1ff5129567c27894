"""`bomay review` (batch) and `bomay export-gold`, run as a user would, scored by the shared scorer:
the reviewed gold scores 1.0 against the reviewed facts and differs from the unreviewed one (and from the
seed gold's matches) exactly where the reviews changed it."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
DOC = "000_3db7e80d1100efe9"


def bomay(store: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BOMAY_STORE": str(store)}
    env.pop("BOMAY_SPARQL_URL", None)
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def score(gold: Path, predictions: list[dict], tmp: Path) -> float:
    pred = tmp / "pred.json"
    pred.write_text(json.dumps(predictions, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SCORER), str(gold), str(pred)], capture_output=True, text=True,
                         check=True).stdout
    return float(out.strip().splitlines()[-1].split("=")[1])


def scorer():
    spec = importlib.util.spec_from_file_location("score", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not SCORER.exists(), reason="the shared scorer is not beside the repository")
def test_batch_review_then_export_gold(seeded_store: Path, tmp_path: Path) -> None:
    from graph.embedded import EmbeddedStore
    from graph.reviews import article_graph_iri, facts

    store = tmp_path / "store"
    shutil.copytree(seeded_store, store)
    st = EmbeddedStore(store, read_only=True)
    found = facts(st.get_graph(article_graph_iri(DOC)))
    st.close()

    r = bomay(store, "export-gold", DOC, "-o", str(tmp_path / "before.yaml"))
    assert r.returncode == 0, r.stderr
    before = yaml.safe_load((tmp_path / "before.yaml").read_text(encoding="utf-8"))[DOC]
    assert len(before["models"]) == len(found)
    extraction = [{"id": DOC, "models": before["models"], "documents": before["documents"]}]
    assert score(tmp_path / "before.yaml", extraction, tmp_path) == 1.0

    gone, fixed, kept = found[0], found[1], found[2]
    new_status = next(s for s in ("stopped", "ended") if s != fixed["status"])
    batch = [
        {"fact": gone["id"], "verdict": "reject", "reason": "không phải một mô hình thí điểm"},
        {"fact": fixed["id"], "verdict": "correct", "fields": {"status": new_status}},
        {"fact": kept["id"], "verdict": "confirm"},
        {"article": DOC, "add": {"start": 0, "end": 20, "kind": "concurrent_position",
                                 "components": ["Bí thư Huyện ủy", "Chủ tịch UBND huyện"],
                                 "place": "tỉnh Bắc Ninh", "level": "district", "status": "planned"}},
        {"fact": kept["id"], "verdict": "correct", "fields": {"status": "nope"}},  # refused, nothing stored
    ]
    (tmp_path / "batch.yaml").write_text(yaml.safe_dump(batch, allow_unicode=True), encoding="utf-8")
    r = bomay(store, "review", str(tmp_path / "batch.yaml"), "--reviewer", "Lan")
    assert r.returncode == 2, r.stdout + r.stderr
    assert len(r.stdout.strip().splitlines()) == 4 and "batch.yaml:5" in r.stderr and "nope" in r.stderr
    assert "Traceback" not in r.stderr

    r = bomay(store, "export-gold", DOC, "-o", str(tmp_path / "after.yaml"))
    assert r.returncode == 0, r.stderr
    after = yaml.safe_load((tmp_path / "after.yaml").read_text(encoding="utf-8"))[DOC]
    reviewed = [{"id": DOC, "models": after["models"], "documents": after["documents"]}]
    assert score(tmp_path / "after.yaml", reviewed, tmp_path) == 1.0
    assert score(tmp_path / "after.yaml", extraction, tmp_path) < 1.0

    # exactly the reviewed facts changed
    def key(m: dict) -> str:
        return json.dumps(m, ensure_ascii=False, sort_keys=True)

    old, new = {key(m) for m in before["models"]}, {key(m) for m in after["models"]}
    assert len(old - new) == 2 and len(new - old) == 2
    removed = [json.loads(k) for k in old - new]
    added = [json.loads(k) for k in new - old]
    assert sorted(m["evidence"] for m in removed) == sorted([gone["evidence"]["text"],
                                                             fixed["evidence"]["text"]])
    corrected = next(m for m in added if m["evidence"] == fixed["evidence"]["text"])
    assert corrected["status"] == new_status
    was = next(m for m in removed if m["evidence"] == corrected["evidence"])
    assert {**corrected, "status": None} == {**was, "status": None}
    assert any(m["kind"] == "concurrent_position" and m["status"] == "planned" for m in added)
    assert after["province"] == before["province"] and after["documents"] == before["documents"]

    # against the seed gold: a gold fact's match changes only where a reviewed fact is concerned
    sc = scorer()
    seed_gold = yaml.safe_load((ROOT / "tests" / "data" / "seeds_gold.yaml").read_text(encoding="utf-8"))[DOC]
    touched = removed + added
    for g in seed_gold["models"]:
        was = any(sc.same_fact(g, p) for p in before["models"])
        now = any(sc.same_fact(g, p) for p in after["models"])
        if was != now:
            assert any(sc.same_fact(g, p) for p in touched), g

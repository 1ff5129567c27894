"""`bomay ingest | query | export | validate`, run as a user would (a subprocess per command)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(str(p) for p in (ROOT / "examples").glob("*.txt"))


def bomay(store: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BOMAY_STORE": str(store), "PYTHONPATH": str(ROOT)}
    env.pop("BOMAY_SPARQL_URL", None)
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    done = bomay(store, "ingest", *SEEDS)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith(tuple(SEEDS))]
    assert len(lines) == 2 and all(": ingested " in line for line in lines)
    return store


def test_ingest_if_empty_does_nothing_on_a_filled_store(ingested):
    done = bomay(ingested, "ingest", "--if-empty", *SEEDS)
    assert done.returncode == 0
    assert "nothing ingested" in done.stdout


def test_ingest_missing_adds_only_the_new_examples_and_updates_an_old_gazetteer(tmp_path):
    """What `make serve` runs: a store holding the first seed gets the second, the first is left alone;
    a gazetteer built from other data (another version) is loaded again, an up-to-date one is not."""
    store = tmp_path / "store"
    first = bomay(store, "ingest", SEEDS[0])
    assert first.returncode == 0 and "loaded gazetteer" in first.stdout, first.stderr
    both = bomay(store, "ingest", "--missing", *SEEDS)
    assert both.returncode == 0, both.stderr
    assert f"{SEEDS[0]}: đã có / already stored as" in both.stdout
    assert f"{SEEDS[1]}: ingested" in both.stdout
    assert "gazetteer" not in both.stdout  # the same version: not reloaded
    again = bomay(store, "ingest", "--missing", *SEEDS)
    assert "ingested" not in again.stdout and again.stdout.count("already stored") == 2
    from graph.embedded import EmbeddedStore

    st = EmbeddedStore(store)  # as a store written by an older build: its gazetteer carries another version
    gaz, version = "<https://w3id.org/bomay/graph/gazetteer>", "<http://www.w3.org/2002/07/owl#versionInfo>"
    st.update(f"DELETE {{ GRAPH {gaz} {{ ?g {version} ?v }} }} "
              f'INSERT {{ GRAPH {gaz} {{ ?g {version} "old" }} }} '
              f"WHERE {{ GRAPH {gaz} {{ ?g {version} ?v }} }}")
    st.close()
    updated = bomay(store, "ingest", "--missing", *SEEDS)
    assert updated.returncode == 0 and "updated gazetteer" in updated.stdout, updated.stderr


def test_ingest_reports_bad_files_and_still_ingests_the_others(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    done = bomay(tmp_path / "store", "ingest", "--no-gazetteer", str(empty), SEEDS[0], str(binary))
    assert done.returncode == 2
    assert "empty.txt" in done.stderr and "x.bin" in done.stderr
    assert f"{SEEDS[0]}: ingested" in done.stdout


def test_query_a_named_question_as_json(ingested):
    done = bomay(ingested, "query", "cq1_mergers", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["results"]["bindings"]
    ended = {r["placeLabel"]["value"] for r in rows if r["statusKey"]["value"] == "ended"}
    assert any("Thuận Thành" in p for p in ended)


def test_query_sparql_text_as_csv_and_table(ingested):
    q = "SELECT ?id WHERE { ?a <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id"
    done = bomay(ingested, "query", q, "--format", "csv")
    assert [r["id"] for r in csv.DictReader(io.StringIO(done.stdout))] == [
        "000_3db7e80d1100efe9", "002_2638025429762e0c"]
    table = bomay(ingested, "query", q)
    assert table.stdout.splitlines()[-1] == "(2 rows)"


def test_query_refuses_updates_and_bad_syntax(ingested):
    assert bomay(ingested, "query", "DROP ALL").returncode == 2
    bad = bomay(ingested, "query", "SELECT ?x WHERE { ?x")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_export_a_province_as_graphml(ingested, tmp_path):
    out = tmp_path / "hd.graphml"
    done = bomay(ingested, "export", "--format", "graphml", "--province", "Hải Dương", "-o", str(out))
    assert done.returncode == 0, done.stderr
    G = nx.read_graphml(out)
    labels = {d.get("label") for _, d in G.nodes(data=True)}
    assert "huyện Kim Thành" in labels and not any("Bắc Ninh" in (lab or "") for lab in labels)


def test_export_the_neighbourhood_of_a_place_as_gexf(ingested, tmp_path):
    out = tmp_path / "tt.gexf"
    done = bomay(ingested, "export", "-f", "gexf", "--place", "thuan thanh", "--radius", "1", "-o", str(out))
    assert done.returncode == 0, done.stderr
    G = nx.read_gexf(out)
    assert any("Thuận Thành" in d.get("label", "") for _, d in G.nodes(data=True))
    assert G.number_of_nodes() >= 3


def test_export_refuses_an_unknown_format_or_place(ingested, tmp_path):
    assert bomay(ingested, "export", "-f", "xlsx", "-o", str(tmp_path / "x")).returncode == 2
    done = bomay(ingested, "export", "-f", "dot", "--place", "Atlantis", "-o", str(tmp_path / "x.dot"))
    assert done.returncode == 2 and "Atlantis" in done.stderr


def test_validate_every_article_graph(ingested):
    done = bomay(ingested, "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "2/2 article graphs valid"

"""One identifier per thing: a parameter that names a thing takes its IRI, its id or its words, in REST,
exports and the CLI alike; every paged named query is a REST route with its declared typed parameters,
paged in SPARQL (a list longer than the result limit still answers, page by page)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.named import named_queries
from tests.api.conftest import ROOT, Server, start_on_copy, stop_server

ID = "https://w3id.org/bomay/id/"
HAI_DUONG = ["https://w3id.org/bomay/id/unit/2023/30", "2023/30", "unit/2023/30", "hai duong", "Hải Dương"]
SERVED = ("cq1_mergers", "cq2_model_places", "cq3_place_timeline", "cq4_document_decisions",
          "cq5_concurrent_paused", "cq6_not_implemented", "cq7_provenance", "place_lineage",
          "pilots_on_territory")


def _events(http: httpx.Client, path: str, **params: str) -> list[str]:
    r = http.get(path, params={**params, "per_page": 500})
    assert r.status_code == 200, r.text
    return sorted(it["event"] for it in r.json()["items"])


@pytest.mark.parametrize("path", ["/api/mergers", "/api/events"])
def test_a_province_by_iri_id_or_words_gives_the_same_rows(http: httpx.Client, path: str) -> None:
    answers = [_events(http, path, province=p) for p in HAI_DUONG]
    assert answers[0], "Hải Dương has merger events in the seeds"
    assert all(a == answers[0] for a in answers)
    bac_ninh = _events(http, path, province="2023/27")
    assert bac_ninh and not set(bac_ninh) & set(answers[0])


def test_a_province_that_names_nothing_is_a_422_naming_the_parameter(http: httpx.Client) -> None:
    r = http.get("/api/mergers", params={"province": "không có tỉnh nào"})
    assert r.status_code == 422 and "province" in r.json()["message"]


def test_export_takes_the_model_id_rest_gives(http: httpx.Client) -> None:
    model = http.get("/api/models", params={"q": "van phong huyen uy"}).json()["items"][0]
    by = {}
    for value in (model["id"], model["model"], model["label"]):
        r = http.get("/export/nodelink", params={"model": value})
        assert r.status_code == 200, r.text
        by[value] = sorted(n["id"] for n in r.json()["nodes"])
    assert model["model"] in by[model["id"]]
    assert by[model["id"]] == by[model["model"]] == by[model["label"]]
    assert http.get("/export/dot", params={"model": model["id"]}).status_code == 200
    assert http.get("/export/dot", params={"model": "model/khong/co/mo-hinh"}).status_code == 404


def test_export_province_by_id_and_the_nt_alias(http: httpx.Client) -> None:
    a = http.get("/export/nodelink", params={"province": "2023/30"})
    b = http.get("/export/nodelink", params={"province": "hai duong"})
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    nt = http.get("/export/nt")
    assert nt.status_code == 200 and nt.headers["content-type"].startswith("application/n-triples")
    full = http.get("/export/ntriples").content.splitlines()
    lines = nt.content.splitlines()
    assert len(lines) == len(full) > 1000
    assert {ln for ln in lines if b"_:" not in ln} == {ln for ln in full if b"_:" not in ln}


def test_every_paged_named_query_is_a_route_with_its_parameters_in_openapi(http: httpx.Client) -> None:
    assert {q.name for q in named_queries().values() if q.paging} == set(SERVED)
    spec = http.get("/openapi.json").json()
    listed = {q["name"]: q for q in http.get("/api/queries").json()["items"]}
    assert set(listed) == set(SERVED)
    for name in SERVED:
        op = spec["paths"][f"/api/queries/{name}"]["get"]
        declared = {p.name: p for p in named_queries()[name].params}
        got = {p["name"]: p for p in op["parameters"]}
        assert set(got) == set(declared) | {"page", "per_page"}
        for pname, p in declared.items():
            assert got[pname]["required"] == p.required, (name, pname)
        assert got["per_page"]["schema"]["default"] == named_queries()[name].paging


@pytest.mark.parametrize("value", HAI_DUONG)
def test_cq1_over_rest_resolves_the_province(http: httpx.Client, value: str) -> None:
    r = http.get("/api/queries/cq1_mergers", params={"inProvince": value})
    assert r.status_code == 200, r.text
    rows = r.json()["items"]
    assert rows and {row["province"] for row in rows} == {ID + "unit/2023/30"}
    assert int(r.headers["X-Total-Count"]) == len(rows)


def test_named_query_parameters_take_concept_words_and_unit_words(http: httpx.Client) -> None:
    stopped = http.get("/api/queries/cq1_mergers", params={"inStatus": "dừng"}).json()["items"]
    assert stopped and {r["statusKey"] for r in stopped} == {"stopped"}
    assert http.get("/api/queries/cq1_mergers", params={"inStatus": "stopped"}).json()["items"] == stopped
    timeline = http.get("/api/queries/cq3_place_timeline", params={"place": "thuan thanh"}).json()["items"]
    assert timeline and {r["place"] for r in timeline} == {ID + "unit/2023/262"}


def test_named_query_errors_are_422_with_a_message(http: httpx.Client) -> None:
    missing = http.get("/api/queries/cq3_place_timeline")
    assert missing.status_code == 422
    nothing = http.get("/api/queries/cq7_provenance", params={"fact": "không-có"})
    assert nothing.status_code == 422 and "nothing matches" in nothing.json()["message"]


def test_pages_of_a_named_query_are_cut_by_sparql_and_add_up(http: httpx.Client) -> None:
    whole = http.get("/api/queries/cq4_document_decisions", params={"per_page": 500}).json()
    total = whole["total"]
    assert total == len(whole["items"]) >= 4
    pages = []
    for page in range(1, total // 3 + 2):
        r = http.get("/api/queries/cq4_document_decisions", params={"per_page": 3, "page": page})
        assert int(r.headers["X-Total-Count"]) == total
        pages += r.json()["items"]
    assert pages == whole["items"]


@pytest.fixture(scope="module")
def small_limit(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose result limit (4 rows) is shorter than several lists."""
    srv = start_on_copy(seeded_store, tmp_path_factory.mktemp("limit4"), BOMAY_RESULT_LIMIT="4")
    yield srv
    stop_server(srv)


def test_a_named_list_longer_than_the_result_limit_still_answers_in_pages(small_limit: Server) -> None:
    with small_limit.client() as http:
        r = http.get("/api/queries/cq4_document_decisions", params={"per_page": 3, "page": 2})
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) == 3 and int(r.headers["X-Total-Count"]) > 4
        assert http.get("/api/queries/cq4_document_decisions", params={"per_page": 5}).status_code == 422


def test_cli_named_query_resolves_words_like_rest(seeded_store: Path, tmp_path: Path) -> None:
    import shutil

    store = tmp_path / "store"
    shutil.copytree(seeded_store, store)
    env = {**os.environ, "BOMAY_STORE": str(store)}
    env.pop("BOMAY_SPARQL_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "api.cli", "query", *args, "-f", "json"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=300)

    answers = []
    for value in ("hai duong", "2023/30", ID + "unit/2023/30"):
        done = run("cq1_mergers", "-p", f"inProvince={value}")
        assert done.returncode == 0, done.stderr
        answers.append(sorted(b["event"]["value"] for b in json.loads(done.stdout)["results"]["bindings"]))
    assert answers[0] and answers[0] == answers[1] == answers[2]
    bad = run("cq1_mergers", "-p", "inProvince=không có tỉnh nào")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_pilots_on_territory_takes_a_post_reform_province_by_name(http: httpx.Client) -> None:
    by_id = http.get("/api/queries/pilots_on_territory", params={"province": "2025/31"}).json()
    by_name = http.get("/api/queries/pilots_on_territory", params={"province": "Hải Phòng"}).json()
    assert by_id["total"] > 0 and by_name == by_id  # Hải Dương's pilots now lie in the new Hải Phòng
    old = http.get("/api/queries/pilots_on_territory", params={"province": "2023/31"})
    assert old.status_code == 422  # the pre-reform Hải Phòng is not one of the 34

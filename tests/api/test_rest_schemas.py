"""Every REST answer is what /docs says it is: each list page and each detail on the seeds validates
against the route's pydantic model (api/schemas.py), which forbids any field it does not name."""

from __future__ import annotations

import httpx
import pytest
from pydantic import BaseModel

from api import schemas

LISTS = {
    "/api/mergers": schemas.MergerItem,
    "/api/models": schemas.ModelItem,
    "/api/places": schemas.PlaceItem,
    "/api/documents": schemas.DocumentItem,
    "/api/events": schemas.EventItem,
}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_each_list_page_is_a_page_of_its_documented_items(http: httpx.Client, path: str) -> None:
    body = http.get(path, params={"per_page": 500}).json()
    page = schemas.Page[LISTS[path]].model_validate(body)
    assert page.total == len(page.items) > 0


def test_search_hits_are_documented_with_how_they_matched(http: httpx.Client) -> None:
    body = http.get("/api/search", params={"q": "thuan thanh"}).json()
    page = schemas.Page[schemas.SearchHit].model_validate(body)
    assert page.items and all(hit.match for hit in page.items)


def _validate_all(http: httpx.Client, path: str, id_field: str, model: type[BaseModel]) -> list[BaseModel]:
    ids = [it[id_field] for it in http.get(path, params={"per_page": 500}).json()["items"]]
    assert ids
    out = []
    for i in ids:
        r = http.get(f"{path}/{i}")
        assert r.status_code == 200, (i, r.text[:200])
        out.append(model.model_validate(r.json()))
    return out


def test_every_model_detail_matches_its_schema(http: httpx.Client) -> None:
    details = _validate_all(http, "/api/models", "id", schemas.ModelDetail)
    assert any(d.places and d.places[0].timeline for d in details)


def test_every_place_detail_matches_its_schema(http: httpx.Client) -> None:
    details = _validate_all(http, "/api/places", "id", schemas.PlaceDetail)
    assert any(d.models for d in details)


def test_a_post_reform_province_lists_the_pilots_once_on_its_territory(http: httpx.Client) -> None:
    found = http.get("/api/search", params={"q": "Bắc Ninh"}).json()["items"]
    post = next(h for h in found if h["id"].startswith("unit/2025/"))
    answer = http.get(f"/api/places/{post['id'].removeprefix('unit/')}").json()
    detail = schemas.PlaceDetail.model_validate(answer)
    assert detail.pilots_on_territory  # Thuận Thành's pilots, applied before the reform


def test_an_undocumented_field_fails_the_check() -> None:
    with pytest.raises(ValueError):
        schemas.ModelItem.model_validate(
            {"model": "m", "id": None, "label": None, "kind": None, "level": None, "places": 1,
             "colour": "red"})


def test_every_document_and_article_detail_matches_its_schema(http: httpx.Client) -> None:
    details = _validate_all(http, "/api/documents", "id", schemas.DocumentDetail)
    articles = [d for d in details if d.type == "source"]
    assert articles and all(d.text and d.spans is not None for d in articles)
    assert all(d.text is None for d in details if d.type == "legal")


def test_the_openapi_document_names_the_models(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    ok = spec["paths"]["/api/mergers"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("Page_MergerItem_")
    detail = spec["paths"]["/api/places/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert detail["schema"]["$ref"].endswith("/PlaceDetail")
    assert "timeline" in spec["components"]["schemas"]["PlaceTimeline"]["properties"]

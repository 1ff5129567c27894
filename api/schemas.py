"""The JSON the REST resources answer with, as pydantic models: what `/docs` shows for each route.

Each model forbids fields it does not name, and a test validates every list and detail answer on the
seeds against its model, so the schema a client reads is the answer it gets. The routes build plain
dicts (a page of a national list is thousands of rows: validating each on the way out would cost more
than the query) and declare these models in their OpenAPI answers."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Item = TypeVar("Item")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(_Answer, Generic[Item]):
    """One page of a list (`Link` and `X-Total-Count` headers carry the same paging)."""

    items: list[Item]
    total: int = Field(description="Số mục của cả danh sách / items in the whole list")
    page: int
    per_page: int


class Evidence(_Answer):
    """Where the article says it: offsets into its NFC text, and the sentence."""

    start: int | None
    end: int | None
    text: str | None


class Review(_Answer):
    """An analyst's verdict on a fact, or `extracted` when nobody reviewed it."""

    state: str = Field(description="extracted | confirmed | corrected | added")
    by: str | None
    at: str | None


class Event(_Answer):
    """One status event of a pilot application."""

    event: str | None
    status: str | None = Field(description="Khoá trạng thái / status key (not_implemented, ...)")
    status_label: str | None
    when: str | None = Field(description="YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD")
    count: str | None
    document: str | None
    document_label: str | None
    document_id: str | None
    article: str | None
    article_id: str | None
    evidence: Evidence | None


class ReviewedEvent(Event):
    review: Review


class Latest(_Answer):
    status: str | None
    status_label: str | None
    when: str | None
    document_label: str | None


class MergerItem(_Answer):
    """CQ1: a merger applied at a place, with its status."""

    model: str
    model_id: str | None
    model_label: str | None
    level: str | None
    place: str
    place_id: str | None
    place_label: str | None
    province: str | None
    status: str | None
    status_label: str | None
    when: str | None
    document: str | None
    document_label: str | None
    article: str | None
    evidence: str | None = Field(description="Câu bằng chứng / the evidence sentence")
    event: str | None
    review_state: str
    reviewed_by: str | None


class ModelItem(_Answer):
    model: str
    id: str | None
    label: str | None
    kind: str | None
    level: str | None
    places: int = Field(description="Số nơi áp dụng / places applying it")


class PlaceItem(_Answer):
    place: str
    id: str | None
    label: str | None
    type: str | None
    code: str | None
    parent: str | None
    parent_label: str | None
    models: int


class DocumentItem(_Answer):
    document: str
    id: str | None
    type: str | None = Field(description="legal | source")
    label: str | None
    number: str | None
    kind: str | None
    date: str | None
    issuer: str | None


class SearchHit(_Answer):
    item: str
    id: str | None
    label: str | None
    category: str | None
    match: str | None = Field(None, description="exact | prefix | token | words | contains")
    also: list[str] = Field(default_factory=list, description="Cùng tên trước cải cách / same name, 2023")


class Fact(Event):
    """A status event with its model and place: what a document decided or an article reports."""

    model: str
    model_id: str | None
    model_label: str | None
    kind: str | None
    level: str | None
    place: str
    place_id: str | None
    place_label: str | None


class EventItem(Fact):
    """CQ5/CQ6: a status event with its model, place and the place's province."""

    province: str | None


class Component(_Answer):
    iri: str
    label: str | None
    type: str | None


class Named(_Answer):
    iri: str
    label: str | None


class PlaceTimeline(_Answer):
    """A place applying a model: its events in order and the latest."""

    place: str
    place_id: str | None
    label: str | None
    province: str | None
    timeline: list[ReviewedEvent]
    latest: Latest | None


class ModelDetail(_Answer):
    """CQ2: a model and one page of the places applying it."""

    model: str
    id: str
    label: str | None
    kind: str | None
    level: str | None
    components: list[Component]
    result: Named | None
    places: list[PlaceTimeline]
    places_total: int
    page: int
    per_page: int


class ModelTimeline(_Answer):
    """A model applied at a place: its events in order and the latest."""

    model: str
    model_id: str | None
    label: str | None
    kind: str | None
    level: str | None
    timeline: list[Event]
    latest: Latest | None


class UnitUnder(_Answer):
    place: str
    id: str | None
    label: str | None
    type: str | None
    latest: Latest | None
    models: list[ModelTimeline]


class Lineage(_Answer):
    """A successor or predecessor across the 2025 reform, and the act that links them."""

    place: str
    id: str | None
    label: str | None
    type: str | None
    code: str | None
    parent_label: str | None
    valid_from: str | None
    valid_until: str | None
    event: str | None
    date: str | None
    legal_basis: str | None


class TerritoryPilot(_Answer):
    place: str
    place_id: str | None
    place_label: str | None
    model: str | None
    model_label: str | None
    kind: str | None
    level: str | None
    status: str | None
    when: str | None
    count: str | None
    document_label: str | None
    article: str | None


class PlaceDetail(_Answer):
    """CQ3: a unit, every model applied there as a timeline, the units under it with pilots, its lineage."""

    place: str
    id: str
    label: str | None
    name: str | None
    type: str | None
    code: str | None
    parent: str | None
    parent_label: str | None
    models: list[ModelTimeline]
    units: list[UnitUnder]
    successors: list[Lineage]
    predecessors: list[Lineage]
    pilots_on_territory: list[TerritoryPilot] | None = Field(
        None, description="Chỉ đơn vị sau cải cách / post-reform units only")


class DocumentDetail(_Answer):
    """CQ4/CQ7: what a document decided; an article with its text and evidence spans."""

    document: str
    id: str
    type: str | None
    label: str | None
    number: str | None
    kind: str | None
    date: str | None
    issuer: str | None
    title: str | None
    province: str | None
    facts: list[Fact]
    text: str | None = Field(None, description="Chỉ bài báo / articles only")
    spans: list[tuple[int, int]] | None = Field(None, description="Chỉ bài báo / articles only")

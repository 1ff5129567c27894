"""Imported only by the ingest pool's fork server (api.ingest_pool): loads and exercises the whole
extract → RDF → SHACL pipeline once, so that every worker forked from it starts warm."""

from __future__ import annotations

from api.ingest_pool import warm

try:
    warm()
except Exception:  # noqa: BLE001, S110 — a failed warm-up is retried by each worker's initializer
    pass

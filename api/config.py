"""Settings for the web service, read once from the environment so tests can pass them directly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


def _list(name: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, "").split(",") if x.strip()]


@dataclass
class Settings:
    """Everything an operator can tune; `from_env` is the only place that reads os.environ."""

    store_path: str | None = None
    token: str | None = None
    query_timeout: float = 10.0
    result_limit: int = 10000
    cors_origins: list[str] = field(default_factory=list)
    max_body: int = 2_000_000
    service_allow: list[str] = field(default_factory=list)
    workers: int = 2
    ingest_workers: int = 2  # processes extracting and validating POSTed articles (0: a thread of the server)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment first, explicit keyword arguments (not None) win."""
        s = cls(
            store_path=os.environ.get("BOMAY_STORE") or os.environ.get("BOMAY_SPARQL_URL") or None,
            token=os.environ.get("BOMAY_TOKEN") or None,
            query_timeout=_float("BOMAY_QUERY_TIMEOUT", 10.0),
            result_limit=_int("BOMAY_RESULT_LIMIT", 10000),
            cors_origins=_list("BOMAY_CORS_ORIGINS"),
            max_body=_int("BOMAY_MAX_BODY", 2_000_000),
            service_allow=_list("BOMAY_SERVICE_ALLOW"),
            workers=max(1, _int("BOMAY_QUERY_WORKERS", 2)),
            ingest_workers=_int("BOMAY_INGEST_WORKERS", min(2, os.cpu_count() or 1)),
        )
        for key, value in overrides.items():
            if value is not None:
                setattr(s, key, value)
        return s

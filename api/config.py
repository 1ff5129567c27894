"""Settings for the web service, read once from the environment so tests can pass them directly.

A value the service cannot run with (`BOMAY_QUERY_TIMEOUT=abc`, `BOMAY_QUERY_WORKERS=0`, an origin that is
not one) raises `SettingsError` with one line naming the variable, the value and what is expected: a
setting silently replaced by its default would leave the operator believing a limit is in force.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

_ORIGIN = re.compile(r"^https?://[^/\s?#]+$")


class SettingsError(ValueError):
    """A BOMAY_* setting the service refuses; the message is one line for the operator."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _bad(name: str, value: object, vi: str, en: str) -> SettingsError:
    return SettingsError(f"{name}={value!r}: {vi} / {en}")


def _int(name: str, default: int) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise _bad(name, raw, "cần một số nguyên", "expected an integer") from None


def _float(name: str, default: float) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise _bad(name, raw, "cần một số (giây)", "expected a number of seconds") from None


def _list(name: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, "").split(",") if x.strip()]


OVERFLOW_POLICIES = ("refuse", "truncate")


def _reviewers(items: list[str]) -> dict[str, str]:
    """"name:token" items as token -> name (an item without a colon keeps an empty name: refused by check)."""
    out: dict[str, str] = {}
    for item in items:
        name, _, token = item.rpartition(":")
        if token in out:
            raise _bad("BOMAY_REVIEW_TOKENS", name, "hai người duyệt cùng một token",
                       "two reviewers share a token")
        out[token.strip()] = name.strip()
    return out


# field → (environment variable, lowest value allowed, is that lowest value itself allowed)
_BOUNDS: dict[str, tuple[str, float, bool]] = {
    "query_timeout": ("BOMAY_QUERY_TIMEOUT", 0, False),
    "result_limit": ("BOMAY_RESULT_LIMIT", 1, True),
    "max_answer_bytes": ("BOMAY_MAX_ANSWER_BYTES", 1024, True),
    "max_body": ("BOMAY_MAX_BODY", 1, True),
    "workers": ("BOMAY_QUERY_WORKERS", 1, True),
    "ingest_workers": ("BOMAY_INGEST_WORKERS", 0, True),
    "client_concurrency": ("BOMAY_CLIENT_CONCURRENCY", 0, True),
}


@dataclass
class Settings:
    """Everything an operator can tune; `from_env` is the only place that reads os.environ."""

    store_path: str | None = None
    token: str | None = None
    query_timeout: float = 10.0
    result_limit: int = 10000
    max_answer_bytes: int = 64 * 1024 * 1024  # every answer (SPARQL, REST, exports), checked while written
    cors_origins: list[str] = field(default_factory=list)
    max_body: int = 2_000_000
    service_allow: list[str] = field(default_factory=list)
    workers: int = 2
    ingest_workers: int = 2  # processes extracting and validating POSTed articles (0: a thread of the server)
    # requests in flight per remote address without a token, past which 429 (0: no limit; a suspect: 1)
    client_concurrency: int = 8
    # An answer past result_limit: "refuse" (422) or "truncate" (cut at the limit, marked by the
    # X-SPARQL-MaxRows header, as public endpoints do for clients that cannot page)
    result_overflow: str = "refuse"
    # reviewers: token -> name, from BOMAY_REVIEW_TOKENS="name:token,..." (never the ingest token)
    review_tokens: dict[str, str] = field(default_factory=dict)

    # Whole-graph dumps (/export/<rdf format>, /graph-store) are the graph itself, not a query's answer:
    # at least this many triples whatever the result limit (still under the time and byte limits).
    DUMP_MIN_TRIPLES = 2_000_000

    @property
    def dump_limit(self) -> int:
        return max(self.result_limit, self.DUMP_MIN_TRIPLES)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment first, explicit keyword arguments (not None) win; the result is checked."""
        s = cls(
            store_path=os.environ.get("BOMAY_STORE") or os.environ.get("BOMAY_SPARQL_URL") or None,
            token=_raw("BOMAY_TOKEN"),
            query_timeout=_float("BOMAY_QUERY_TIMEOUT", 10.0),
            result_limit=_int("BOMAY_RESULT_LIMIT", 10000),
            max_answer_bytes=_int("BOMAY_MAX_ANSWER_BYTES", 64 * 1024 * 1024),
            cors_origins=_list("BOMAY_CORS_ORIGINS"),
            max_body=_int("BOMAY_MAX_BODY", 2_000_000),
            service_allow=_list("BOMAY_SERVICE_ALLOW"),
            workers=_int("BOMAY_QUERY_WORKERS", 2),
            ingest_workers=_int("BOMAY_INGEST_WORKERS", min(2, os.cpu_count() or 1)),
            client_concurrency=_int("BOMAY_CLIENT_CONCURRENCY", 8),
            result_overflow=(_raw("BOMAY_RESULT_OVERFLOW") or "refuse").lower(),
            review_tokens=_reviewers(_list("BOMAY_REVIEW_TOKENS")),
        )
        for key, value in overrides.items():
            if value is not None:
                setattr(s, key, value)
        s.check()
        return s

    def check(self) -> None:
        """Refuse values the service cannot honour (first problem found, as one line)."""
        for name, (env, low, inclusive) in _BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, float) and not math.isfinite(value):
                raise _bad(env, value, "cần một số hữu hạn", "expected a finite number")
            if value < low or (value == low and not inclusive):
                sign = "≥" if inclusive else ">"
                raise _bad(env, value, f"cần {sign} {low:g}", f"must be {'>=' if inclusive else '>'} {low:g}")
        if self.result_overflow not in OVERFLOW_POLICIES:
            raise _bad("BOMAY_RESULT_OVERFLOW", self.result_overflow, "cần refuse hoặc truncate",
                       "expected refuse or truncate")
        for origin in self.cors_origins:
            if origin != "*" and not _ORIGIN.match(origin):
                raise _bad(
                    "BOMAY_CORS_ORIGINS", origin, "mỗi mục là một origin như https://example.org",
                    "each item must be an origin such as https://example.org (no path)",
                )
        for token, name in self.review_tokens.items():
            if len(token) < 8 or not name.strip() or any(c.isspace() for c in token):
                raise _bad("BOMAY_REVIEW_TOKENS", name or "?", "mỗi mục là tên:token, token ≥ 8 ký tự",
                           "each item is name:token, the token at least 8 characters")
            if token == self.token:
                raise _bad("BOMAY_REVIEW_TOKENS", name, "token người duyệt phải khác BOMAY_TOKEN",
                           "a reviewer token must differ from BOMAY_TOKEN")
        for url in self.service_allow:
            if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
                raise _bad("BOMAY_SERVICE_ALLOW", url, "mỗi mục là một URL http(s)", "expected http(s) URLs")

"""Short form of the load test (the 60 s form: `python -m tests.reliability.load --seconds 60`)."""

from __future__ import annotations

import asyncio
import os

from tests.api.conftest import TOKEN
from tests.reliability.load import run

SECONDS = float(os.environ.get("BOMAY_LOAD_SECONDS", "10"))


def test_sixteen_clients_mixing_sparql_rest_and_ingest(rserver) -> None:
    summary = asyncio.run(run(rserver.url, TOKEN, SECONDS, clients=16, pid=rserver.proc.pid,
                              max_requests=5000, ingest_share=0.08, mem_limit_mb=300))
    print(summary)
    assert summary["requests"] >= 16
    assert summary["server_errors"] == 0 and summary["transport_errors"] == 0, summary["examples"]
    assert summary["unexpected_4xx"] == 0, summary["examples"]
    assert summary["lost_articles"] == [], summary["lost_articles"]
    assert summary["ok"], summary["failures"]
    assert summary["per_kind"].get("sparql") and summary["per_kind"].get("rest")

"""schemathesis over the whole API, writes included (with the token), on a private writable server:
no 5xx, every error a JSON body with a message, every status documented, and the server healthy after.

Bounded: BOMAY_SCHEMATHESIS_EXAMPLES examples per operation (default 6), derandomised.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.reliability.conftest import AUTH, graph_counts

EXAMPLES = int(os.environ.get("BOMAY_SCHEMATHESIS_EXAMPLES", "6"))


def _run(server, check_case) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=server.url, headers=AUTH, timeout=120)
            problem = check_case(case, response)
            if problem:
                failures.append(f"{case.method} {case.formatted_path} {case.query or ''} → "
                                f"{response.status_code}: {problem}")

        check()
    return operations, failures


def _documented(case, status: int) -> bool:
    responses = case.operation.definition.raw.get("responses", {})
    return str(status) in responses or f"{str(status)[0]}XX" in responses or "default" in responses


@pytest.mark.schemathesis
def test_whole_api_with_writes_never_fails_server_side(rserver) -> None:
    def check_case(case, response) -> str | None:
        if response.status_code >= 500:
            return response.text[:300]
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                return "error answer is not JSON"
            if not (isinstance(body, dict) and body.get("message")):
                return f"error answer without message: {response.text[:200]}"
        return None

    operations, failures = _run(rserver, check_case)
    assert operations >= 15
    assert failures == [], "\n".join(failures[:20])
    with rserver.client() as c:
        assert c.get("/health").status_code == 200
        assert graph_counts(c)


@pytest.mark.schemathesis
def test_every_status_the_api_answers_is_documented(rserver) -> None:
    def check_case(case, response) -> str | None:
        if not _documented(case, response.status_code):
            return "status not in the operation's OpenAPI responses"
        return None

    _, failures = _run(rserver, check_case)
    short = sorted({" ".join(f.split(" ")[:2]) + " → " + f.split(" → ")[1][:3] for f in failures})
    assert failures == [], "\n".join(short[:30])

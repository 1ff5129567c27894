"""Property-based run of every OpenAPI operation against the real server: no answer may be a 5xx.

Bounded: BOMAY_SCHEMATHESIS_EXAMPLES examples per operation (default 10). Select with
`pytest -m schemathesis`; deselect with `-m "not schemathesis"`.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import Server

EXAMPLES = int(os.environ.get("BOMAY_SCHEMATHESIS_EXAMPLES", "10"))


@pytest.mark.schemathesis
def test_no_server_error_on_any_operation(server: Server) -> None:
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=server.url, timeout=60)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query or ''} → "
                    f"{response.status_code}: {response.text[:300]}"
                )

        check()
    assert operations >= 15
    assert failures == []

"""Self-check of the reliability suite: the real app with ONE protection removed, chosen by
RELIABILITY_BREAK, so that the tests guarding it can be seen to fail. Never used by a normal run.

    RELIABILITY_BREAK=bodylimit   pytest tests/reliability/test_ingest_guard.py -k megabytes   # must fail
    RELIABILITY_BREAK=sparqlguard pytest tests/reliability/test_sparql_guard.py               # must fail
    RELIABILITY_BREAK=token       pytest tests/reliability/test_ingest_guard.py -k token      # must fail
    RELIABILITY_BREAK=timeout     pytest tests/reliability/test_sparql_guard.py -k time_limit # must fail
    RELIABILITY_BREAK=resultcap   pytest tests/reliability/test_sparql_guard.py -k result_cap # must fail
    RELIABILITY_BREAK=textcheck   pytest tests/reliability/test_ingest_guard.py -k bad_body   # must fail

    RELIABILITY_BREAK=lexer       pytest tests/reliability/test_service_bypass.py -k "forms or router"
    RELIABILITY_BREAK=netguard    pytest tests/reliability/test_service_bypass.py -k workers   # must fail
    RELIABILITY_BREAK=depth       pytest tests/reliability/test_request_limits.py -k nesting   # must fail
    RELIABILITY_BREAK=headlimit   pytest tests/reliability/test_request_limits.py -k headers   # must fail
    RELIABILITY_BREAK=urlcheck    pytest tests/reliability/test_request_limits.py -k urls      # must fail
    RELIABILITY_BREAK=answerbytes pytest tests/reliability/test_answer_bytes.py -k refused   # must fail
    RELIABILITY_BREAK=clientlimit pytest tests/reliability/test_client_limit.py              # must fail

`lexer` gives the one lexer back the gaps found by attack (no escapes in IRIs or prefixed names, `<` always
an IRI); `netguard` lets query workers open sockets. `create_unguarded_app` is the app with the SERVICE
guard off (always), so that the workers' own refusal of the network is tested alone.

(`nonatomic` is handled by tests/reliability/writer.py, `innerhtml` by test_explorer_xss.py.)
"""

from __future__ import annotations

import os
import re
from typing import Any


def create_app(**kw: Any) -> Any:
    broken = os.environ.get("RELIABILITY_BREAK", "")
    if broken == "sparqlguard":
        from api import sparql_check

        def inspect(query: str, allow: Any = ()) -> Any:
            form = next((f for f in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK") if f in query.upper()), None)
            return sparql_check.QueryInfo(form=form, services=[])

        sparql_check.inspect = inspect
    elif broken == "lexer":
        from graph import lexer

        lexer._IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
        no_escapes = lexer._TERMINAL.pattern.replace(lexer._PLX, "%[0-9A-Fa-f]{2}")
        lexer._TERMINAL = re.compile(no_escapes, re.DOTALL)
        lexer._OPERANDS = set()
    elif broken == "netguard":
        from api import engine

        real_init = engine._Worker.__init__

        def networked(self: Any, ctx: Any, snapshot: str, deny_network: bool = True) -> None:
            real_init(self, ctx, snapshot, False)

        engine._Worker.__init__ = networked
    elif broken == "depth":
        from api import sparql_check

        sparql_check.MAX_DEPTH = 10**9
    elif broken == "headlimit":
        from api import headlimit

        headlimit.install = lambda: None
    elif broken == "urlcheck":
        from api import articles

        articles.check_url = lambda url: None
    elif broken == "textcheck":
        from api import pipeline

        pipeline.check_text = lambda text: text
    elif broken == "clientlimit":
        kw["client_concurrency"] = 0
    elif broken == "timeout":
        os.environ["BOMAY_QUERY_TIMEOUT"] = "100000"
    elif broken == "resultcap":
        os.environ["BOMAY_RESULT_LIMIT"] = "100000000"
    elif broken == "answerbytes":
        os.environ["BOMAY_MAX_ANSWER_BYTES"] = str(1 << 40)
    from api.app import create_app as real

    app = real(**kw)
    if broken == "bodylimit":
        from api.middleware import BodyLimit

        app.user_middleware = [m for m in app.user_middleware if m.cls is not BodyLimit]
    elif broken == "token":
        from api.deps import require_writer

        app.dependency_overrides[require_writer] = lambda: None
    return app



class _Everything(tuple):
    """An allow-list that holds every endpoint."""

    def __contains__(self, item: object) -> bool:
        return True


def create_unguarded_app(**kw: Any) -> Any:
    """The app with the SERVICE guard off (every constant endpoint allowed by the text check) while the
    workers still refuse themselves the network: that refusal is then all that stands."""
    from api import sparql_check

    real = sparql_check.inspect
    sparql_check.inspect = lambda query, allow=(): real(query, _Everything())
    return create_app(**kw)

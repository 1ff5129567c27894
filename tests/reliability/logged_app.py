"""The real app with api.logs wired in, as the lead will wire it (`logs.install(app)` in create_app).

Used by test_logs.py until api/app.py does it itself; `uvicorn tests.reliability.logged_app:create_app
--factory` serves it.
"""

from __future__ import annotations

from typing import Any

from api import logs
from api.app import create_app as _create_app


def create_app(**kw: Any) -> Any:
    app = _create_app(**kw)
    logs.install(app)
    return app

"""Bad BOMAY_* settings stop the server at start with one line and a non-zero exit, instead of
being replaced by their defaults without a word."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.config import Settings, SettingsError
from tests.api.conftest import ROOT, free_port

BAD = [
    ("BOMAY_QUERY_TIMEOUT", "abc"),
    ("BOMAY_QUERY_TIMEOUT", "0"),
    ("BOMAY_QUERY_TIMEOUT", "-1"),
    ("BOMAY_QUERY_TIMEOUT", "inf"),
    ("BOMAY_RESULT_LIMIT", "10k"),
    ("BOMAY_RESULT_LIMIT", "0"),
    ("BOMAY_MAX_BODY", "2MB"),
    ("BOMAY_QUERY_WORKERS", "0"),
    ("BOMAY_QUERY_WORKERS", "two"),
    ("BOMAY_INGEST_WORKERS", "-1"),
    ("BOMAY_CORS_ORIGINS", "example.org"),
    ("BOMAY_CORS_ORIGINS", "https://example.org/app"),
    ("BOMAY_SERVICE_ALLOW", "ftp://example.org/sparql"),
]


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("BOMAY_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("name, value", BAD)
def test_bad_setting_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    _clean_env(monkeypatch)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as e:
        Settings.from_env()
    message = str(e.value)
    assert message.startswith(f"{name}=") and value in message and "\n" not in message


def test_good_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_env(monkeypatch)
    good = {
        "BOMAY_QUERY_TIMEOUT": " 2.5 ",
        "BOMAY_RESULT_LIMIT": "500",
        "BOMAY_MAX_BODY": "1000000",
        "BOMAY_QUERY_WORKERS": "3",
        "BOMAY_INGEST_WORKERS": "0",
        "BOMAY_TOKEN": "  ",
        "BOMAY_CORS_ORIGINS": "https://example.org, http://localhost:3000",
        "BOMAY_SERVICE_ALLOW": "",
    }
    for name, value in good.items():
        monkeypatch.setenv(name, value)
    s = Settings.from_env()
    assert (s.query_timeout, s.result_limit, s.max_body) == (2.5, 500, 1000000)
    assert (s.workers, s.ingest_workers) == (3, 0)
    assert s.token is None and s.cors_origins == ["https://example.org", "http://localhost:3000"]
    _clean_env(monkeypatch)
    assert Settings.from_env().query_timeout == 10.0  # unset: the default
    with pytest.raises(SettingsError, match="BOMAY_QUERY_TIMEOUT"):
        Settings.from_env(query_timeout=-1.0)  # keyword overrides are checked too


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1"],
        ["-m", "api.cli", "serve", "--host", "127.0.0.1"],
    ],
    ids=["uvicorn", "bomay-serve"],
)
def test_server_stops_at_start_on_a_bad_setting(tmp_path: Path, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOMAY_")}
    env |= {"BOMAY_STORE": str(tmp_path / "store"), "BOMAY_QUERY_TIMEOUT": "abc"}
    done = subprocess.run(
        [sys.executable, *command, "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert "BOMAY_QUERY_TIMEOUT='abc'" in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "store").exists()  # nothing was opened or created

"""The README's "real output" is the service's real output: every plain request it shows (a GET, or a
form POST of a query) is sent to a server over the same examples, and its answer must read as the README
prints it. Requests marked as an excerpt or a summary, timed ones, writes and /health (which names the
store's path) are left out."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.conftest import Server, start_on_copy, stop_server

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## The API, with real output"


def shown_requests() -> list[tuple[str, list[str]]]:
    """(command line, output lines) of each plain curl request in the README's real-output section."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(SECTION):]
    block = block[block.index("```") + 3:]
    block = block[: block.index("```")]
    out: list[tuple[str, list[str]]] = []
    for chunk in block.split("\n$ ")[1:]:
        command, *answer = chunk.strip("\n").split("\n")
        skip = ("excerpt", "summarised", "time ", "-X ", " -i ", "/health", "| grep", "| head",
                "$BOMAY_TOKEN")
        if command.startswith("curl ") and not any(s in command for s in skip):
            out.append((command, [line for line in answer if line.strip()]))
    return out


def send(http: httpx.Client, command: str) -> str:
    """What the command's curl call answers, from this test's server (and `| wc -l` applied)."""
    pipe = command.split(" # ")[0].split(" | ")
    words = shlex.split(pipe[0])[1:]
    url, headers, data, get = None, {}, [], False
    i = 0
    while i < len(words):
        w = words[i]
        if w == "-s":
            pass
        elif w == "-G":
            get = True
        elif w == "-H":
            i += 1
            name, value = words[i].split(":", 1)
            headers[name.strip()] = value.strip()
        elif w == "--data-urlencode":
            i += 1
            data.append(tuple(words[i].split("=", 1)))
        else:
            url = w
        i += 1
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if data and not get:
        body = http.post(path, data=dict(data), headers=headers).text
    else:
        body = http.get(path, params=data or None, headers=headers).text
    if len(pipe) > 1 and pipe[1].strip() == "wc -l":
        return str(body.count("\n"))
    return body


@pytest.fixture(scope="module")
def http(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    srv: Server = start_on_copy(seeded_store, tmp_path_factory.mktemp("readme"))
    try:
        with srv.client() as c:
            yield c
    finally:
        stop_server(srv)


def test_the_readme_shows_requests_to_check() -> None:
    assert len(shown_requests()) >= 6


@pytest.mark.parametrize(("command", "answer"), shown_requests(), ids=lambda v: str(v)[:60])
def test_the_readme_output_is_what_the_service_answers(http: httpx.Client, command: str, answer: list[str]):
    got = send(http, command).replace("\r\n", "\n").strip("\n")
    shown = "\n".join(answer)
    try:
        assert json.loads(got) == json.loads(shown)
    except json.JSONDecodeError:
        assert got.split("\n") == answer

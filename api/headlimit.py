"""A size limit on request heads for uvicorn's httptools protocol.

uvicorn's only head limit is `h11_max_incomplete_event_size`, and it applies to the h11 protocol alone
(uvicorn's settings docs: "Only available for h11 HTTP protocol implementation"; h11 defaults to 16 KiB).
This service runs on httptools (chosen by uvicorn's `http="auto"` whenever it is installed, and faster),
which buffers a header of any size until it ends: a 100 MB header was accepted. `install()` wraps the
protocol's `data_received` so that a head whose header fields pass MAX_HEADER_BYTES, or whose request
target passes MAX_TARGET_BYTES, is answered 431 / 414 and the connection closed, before the app or the
parser holds more than one read chunk beyond the limit. It is called from `create_app`, so both
`bomay serve` and `uvicorn api.app:create_app --factory` get it.
"""

from __future__ import annotations

import json
from typing import Any

MAX_HEADER_BYTES = 64 * 1024  # every header field of one request together (browsers send ~1-2 KiB)
MAX_TARGET_BYTES = 1024 * 1024  # GET /sparql?query=<100,000 characters, percent-encoded UTF-8>

_STATUS = {
    431: (
        b"Request Header Fields Too Large",
        "header_too_large",
        f"Phần đầu yêu cầu quá lớn (quá {MAX_HEADER_BYTES // 1024} KiB). / Request headers exceed "
        f"{MAX_HEADER_BYTES // 1024} KiB.",
    ),
    414: (
        b"URI Too Long",
        "uri_too_long",
        f"Địa chỉ yêu cầu quá dài (quá {MAX_TARGET_BYTES // 1024} KiB). / Request target exceeds "
        f"{MAX_TARGET_BYTES // 1024} KiB.",
    ),
}


def _refuse(protocol: Any, status: int) -> None:
    """Answer `status` with the service's JSON error body and close the connection."""
    reason, code, message = _STATUS[status]
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()
    cycle = getattr(protocol, "cycle", None)
    if cycle is None or cycle.response_complete:  # never in the middle of another response
        protocol.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (status, reason, len(body), body)
        )
    protocol.transport.close()


def install() -> None:
    """Wrap uvicorn's HttpToolsProtocol once (a no-op without httptools)."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return
    if getattr(HttpToolsProtocol, "_bomay_head_limit", False):
        return
    data_received = HttpToolsProtocol.data_received
    headers_complete = HttpToolsProtocol.on_headers_complete
    message_complete = HttpToolsProtocol.on_message_complete

    def on_headers_complete(self: Any) -> None:
        self._bomay_in_head = False
        headers_complete(self)

    def on_message_complete(self: Any) -> None:
        self._bomay_in_head, self._bomay_head_bytes = True, 0
        message_complete(self)

    def limited_data_received(self: Any, data: bytes) -> None:
        if getattr(self, "_bomay_in_head", True):
            self._bomay_head_bytes = getattr(self, "_bomay_head_bytes", 0) + len(data)
        data_received(self, data)
        if not getattr(self, "_bomay_in_head", True) or self.transport.is_closing():
            return
        target = len(getattr(self, "url", b""))
        if target > MAX_TARGET_BYTES:
            _refuse(self, 414)
        elif self._bomay_head_bytes - target > MAX_HEADER_BYTES:
            _refuse(self, 431)

    HttpToolsProtocol.on_headers_complete = on_headers_complete
    HttpToolsProtocol.on_message_complete = on_message_complete
    HttpToolsProtocol.data_received = limited_data_received
    HttpToolsProtocol._bomay_head_limit = True

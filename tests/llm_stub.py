"""A minimal OpenAI-compatible chat server for the LLM tests (no model: it says `reply`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


class ChatStub(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible /v1/chat/completions, streaming and not."""

    requests: ClassVar[list[dict]] = []
    reply = "Ja [1]."

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        words = [w + " " for w in self.reply.split(" ")]
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for w in words:
                self._event({"delta": {"content": w}, "index": 0, "finish_reason": None})
            self._event({"delta": {}, "index": 0, "finish_reason": "stop"})
            self.wfile.write(b"data: [DONE]\n\n")
            return
        message = {"role": "assistant", "content": self.reply}
        self._json({"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})

    def _event(self, choice: dict) -> None:
        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "stub"}
        self.wfile.write(f"data: {json.dumps({**chunk, 'choices': [choice]})}\n\n".encode())
        self.wfile.flush()

    def _json(self, payload: dict) -> None:
        data = json.dumps(
            {"id": "x", "object": "chat.completion", "created": 0, "model": "stub", **payload}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextmanager
def serving() -> Iterator[str]:
    """The stub on a free 127.0.0.1 port; yields its base URL (…/v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ChatStub.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()

"""A /v1/chat/completions server on 127.0.0.1, in a thread, for tests of the HTTP backend.

Subclasses decide each answer in ``respond``; this class does the HTTP plumbing once.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatServer:
    def __init__(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    status, payload, headers = server.respond(self.path, raw, dict(self.headers))
                    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    server.answered()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def respond(self, path: str, raw: bytes, headers: dict) -> tuple[int, dict | bytes, dict]:
        """(status, JSON document or raw bytes, extra headers) for one request."""
        raise NotImplementedError

    def answered(self) -> None:
        """Called after each answer was sent (or the client went away)."""

    @staticmethod
    def completion(text: str, *, model: str = "fake", prompt_tokens: int = 7, completion_tokens: int = 5) -> dict:
        return {"id": "x", "object": "chat.completion", "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens}}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

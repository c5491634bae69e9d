"""localstripe for the tests, started like Redis in the planning-worker test: the real
Stripe SDK over real HTTP against a Stripe-compatible server on loopback (no hand-written
fake). `make test` starts one (scripts/with-localstripe.sh); a lone pytest run starts its
own. Webhooks go where localstripe is told: to an inbox that keeps each delivery's exact
body and signature, which the tests then post to the app (once or several times)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_tests")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start_localstripe():
    """(api base, process or None): the running server of `make test`, else our own."""
    if os.environ.get("STRIPE_API_BASE"):
        return os.environ["STRIPE_API_BASE"], None
    port = free_port()
    process = subprocess.Popen([str(REPO / ".venv" / "bin" / "localstripe"), "--port", str(port),
                                "--from-scratch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port)
    return f"http://127.0.0.1:{port}", process


def register_webhook(api_base: str, name: str, url: str) -> None:
    """localstripe's own configuration endpoint: deliver every event to `url`, signed."""
    data = urllib.parse.urlencode({"url": url, "secret": WEBHOOK_SECRET}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{api_base}/_config/webhooks/{name}", data=data),
                           timeout=5).close()


class Inbox:
    """Every webhook delivery localstripe made: (raw body, Stripe-Signature header)."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, str]] = []
        self.lock = threading.Lock()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with inbox.lock:
                    inbox.deliveries.append((body, self.headers.get("Stripe-Signature", "")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def delivery(self, event_type: str, intent_id: str, seconds: float = 10) -> tuple[bytes, str]:
        """The delivery of `event_type` about `intent_id` (localstripe sends after ~1 s)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                for body, signature in self.deliveries:
                    event = json.loads(body)
                    obj = event["data"]["object"]
                    about = obj.get("id") if obj.get("object") == "payment_intent" else obj.get("payment_intent")
                    if event["type"] == event_type and about == intent_id:
                        return body, signature
            time.sleep(0.05)
        raise AssertionError(f"localstripe delivered no {event_type} for {intent_id}")

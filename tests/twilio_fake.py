"""A Twilio API on loopback for the tests: records requests, replies as told.

It speaks the wire format of Twilio's Messages API (2010-04-01) and Verify
v2: form-encoded POSTs with HTTP Basic auth, JSON replies, and Twilio's
error body ``{"code", "message", "more_info", "status"}`` (Twilio's API
documentation, https://www.twilio.com/docs/api/errors). Each request is
recorded; each reply comes from the script, or a default success when the
script is empty. Fault modes: any status and body, raw non-JSON bytes,
extra headers (``Retry-After``), a hang (no reply until the server closes)
and a dropped connection (closed without a reply).
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
API_KEY_SID = "SK" + "fedcba9876543210" * 2
SERVICE_SID = "MG" + "00112233445566778899aabbccddeeff"
VERIFY_SID = "VA" + "ffeeddccbbaa99887766554433221100"
# Long and unusual, so that a leak is found by a plain substring search.
AUTH_TOKEN = "tok-" + "9f8e7d6c5b4a" * 3
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
VERIFICATIONS_PATH = f"/v2/Services/{VERIFY_SID}/Verifications"
CHECK_PATH = f"/v2/Services/{VERIFY_SID}/VerificationCheck"
# How long a hanging reply waits at most, so a broken test cannot hang CI.
_HANG_LIMIT = 30.0
# How often the server checks for shutdown; short, so teardown is quick.
_POLL_INTERVAL = 0.01


@dataclass(frozen=True)
class Request:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]

    @property
    def fields(self) -> dict[str, str]:
        """The form fields, each with its single value."""
        assert all(len(v) == 1 for v in self.form.values()), self.form
        return {name: values[0] for name, values in self.form.items()}

    @property
    def basic_auth(self) -> tuple[str, str]:
        """The user name and password of the Basic ``Authorization``."""
        scheme, _, encoded = self.headers["authorization"].partition(" ")
        assert scheme == "Basic"
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user, password


@dataclass(frozen=True)
class Reply:
    """What the fake answers to one request."""

    status: int = 201
    body: dict[str, object] | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    drop: bool = False


def error(status: int, code: int, message: str = "", **headers: str) -> Reply:
    """A Twilio error reply, as the 2010 API and Verify v2 send it."""
    return Reply(
        status,
        {
            "code": code,
            "message": message or f"Twilio error {code}",
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        headers,
    )


class FakeTwilio:
    """A threaded HTTP server on 127.0.0.1 speaking Twilio's wire format.

    Attributes:
        requests: Every request received, in order.
        verify_code: The code the default VerificationCheck approves.
    """

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.verify_code = "123456"
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            daemon=True,
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order."""
        with self._lock:
            self._script.extend(replies)

    def close(self) -> None:
        """Release hanging replies and stop the server."""
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _next(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.popleft()
        return self._default(request)

    def _default(self, request: Request) -> Reply:
        form = request.fields
        if request.path.endswith("/Messages.json"):
            return Reply(
                201,
                {
                    "sid": "SM" + secrets.token_hex(16),
                    "account_sid": ACCOUNT_SID,
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "messaging_service_sid": form.get("MessagingServiceSid"),
                    "body": form.get("Body"),
                    "status": "queued",
                    "direction": "outbound-api",
                    "api_version": "2010-04-01",
                },
            )
        if request.path.endswith("/Verifications"):
            return Reply(
                201,
                {
                    "sid": "VE" + secrets.token_hex(16),
                    "to": form.get("To"),
                    "channel": form.get("Channel"),
                    "status": "pending",
                },
            )
        if request.path.endswith("/VerificationCheck"):
            approved = form.get("Code") == self.verify_code
            return Reply(
                200,
                {
                    "sid": "VE" + "0" * 32,
                    "to": form.get("To"),
                    "status": "approved" if approved else "pending",
                    "valid": approved,
                },
            )
        return error(404, 20404, "The requested resource was not found")


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        fake: FakeTwilio = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        request = Request(
            "POST",
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            parse_qs(raw.decode(), keep_blank_values=True, strict_parsing=True)
            if raw
            else {},
        )
        reply = fake._next(request)
        if reply.hang:
            fake._release.wait(_HANG_LIMIT)
            self.close_connection = True
            return
        if reply.drop:
            self.close_connection = True
            return
        if isinstance(reply.body, bytes):
            payload = reply.body
        else:
            payload = json.dumps(reply.body or {}).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


def closed_port_url() -> str:
    """An ``http://`` URL of a loopback port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class SleepRecorder:
    """Stands in for ``time.sleep``: records delays and moves a clock."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 0.0

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        """Monotonic seconds: the sum of the delays slept so far."""
        return self.now


def chain(exc: BaseException) -> Iterator[BaseException]:
    """Yield ``exc`` and every exception chained to it, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]


def logged_texts(exc: BaseException) -> list[str]:
    """Return str and repr of ``exc`` and every exception chained to it.

    This is what a log line or a traceback shows.
    """
    return [text for e in chain(exc) for text in (str(e), repr(e))]


def texts(exc: BaseException) -> list[str]:
    """Return what :func:`logged_texts` does, plus each one's attributes."""
    return logged_texts(exc) + [
        repr(getattr(e, "__dict__", {})) for e in chain(exc)
    ]


def frame_locals(exc: BaseException) -> list[str]:
    """Return the locals of each frame in the chain's tracebacks, as repr."""
    found: list[str] = []
    for current in chain(exc):
        tb = current.__traceback__
        while tb is not None:
            found.append(repr(tb.tb_frame.f_locals))
            tb = tb.tb_next
    return found


def secret_forms() -> list[str]:
    """The token and the Basic credentials it travels in."""
    pairs = [f"{user}:{AUTH_TOKEN}" for user in (ACCOUNT_SID, API_KEY_SID)]
    return [
        AUTH_TOKEN,
        *(base64.b64encode(pair.encode()).decode() for pair in pairs),
    ]

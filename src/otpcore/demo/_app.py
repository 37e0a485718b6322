"""Building the demo's Flask app, and serving it."""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Callable
from typing import Final

from flask import Flask, Response, render_template
from flask_wtf.csrf import (  # type: ignore[import-untyped]
    CSRFError,
    CSRFProtect,
)
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

from otpcore.demo._site import DEFAULT_ISSUER, Site, default_transport
from otpcore.demo._views import EXTENSION, pages
from otpcore.sms import SmsTransport

__all__ = ["create_app", "serve"]

# A random key per process: restarting the server logs everyone out, which
# suits a demo; a deployment passes a stable key from its configuration.
_SECRET_KEY_BYTES: Final = 32
# Forms are a few short fields; refuse anything larger before parsing it.
_MAX_REQUEST_BYTES: Final = 16 * 1024
_SESSION_COOKIE: Final = "otpcore_demo"
# No script, no remote resource: the pages work offline and an injected
# <script> could not run. QR codes are data: URIs.
_CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS: Final = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(
    db_path: str,
    *,
    transport: SmsTransport | None = None,
    clock: Callable[[], float] | None = None,
    secret_key: str | bytes | None = None,
    issuer: str = DEFAULT_ISSUER,
    secure_cookies: bool = False,
) -> Flask:
    """Build the two-factor login demo site.

    Args:
        db_path: The SQLite file for users, sessions and the guard's state;
            created with its tables on first use.
        transport: Where SMS codes go. When None: Twilio if
            ``TWILIO_ACCOUNT_SID`` is set (see
            :meth:`otpcore.sms.TwilioTransport.from_env`), otherwise the
            console, which prints each message, code included, to standard
            error.
        clock: Returns the current Unix time; :func:`time.time` by default.
            Tests pass their own.
        secret_key: The site's secret: it signs the session cookie and
            keys the hashes of texted codes and recovery codes. When None,
            a random key per process signs cookies and texted codes (a
            restart logs everyone out) and recovery codes are hashed
            without a key, so that they survive restarts.
        issuer: The service name authenticator apps show.
        secure_cookies: Send the session cookie over HTTPS only. Leave it
            off only for plain HTTP on a loopback address.

    Returns:
        The Flask application.
    """
    key = (
        secrets.token_bytes(_SECRET_KEY_BYTES)
        if secret_key is None
        else secret_key
    )
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=key,
        SESSION_COOKIE_NAME=_SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        MAX_CONTENT_LENGTH=_MAX_REQUEST_BYTES,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    CSRFProtect(app)
    app.extensions[EXTENSION] = Site(
        db_path,
        transport=default_transport() if transport is None else transport,
        clock=time.time if clock is None else clock,
        issuer=issuer,
        # Recovery codes outlive the process, so their hashes are keyed
        # only by a key that does too.
        key=None if secret_key is None else _as_bytes(secret_key),
    )
    app.register_blueprint(pages)
    app.after_request(_harden)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _as_bytes(key: str | bytes) -> bytes:
    return key.encode() if isinstance(key, str) else key


def _harden(response: Response) -> Response:
    response.headers.update(_HEADERS)
    # Pages carry keys and recovery codes: keep them out of every cache.
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def _csrf_error(_: CSRFError) -> tuple[str, int]:
    return render_template(
        "error.html",
        title="Form expired",
        error=(
            "This form expired or did not come from this site. Go back, "
            "reload the page and try again."
        ),
    ), 400


def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    return render_template(
        "error.html", title=error.name, error=error.description
    ), status


def serve(host: str, port: int, db_path: str) -> None:
    """Run the demo on Werkzeug's threaded development server.

    Blocks until interrupted. The development server is fine on a loopback
    address; a deployment puts a WSGI server and HTTPS in front of
    :func:`create_app` instead.

    Args:
        host: The address to listen on, such as ``127.0.0.1``.
        port: The TCP port; 0 picks a free one.
        db_path: The SQLite file, created on first use.
    """
    app = create_app(db_path)
    server = make_server(host, port, app, threaded=True)
    print(
        f"otpcore demo on http://{host}:{server.port}/ (Ctrl-C stops it)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

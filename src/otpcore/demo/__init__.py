"""A two-factor login web site built on otpcore, for trying it out.

Sign up, turn on two-factor login with an authenticator app (a QR code) or
with text messages, and log in with a code. Needs the ``demo`` extra (Flask
and Flask-WTF); nothing else in otpcore imports this package. Start it with
``otpcore demo --host 127.0.0.1 --port 5000 --db demo.sqlite3``, or build
the app yourself with :func:`create_app`.
"""

from otpcore.demo._app import create_app, serve

__all__ = ["create_app", "serve"]

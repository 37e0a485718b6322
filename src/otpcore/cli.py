"""The ``otpcore`` command: secrets, codes and verification from a shell.

Secrets are read from standard input, a file or an environment variable,
never from the command line, where other users of the machine can read them
in the process list. Exit status: 0 on success, 1 when a code does not
match, 2 for bad usage or bad input (with a one-line message).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Final, TextIO

from otpcore import __version__
from otpcore._otp import DEFAULT_ALGORITHM, DEFAULT_DIGITS
from otpcore.errors import OtpError
from otpcore.hotp import HOTP
from otpcore.secret import DEFAULT_SECRET_BYTES, Secret
from otpcore.totp import DEFAULT_PERIOD, DEFAULT_WINDOW, TOTP

__all__ = ["main"]

EXIT_OK: Final = 0
EXIT_MISMATCH: Final = 1
EXIT_USAGE: Final = 2

#: Longer than any real secret or URI; a bound so that a stray pipe of a
#: large file fails quickly instead of being read whole.
_MAX_SECRET_INPUT: Final = 64 * 1024

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A problem with the command's input, reported on one line."""


def _read_secret_text(args: argparse.Namespace, what: str) -> str:
    """Return the secret text from the file, variable or stdin chosen."""
    if args.secret_file is not None:
        try:
            with open(args.secret_file, encoding="utf-8") as handle:
                text = handle.read(_MAX_SECRET_INPUT + 1)
        except OSError as exc:
            raise CliError(
                f"cannot read --secret-file: {exc.strerror}"
            ) from None
    elif args.secret_env is not None:
        value = os.environ.get(args.secret_env)
        if value is None:
            raise CliError(
                f"environment variable {args.secret_env} is not set"
            )
        text = value
    elif sys.stdin is not None and sys.stdin.isatty():
        text = getpass.getpass(f"{what}: ")
    elif sys.stdin is not None:
        text = sys.stdin.read(_MAX_SECRET_INPUT + 1)
    else:
        raise CliError("no secret given: use standard input or --secret-*")
    if len(text) > _MAX_SECRET_INPUT:
        raise CliError("the secret input is too long")
    text = text.strip()
    if not text:
        raise CliError(f"no {what.lower()} given")
    return text


def _load_otp(args: argparse.Namespace) -> TOTP | HOTP:
    """Build the generator the options describe."""
    if args.uri:
        # Imported here so the core commands work without the URI module's
        # import cost.
        from otpcore.uri import parse_uri  # noqa: PLC0415

        record = parse_uri(
            _read_secret_text(args, "otpauth URI"), allow_weak=args.allow_weak
        )
        if args.counter is None and record.counter is not None:
            args.counter = record.counter
        return record.otp
    secret = Secret.from_b32(_read_secret_text(args, "Secret (base32)"))
    if args.hotp:
        return HOTP(
            secret,
            digits=args.digits,
            algorithm=args.algorithm,
            allow_weak=args.allow_weak,
        )
    return TOTP(
        secret,
        digits=args.digits,
        algorithm=args.algorithm,
        period=args.period,
        allow_weak=args.allow_weak,
    )


def _counter(args: argparse.Namespace) -> int:
    if args.counter is None:
        raise CliError("HOTP needs --counter")
    return int(args.counter)


def _cmd_secret(args: argparse.Namespace) -> int:
    secret = Secret.generate(args.bytes)
    print(secret.b32)
    if args.show_code:
        print(TOTP(secret).now())
    return EXIT_OK


def _cmd_code(args: argparse.Namespace) -> int:
    otp = _load_otp(args)
    if isinstance(otp, HOTP):
        counter = _counter(args)
        codes = [otp.at(counter + i) for i in range(args.count)]
    else:
        at = time.time() if args.at is None else args.at
        step = otp.step(at)
        codes = [otp.at_step(step + i) for i in range(args.count)]
    print("\n".join(codes))
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    otp = _load_otp(args)
    if isinstance(otp, HOTP):
        match = otp.verify(
            args.code, counter=_counter(args), look_ahead=args.window
        )
    else:
        match = otp.verify(args.code, at=args.at, window=args.window)
    if match is None:
        if not args.quiet:
            print("no match", file=sys.stderr)
        return EXIT_MISMATCH
    if not args.quiet:
        print(f"match: counter {match.counter}, offset {match.offset:+d}")
    return EXIT_OK


def _cmd_uri(args: argparse.Namespace) -> int:
    from otpcore.compat import check  # noqa: PLC0415

    if args.new_secret:
        secret = Secret.generate()
    else:
        secret = Secret.from_b32(_read_secret_text(args, "Secret (base32)"))
    otp: TOTP | HOTP
    if args.hotp:
        otp = HOTP(
            secret,
            digits=args.digits,
            algorithm=args.algorithm,
            allow_weak=args.allow_weak,
        )
        uri = otp.provisioning_uri(
            args.account,
            args.issuer,
            counter=0 if args.counter is None else args.counter,
            **_image(args),
        )
    else:
        otp = TOTP(
            secret,
            digits=args.digits,
            algorithm=args.algorithm,
            period=args.period,
            allow_weak=args.allow_weak,
        )
        uri = otp.provisioning_uri(args.account, args.issuer, **_image(args))
    print(uri)
    for issue in check(uri, args.app):
        print(f"warning: {issue.message}", file=sys.stderr)
    return EXIT_OK


def _image(args: argparse.Namespace) -> dict[str, str]:
    return {} if args.image is None else {"image": args.image}


def _cmd_qr(args: argparse.Namespace) -> int:
    from otpcore.qr import QrCode  # noqa: PLC0415
    from otpcore.uri import parse_uri  # noqa: PLC0415

    text = _read_secret_text(args, "otpauth URI")
    # Parsing first refuses a malformed URI before it reaches a phone.
    parse_uri(text, allow_weak=args.allow_weak, strict_issuer=False)
    code = QrCode.encode(text, args.ecc)
    if args.png is None and args.svg is None:
        print(code.terminal(invert=args.invert))
        return EXIT_OK
    if args.png is not None:
        _write_private(args.png, code.png(scale=args.scale))
    if args.svg is not None:
        _write_private(args.svg, code.svg(scale=args.scale).encode())
    return EXIT_OK


def _write_private(path: str, data: bytes) -> None:
    """Write ``data`` to ``path``, readable by its owner only.

    A QR code of an otpauth URI carries the secret, so the file gets the
    same care as the secret itself.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        # The mode above applies only to a new file; an existing one keeps
        # its own unless it is changed.
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror}") from None


def _cmd_import(args: argparse.Namespace) -> int:
    from otpcore.uri import parse_migration_uris  # noqa: PLC0415

    text = _read_secret_text(args, "otpauth-migration URI")
    records = parse_migration_uris(text.split())
    # Every URI is built before any is printed, so a record that cannot be
    # written leaves no partial list behind.
    uris = [record.uri() for record in records]
    print("\n".join(uris))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    try:
        from otpcore.demo import serve  # noqa: PLC0415
    except ImportError as exc:
        raise CliError(
            f"the demo needs the 'demo' extra ({exc.name} is missing): "
            "pip install 'otpcore[demo]'"
        ) from None
    serve(args.host, args.port, args.db)
    return EXIT_OK


def _add_secret_source(
    parser: argparse.ArgumentParser, *, uri_option: bool = True
) -> None:
    source = parser.add_argument_group(
        "secret source",
        "The secret is read from standard input unless one of these is "
        "given; it is never taken from the command line.",
    )
    choice = source.add_mutually_exclusive_group()
    choice.add_argument(
        "--secret-file", metavar="PATH", help="read the secret from PATH"
    )
    choice.add_argument(
        "--secret-env",
        metavar="NAME",
        help="read the secret from environment variable NAME",
    )
    if uri_option:
        source.add_argument(
            "--uri",
            action="store_true",
            help="the input is an otpauth:// URI, not base32",
        )


def _add_algorithm_options(parser: argparse.ArgumentParser) -> None:
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument(
        "--totp", action="store_true", help="time-based (the default)"
    )
    kind.add_argument("--hotp", action="store_true", help="counter-based")
    parser.add_argument(
        "--digits",
        type=int,
        default=DEFAULT_DIGITS,
        help="code length, 6 to 10 (default %(default)s)",
    )
    parser.add_argument(
        "--algorithm",
        default=DEFAULT_ALGORITHM,
        choices=("sha1", "sha256", "sha512"),
        help="hash function (default %(default)s)",
    )
    parser.add_argument(
        "--period",
        type=int,
        default=DEFAULT_PERIOD,
        help="TOTP time step in seconds (default %(default)s)",
    )
    parser.add_argument(
        "--at",
        type=float,
        metavar="UNIX_SECONDS",
        help="TOTP: use this time instead of now",
    )
    parser.add_argument("--counter", type=int, help="HOTP: the counter value")
    parser.add_argument(
        "--allow-weak",
        action="store_true",
        help="accept keys of 80 to 127 bits",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for the ``otpcore`` command."""
    parser = argparse.ArgumentParser(
        prog="otpcore",
        allow_abbrev=False,
        description="One-time passwords (HOTP, TOTP) from the command line.",
        epilog="Exit status: 0 success, 1 code did not match, 2 bad input.",
    )
    parser.add_argument(
        "--version", action="version", version=f"otpcore {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    secret = commands.add_parser(
        "secret",
        allow_abbrev=False,
        help="print a new random secret in base32",
        description="Print a new random secret in base32.",
    )
    secret.add_argument(
        "--bytes",
        type=int,
        default=DEFAULT_SECRET_BYTES,
        help="key length in bytes, at least 16 (default %(default)s)",
    )
    secret.add_argument(
        "--show-code",
        action="store_true",
        help="also print its current TOTP code",
    )
    secret.set_defaults(handler=_cmd_secret)

    code = commands.add_parser(
        "code",
        allow_abbrev=False,
        help="print the code for a secret",
        description="Print the current (or given) TOTP or HOTP code.",
    )
    _add_algorithm_options(code)
    code.add_argument(
        "--count",
        type=int,
        default=1,
        help="print this many consecutive codes (default %(default)s)",
    )
    _add_secret_source(code)
    code.set_defaults(handler=_cmd_code)

    verify = commands.add_parser(
        "verify",
        allow_abbrev=False,
        help="check a code; exit status 0 on a match, 1 otherwise",
        description="Check a code; exit status 0 on a match, 1 otherwise.",
    )
    verify.add_argument("code", help="the code to check")
    _add_algorithm_options(verify)
    verify.add_argument(
        "--window",
        type=int,
        default=DEFAULT_WINDOW,
        help="TOTP steps either side, or HOTP look-ahead "
        "(default %(default)s)",
    )
    verify.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing"
    )
    _add_secret_source(verify)
    verify.set_defaults(handler=_cmd_verify)

    uri = commands.add_parser(
        "uri",
        allow_abbrev=False,
        help="print the otpauth:// URI that loads a secret into an app",
        description="Print the otpauth:// URI for a secret, and warn about "
        "parameters the chosen app is known to ignore.",
    )
    uri.add_argument("--account", required=True, help="the account name")
    uri.add_argument("--issuer", help="the service name (recommended)")
    uri.add_argument("--image", help="an https URL of an icon")
    uri.add_argument(
        "--app",
        default="google",
        choices=("google", "keyuri"),
        help="the app to check compatibility with (default %(default)s)",
    )
    uri.add_argument(
        "--new-secret",
        action="store_true",
        help="generate a new secret instead of reading one",
    )
    _add_algorithm_options(uri)
    _add_secret_source(uri, uri_option=False)
    uri.set_defaults(handler=_cmd_uri)

    qr = commands.add_parser(
        "qr",
        allow_abbrev=False,
        help="draw an otpauth:// URI as a QR code",
        description="Draw an otpauth:// URI as a QR code: on the terminal, "
        "or into PNG or SVG files (created readable by their owner only, "
        "since the code holds the secret).",
    )
    qr.add_argument("--png", metavar="PATH", help="write a PNG file")
    qr.add_argument("--svg", metavar="PATH", help="write an SVG file")
    qr.add_argument(
        "--scale",
        type=int,
        default=8,
        help="pixels per module in files (default %(default)s)",
    )
    qr.add_argument(
        "--ecc",
        default="M",
        choices=("L", "M", "Q", "H"),
        help="error correction level (default %(default)s)",
    )
    qr.add_argument(
        "--invert",
        action="store_true",
        help="for a terminal with dark text on a light background",
    )
    qr.add_argument(
        "--allow-weak",
        action="store_true",
        help="accept keys of 80 to 127 bits",
    )
    _add_secret_source(qr, uri_option=False)
    qr.set_defaults(handler=_cmd_qr)

    import_ = commands.add_parser(
        "import",
        allow_abbrev=False,
        help="turn a Google Authenticator export into otpauth:// URIs",
        description="Read otpauth-migration:// URIs (one per line, all the "
        "QR codes of one export) and print one otpauth:// URI per account.",
    )
    _add_secret_source(import_, uri_option=False)
    import_.set_defaults(handler=_cmd_import)

    demo = commands.add_parser(
        "demo",
        allow_abbrev=False,
        help="run the two-factor login demo site",
        description="Run the two-factor login demo site (needs the 'demo' "
        "extra). Text messages are printed to standard error unless "
        "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER (or "
        "TWILIO_MESSAGING_SERVICE_SID) are set.",
    )
    demo.add_argument(
        "--host", default="127.0.0.1", help="address (default %(default)s)"
    )
    demo.add_argument(
        "--port", type=int, default=5000, help="port (default %(default)s)"
    )
    demo.add_argument(
        "--db",
        default="demo.sqlite3",
        help="SQLite file, created on first use (default %(default)s)",
    )
    demo.set_defaults(handler=_cmd_demo)
    return parser


def main(
    argv: Sequence[str] | None = None, *, stderr: TextIO | None = None
) -> int:
    """Run the ``otpcore`` command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (OtpError, CliError) as exc:
        print(f"otpcore: error: {exc}", file=stderr or sys.stderr)
        return EXIT_USAGE
    except UnicodeError:
        # Raised while reading the secret or URI; its text is not repeated.
        print(
            "otpcore: error: the input is not valid UTF-8 text",
            file=stderr or sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_USAGE

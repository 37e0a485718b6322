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


def _add_secret_source(parser: argparse.ArgumentParser) -> None:
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
    except KeyboardInterrupt:
        return EXIT_USAGE

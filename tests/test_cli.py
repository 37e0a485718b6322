"""The ``otpcore`` command, run as users run it: a separate process."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

RFC_KEY = b"12345678901234567890"
RFC_B32 = base64.b32encode(RFC_KEY).decode()


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "otpcore", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=60,
    )


def test_secret_prints_a_new_160_bit_base32_secret():
    """`secret` prints 32 base32 characters, different each time."""
    first = run("secret")
    second = run("secret")

    assert first.returncode == 0
    text = first.stdout.strip()
    assert len(base64.b32decode(text)) == 20
    assert text != second.stdout.strip()


def test_secret_refuses_a_short_key():
    """`secret --bytes 10` fails with one line and status 2."""
    result = run("secret", "--bytes", "10")

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "128 bits" in result.stderr


def test_secret_show_code_prints_a_code_for_it():
    """`secret --show-code` prints the secret and then a six-digit code."""
    result = run("secret", "--show-code")

    lines = result.stdout.split()
    assert len(lines) == 2
    assert lines[1].isdigit()
    assert len(lines[1]) == 6


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--digits", "8", "--at", "59"), "94287082"),
        (("--digits", "8", "--at", "1111111109"), "07081804"),
        (("--hotp", "--counter", "0"), "755224"),
        (("--hotp", "--counter", "9"), "520489"),
    ],
    ids=["totp-59", "totp-1111111109", "hotp-0", "hotp-9"],
)
def test_code_reads_the_secret_from_stdin(args, expected):
    """`code` prints the RFC 4226 / RFC 6238 value for the secret on stdin."""
    result = run("code", *args, stdin=RFC_B32 + "\n")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_code_count_prints_consecutive_codes():
    """`code --count 3` prints the codes of three consecutive counters."""
    result = run(
        "code", "--hotp", "--counter", "0", "--count", "3", stdin=RFC_B32
    )

    assert result.stdout.split() == ["755224", "287082", "359152"]


def test_code_reads_the_secret_from_an_environment_variable():
    """`--secret-env NAME` reads the secret from that variable."""
    result = run(
        "code",
        "--hotp",
        "--counter",
        "1",
        "--secret-env",
        "MY_OTP_SECRET",
        env={"MY_OTP_SECRET": RFC_B32},
    )

    assert result.stdout.strip() == "287082"


def test_code_reads_the_secret_from_a_file(tmp_path: Path):
    """`--secret-file PATH` reads the secret from that file."""
    path = tmp_path / "secret.txt"
    path.write_text(RFC_B32 + "\n")

    result = run(
        "code", "--hotp", "--counter", "2", "--secret-file", str(path)
    )

    assert result.stdout.strip() == "359152"


def test_there_is_no_way_to_pass_a_secret_as_an_argument():
    """A `--secret` option does not exist, so argv never holds a key."""
    result = run("code", "--secret", RFC_B32)

    assert result.returncode == 2
    assert "error:" in result.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "fragment"),
    [
        ((), "not base32 at all!", "base32"),
        ((), "", "no secret"),
        (("--digits", "5"), RFC_B32, "digits"),
        (("--hotp",), RFC_B32, "--counter"),
        (("--secret-env", "OTPCORE_UNSET_VARIABLE"), "", "not set"),
        (("--secret-file", "/nonexistent/secret"), "", "--secret-file"),
        ((), "GEZDGNBVGY3TQOJQ", "bits"),
    ],
    ids=[
        "not-base32",
        "empty",
        "digits",
        "hotp-without-counter",
        "unset-env",
        "missing-file",
        "weak-key",
    ],
)
def test_bad_input_gives_one_line_and_status_2(args, stdin, fragment):
    """Bad input prints one line naming the problem and exits with 2."""
    result = run("code", *args, stdin=stdin)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("otpcore: error:")
    assert result.stderr.count("\n") == 1
    assert fragment in result.stderr


def test_error_messages_do_not_echo_the_secret():
    """A secret that is refused does not appear in the error message."""
    almost = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1"

    result = run("code", stdin=almost)

    assert result.returncode == 2
    assert almost not in result.stderr
    assert "GEZDGNBV" not in result.stderr


@pytest.mark.parametrize(
    ("code", "status"),
    [("94287082", 0), ("9428 7082", 0), ("94287083", 1), ("junk", 1)],
    ids=["match", "grouped", "wrong", "junk"],
)
def test_verify_exit_status_says_whether_the_code_matched(code, status):
    """`verify` exits 0 on a match and 1 otherwise."""
    result = run("verify", code, "--digits", "8", "--at", "59", stdin=RFC_B32)

    assert result.returncode == status


def test_verify_reports_the_matched_step_and_offset():
    """`verify` prints the counter and offset of the match."""
    result = run(
        "verify", "94287082", "--digits", "8", "--at", "89", stdin=RFC_B32
    )

    assert result.stdout.strip() == "match: counter 1, offset -1"


def test_verify_hotp_uses_the_look_ahead_window():
    """`verify --hotp` accepts a code within --window counters ahead."""
    inside = run(
        "verify",
        "338314",
        "--hotp",
        "--counter",
        "0",
        "--window",
        "4",
        stdin=RFC_B32,
    )
    outside = run(
        "verify",
        "338314",
        "--hotp",
        "--counter",
        "0",
        "--window",
        "3",
        stdin=RFC_B32,
    )

    assert inside.returncode == 0
    assert outside.returncode == 1


def test_quiet_verify_prints_nothing():
    """`verify -q` reports only through its exit status."""
    result = run(
        "verify",
        "-q",
        "00000000",
        "--digits",
        "8",
        "--at",
        "59",
        stdin=RFC_B32,
    )

    assert result.returncode == 1
    assert result.stdout == result.stderr == ""


@pytest.mark.parametrize("command", ["secret", "code", "verify"])
def test_every_command_has_help(command):
    """Each subcommand's --help describes it and exits with 0."""
    result = run(command, "--help")

    assert result.returncode == 0
    assert "usage: otpcore " + command in result.stdout

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


def test_uri_prints_a_key_uri_for_the_secret():
    """`uri` prints an otpauth URI that carries the secret and the names."""
    result = run(
        "uri",
        "--account",
        "alice@example.com",
        "--issuer",
        "Example Co",
        stdin=RFC_B32,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "otpauth://totp/Example%20Co:alice%40example.com"
        f"?secret={RFC_B32}&issuer=Example%20Co"
    )
    assert result.stderr == ""


def test_uri_warns_about_parameters_the_app_ignores():
    """`uri --period 60` warns that Google Authenticator ignores it."""
    result = run("uri", "--account", "a", "--period", "60", "--new-secret")

    assert result.returncode == 0
    assert "period=60" in result.stdout
    assert "warning:" in result.stderr


def test_uri_for_hotp_always_carries_the_counter():
    """`uri --hotp` includes counter=0 even though 0 is the default."""
    result = run("uri", "--account", "a", "--hotp", stdin=RFC_B32)

    assert result.stdout.startswith("otpauth://hotp/a?")
    assert "counter=0" in result.stdout


def test_uri_refuses_a_colon_in_the_account():
    """An account with a colon cannot be split back, so it is refused."""
    result = run("uri", "--account", "a:b", stdin=RFC_B32)

    assert result.returncode == 2
    assert "colon" in result.stderr


def test_code_reads_an_otpauth_uri():
    """`code --uri` takes every parameter from the URI."""
    uri = f"otpauth://totp/x?secret={RFC_B32}&digits=8"

    result = run("code", "--uri", "--at", "59", stdin=uri)

    assert result.stdout.strip() == "94287082"


def test_qr_draws_the_uri_on_the_terminal():
    """`qr` prints half-block rows, two module rows per line."""
    uri = f"otpauth://totp/x?secret={RFC_B32}"

    result = run("qr", stdin=uri)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len({len(line) for line in lines}) == 1
    assert set(result.stdout) <= set("\u2580\u2584\u2588 \n")


def test_qr_png_file_is_private_and_reads_back(tmp_path: Path):
    """`qr --png` writes a 0600 file that zbarimg decodes to the URI."""
    uri = f"otpauth://totp/Example:alice?secret={RFC_B32}&issuer=Example"
    path = tmp_path / "code.png"

    result = run("qr", "--png", str(path), stdin=uri)

    assert result.returncode == 0, result.stderr
    assert path.stat().st_mode & 0o777 == 0o600
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert decoded.stdout.strip() == uri


def test_qr_refuses_what_is_not_an_otpauth_uri():
    """`qr` refuses text that is not a valid otpauth URI."""
    result = run("qr", stdin="https://example.com/")

    assert result.returncode == 2
    assert result.stderr.startswith("otpcore: error:")


def test_import_turns_an_export_into_otpauth_uris():
    """`import` prints one otpauth URI per account of the export."""
    from otpcore import HOTP, TOTP
    from otpcore.uri import migration_uris, parse_uri

    records = [
        parse_uri(TOTP(RFC_KEY).provisioning_uri("alice", "Example")),
        parse_uri(HOTP(RFC_KEY).provisioning_uri("bob", counter=7)),
    ]
    export = "\n".join(migration_uris(records))

    result = run("import", stdin=export)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [record.uri() for record in records]


def test_import_refuses_a_malformed_export():
    """A damaged export gives one line and status 2, not a traceback."""
    result = run("import", stdin="otpauth-migration://offline?data=AAAA")

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["uri", "qr", "import", "demo"])
def test_later_commands_have_help(command):
    """The provisioning and demo commands describe themselves too."""
    result = run(command, "--help")

    assert result.returncode == 0
    assert "usage: otpcore " + command in result.stdout


def test_qr_png_makes_an_existing_file_private(tmp_path: Path):
    """An existing file written by `qr --png` ends up 0600 as well."""
    path = tmp_path / "code.png"
    path.write_bytes(b"")
    path.chmod(0o644)

    result = run(
        "qr", "--png", str(path), stdin=f"otpauth://totp/x?secret={RFC_B32}"
    )

    assert result.returncode == 0, result.stderr
    assert path.stat().st_mode & 0o777 == 0o600


def test_undecodable_input_gives_one_line_and_status_2(tmp_path: Path):
    """A secret file that is not UTF-8 is refused without a traceback."""
    path = tmp_path / "secret.bin"
    path.write_bytes(b"GEZDGNBV\xff\xfeGY3TQOJQ")

    result = run("code", "--secret-file", str(path))

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr

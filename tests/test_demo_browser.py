"""The demo site in a real headless Chromium, driven by Playwright.

The server runs in a subprocess on a loopback port the system picks, with
the console SMS transport, so the codes it "texts" are read from its
standard error like a developer would. Set ``OTPCORE_SCREENSHOTS`` to a
directory to keep the screenshots of the main pages there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from otpcore import TOTP, Secret
from otpcore.uri import parse_uri

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Start the server through the ``otpcore demo`` command (True) or by
# calling otpcore.demo.serve directly (False).
USE_CLI = True
LOOPBACK = "127.0.0.1"
PASSWORD = "correct horse battery"
PHONE = "+44 7700 900123"
ISSUER = "otpcore demo"
RECOVERY_CODES = 10
# Generous, so a loaded CI machine does not fail the test; waits end as
# soon as the page is ready.
TIMEOUT_MS = 20_000
STARTUP_TIMEOUT = 30.0
# The line serve() prints once it listens, and a console SMS.
_LISTENING = re.compile(r"on http://[^:/]+:(\d+)/")
_SMS = re.compile(r"^SMS \S+ to \+\d+.*?\b(\d{6})\b")


def server_command(db_path: Path) -> list[str]:
    """The command line that starts the demo on a free loopback port."""
    if USE_CLI:
        return [
            sys.executable, "-m", "otpcore", "demo",
            "--host", LOOPBACK, "--port", "0", "--db", str(db_path),
        ]  # fmt: skip
    return [
        sys.executable,
        "-c",
        "from otpcore.demo import serve; "
        f"serve({LOOPBACK!r}, 0, {str(db_path)!r})",
    ]


class Server:
    """The demo server process and what it writes to standard error."""

    def __init__(self, db_path: Path) -> None:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")
        }
        self.process = subprocess.Popen(
            server_command(db_path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = f"http://{LOOPBACK}:{self._port()}"
        self._wait_until_ready()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str], after: int = 0) -> str:
        """Return the first group of the first line from ``after`` on."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with self._changed:
            while True:
                for line in self.lines[after:]:
                    if (found := pattern.search(line)) is not None:
                        return found.group(1)
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    output = "\n".join(self.lines)
                    pytest.fail(
                        f"no {pattern.pattern!r} from the server:\n{output}"
                    )
                self._changed.wait(left)

    def _port(self) -> int:
        return int(self.wait_for(_LISTENING))

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(  # noqa: S310 - http, loopback
                    self.url + "/", timeout=2
                ) as r:
                    if r.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=5)
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=TIMEOUT_MS)
    # CI installs Debian's chromium, so its absence is a failure.
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing (apt: chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("OTPCORE_SCREENSHOTS")
    if chosen:
        folder = Path(chosen)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server.url, viewport={"width": 820, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


def shoot(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0


def expect_heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def sign_up(page: Page, username: str) -> None:
    page.goto("/sign-up/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect_heading(page, "Your account")


def log_in(page: Page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect_heading(page, "Two-factor login")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")


def enter_code(page: Page, code: str, button: str) -> None:
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name=button, exact=True).click()


def scan(page: Page, scratch: Path) -> str:
    """Decode the page's QR code from its pixels, as a phone's camera would."""
    image = page.get_by_role("img", name=re.compile("QR code"))
    expect(image).to_be_visible()
    path = scratch / "qr.png"
    image.screenshot(path=str(path))
    zbarimg = shutil.which("zbarimg")
    assert zbarimg is not None, "zbarimg is missing (apt: zbar-tools)"
    decoded = subprocess.run(
        [zbarimg, "--raw", "--quiet", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return decoded.stdout.strip()


def enable_by_app(
    page: Page, scratch: Path, shots: Path | None = None
) -> TOTP:
    """Scan the QR code, check it against the key shown, confirm a code."""
    page.get_by_role("link", name="Turn on with an authenticator app").click()
    shown = page.get_by_test_id("totp-secret").inner_text()
    scanned = parse_uri(scan(page, scratch))
    assert isinstance(scanned.otp, TOTP)
    assert scanned.otp.secret == Secret.from_b32(shown)
    assert (scanned.account, scanned.issuer) == (page_user(page), ISSUER)
    if shots is not None:
        shoot(page, shots, "enable-tfa-via-app")
    totp = scanned.otp
    enter_code(page, totp.now(), "Turn on two-factor login")
    expect_heading(page, "Your recovery codes")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(
        RECOVERY_CODES
    )
    if shots is not None:
        shoot(page, shots, "recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_test_id("tfa-status")).to_contain_text("On")
    return totp


def page_user(page: Page) -> str:
    return page.locator("header span").inner_text()


def test_log_in_with_an_authenticator_app(
    page: Page, screenshots: Path, tmp_path: Path
) -> None:
    """Sign up, scan the key, log out, log in again with an app code."""
    page.goto("/")
    shoot(page, screenshots, "log-in")
    page.get_by_role("link", name="Sign up").click()
    shoot(page, screenshots, "sign-up")
    sign_up(page, "alice")
    shoot(page, screenshots, "user")
    totp = enable_by_app(page, tmp_path, screenshots)
    log_out(page)

    log_in(page, "alice")
    shoot(page, screenshots, "verify-tfa")
    # The step after the one used to enable: later, and inside the window.
    enter_code(page, totp.at(time.time() + totp.period), "Log in")

    expect_heading(page, "Your account")
    expect(page.get_by_test_id("username")).to_have_text("alice")
    shoot(page, screenshots, "user-tfa-on")


def test_a_replayed_code_is_refused(
    page: Page, screenshots: Path, tmp_path: Path
) -> None:
    """The code that just logged in does not log in a second time."""
    sign_up(page, "bob")
    totp = enable_by_app(page, tmp_path)
    log_out(page)
    log_in(page, "bob")
    code = totp.at(time.time() + totp.period)
    enter_code(page, code, "Log in")
    expect_heading(page, "Your account")
    log_out(page)
    log_in(page, "bob")

    enter_code(page, code, "Log in")

    expect(page.get_by_role("alert")).to_have_text(
        re.compile("That code was already used")
    )
    expect_heading(page, "Two-factor login")
    shoot(page, screenshots, "code-already-used")


def test_log_in_with_a_text_message(
    page: Page, server: Server, screenshots: Path
) -> None:
    """Sign up, confirm a phone with a texted code, log in with another."""
    sign_up(page, "carol")
    page.get_by_role("link", name="Turn on with text messages").click()
    page.get_by_label("Phone number", exact=True).fill(PHONE)
    shoot(page, screenshots, "enable-tfa-via-sms")
    sent = len(server.lines)
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_test_id("phone")).to_have_text("+447700900123")
    enter_code(page, server.wait_for(_SMS, sent), "Turn on two-factor login")
    expect_heading(page, "Your recovery codes")
    page.get_by_role("link", name="I have saved them").click()
    log_out(page)
    log_in(page, "carol")

    sent = len(server.lines)
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("status")).to_contain_text("ending in 0123")
    enter_code(page, server.wait_for(_SMS, sent), "Log in")

    expect_heading(page, "Your account")
    expect(page.get_by_test_id("tfa-status")).to_contain_text("+447700900123")

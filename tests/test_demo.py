"""The demo site, page by page, through Flask's test client."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from conftest import FakeClock
from otpcore import TOTP, Secret
from otpcore.demo import create_app
from otpcore.demo._site import Site, default_transport
from otpcore.demo._views import EXTENSION
from otpcore.sms import MemoryTransport, TwilioTransport
from otpcore.uri import parse_uri

PASSWORD = "correct horse battery"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Form(HTMLParser):
    """Collects the inputs and labels of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.labels: dict[str, str] = {}
        self.test_ids: dict[str, str] = {}
        self._label_for: str | None = None
        self._testid: str | None = None
        self._text: list[str] = []

    def handle_starttag(
        self, tag: str, attrs: list[tuple[str, str | None]]
    ) -> None:
        named = dict(attrs)
        if tag == "input":
            self.inputs.append(named)
        if tag == "label":
            self._label_for = named.get("for")
            self._text = []
        if named.get("data-testid"):
            self._testid = named["data-testid"]
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_for is not None:
            self.labels[self._label_for] = "".join(self._text).strip()
            self._label_for = None
        elif self._testid is not None and tag in {"code", "p", "ol", "strong"}:
            self.test_ids[self._testid] = "".join(self._text).strip()
            self._testid = None


def parse(response: TestResponse) -> Form:
    form = Form()
    form.feed(response.text)
    return form


def text(response: TestResponse) -> str:
    """The page as a person reads it: markup gone, entities decoded."""
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", "", response.text)).split()
    )


def csrf(response: TestResponse) -> str:
    found = _CSRF.search(response.text)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def submit(
    client: FlaskClient, path: str, fields: dict[str, str]
) -> TestResponse:
    """Open the page at ``path`` and post its form, as a browser would."""
    token = csrf(client.get(path))
    return client.post(path, data={"csrf_token": token, **fields})


@pytest.fixture
def outbox() -> MemoryTransport:
    return MemoryTransport()


@pytest.fixture
def app(tmp_path, clock: FakeClock, outbox: MemoryTransport) -> Flask:
    return create_app(
        str(tmp_path / "demo.sqlite3"),
        transport=outbox,
        clock=clock,
        secret_key="test key",
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sign_up(
    client: FlaskClient, username: str = "alice", password: str = PASSWORD
) -> TestResponse:
    return submit(
        client,
        "/sign-up/",
        {
            "username": username,
            "password": password,
            "repeat_password": password,
        },
    )


def log_in(
    client: FlaskClient, username: str = "alice", password: str = PASSWORD
) -> TestResponse:
    return submit(client, "/", {"username": username, "password": password})


def log_out(client: FlaskClient) -> TestResponse:
    token = csrf(client.get("/user/"))
    return client.post("/log-out/", data={"csrf_token": token})


# Sign-up.


def test_sign_up_logs_in_and_shows_user_page(client: FlaskClient) -> None:
    """A new account is logged in at once, with two-factor login off."""
    response = sign_up(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/user/"
    page = client.get("/user/")
    assert page.status_code == 200
    assert "You are logged in as alice." in text(page)
    assert parse(page).test_ids["tfa-status"].startswith("Off")


@pytest.mark.parametrize(
    ("taken", "again"),
    [("alice", "alice"), ("alice", "ALICE")],
    ids=["same", "other-case"],
)
def test_sign_up_refuses_a_taken_username(
    client: FlaskClient, app: Flask, taken: str, again: str
) -> None:
    """A username already in use, in any case, is refused in words."""
    sign_up(client, taken)
    other = app.test_client()

    response = sign_up(other, again)

    assert response.status_code == 400
    assert "That username is taken. Choose another one." in text(response)


def test_sign_up_refuses_passwords_that_differ(client: FlaskClient) -> None:
    """The two password fields must match."""
    response = submit(
        client,
        "/sign-up/",
        {
            "username": "alice",
            "password": PASSWORD,
            "repeat_password": PASSWORD + "!",
        },
    )

    assert response.status_code == 400
    assert "The passwords differ." in text(response)
    assert client.get("/user/").status_code == 302


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("alice", "short", "The password must have 8 to 256 characters."),
        ("al", PASSWORD, "Use 3 to 64 letters, digits"),
        ("ali:ce", PASSWORD, "Use 3 to 64 letters, digits"),
        ("", PASSWORD, "Choose a username."),
        ("alice", "", "Choose a password."),
    ],
    ids=["short-password", "short-name", "colon", "no-name", "no-password"],
)
def test_sign_up_says_what_is_wrong(
    client: FlaskClient, username: str, password: str, message: str
) -> None:
    """Each invalid field gets its own sentence."""
    response = sign_up(client, username, password)

    assert response.status_code == 400
    assert message in text(response)


# Log in and out.


def test_log_in_without_two_factor_reaches_user_page(
    client: FlaskClient, app: Flask
) -> None:
    """A right password is enough while two-factor login is off."""
    sign_up(app.test_client())

    response = log_in(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/user/"
    assert "You are logged in as alice." in text(client.get("/user/"))


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong password"), ("bob", PASSWORD)],
    ids=["wrong-password", "unknown-user"],
)
def test_log_in_refuses_without_saying_which_part_was_wrong(
    client: FlaskClient, app: Flask, username: str, password: str
) -> None:
    """A wrong password and an unknown user read the same."""
    sign_up(app.test_client())

    response = log_in(client, username, password)

    assert response.status_code == 401
    assert "Wrong username or password." in text(response)
    assert client.get("/user/").status_code == 302


def test_log_in_asks_for_both_fields(client: FlaskClient) -> None:
    """An empty form is refused in words, per field."""
    response = log_in(client, "", "")

    assert response.status_code == 401
    page = text(response)
    assert "Enter your username." in page
    assert "Enter your password." in page


def test_log_out_ends_the_session_on_the_server(
    client: FlaskClient, app: Flask
) -> None:
    """A copy of the session cookie is worthless after logging out."""
    sign_up(client)
    stolen = client.get_cookie("otpcore_demo")
    assert stolen is not None

    response = log_out(client)

    assert response.headers["Location"] == "/"
    assert "You are logged out." in text(client.get("/"))
    thief = app.test_client()
    thief.set_cookie("otpcore_demo", stolen.value)
    assert thief.get("/user/").status_code == 302


def test_log_out_needs_a_post(client: FlaskClient) -> None:
    """A link or an image cannot log anyone out."""
    sign_up(client)

    response = client.get("/log-out/")

    assert response.status_code == 405
    assert client.get("/user/").status_code == 200


def test_user_page_needs_a_login(client: FlaskClient) -> None:
    """The user page sends a stranger to the login form, with a reason."""
    response = client.get("/user/", follow_redirects=True)

    assert response.request.path == "/"
    assert "Log in first." in text(response)


def test_log_in_rotates_the_session(client: FlaskClient, app: Flask) -> None:
    """Nothing from the session before the login is valid after it."""
    sign_up(app.test_client())
    before = client.get("/")
    old_token = csrf(before)
    old_cookie = client.get_cookie("otpcore_demo")
    assert old_cookie is not None

    client.post(
        "/",
        data={
            "csrf_token": old_token,
            "username": "alice",
            "password": PASSWORD,
        },
    )

    new_cookie = client.get_cookie("otpcore_demo")
    assert new_cookie is not None
    assert new_cookie.value != old_cookie.value
    refused = client.post("/log-out/", data={"csrf_token": old_token})
    assert refused.status_code == 400


# Cookies, CSRF and headers.


def test_session_cookie_is_http_only_and_same_site(
    client: FlaskClient,
) -> None:
    """Scripts cannot read the cookie, and other sites' posts lack it."""
    response = sign_up(client)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sign-up/",
        "/log-out/",
        "/enable-tfa-via-app/",
        "/enable-tfa-via-sms/",
        "/verify-tfa/",
        "/disable-tfa/",
    ],
)
def test_every_form_needs_its_csrf_token(
    client: FlaskClient, path: str
) -> None:
    """A post without the token is refused before any view runs."""
    sign_up(client)

    response = client.post(path, data={"code": "123456"})

    assert response.status_code == 400
    assert "This form expired or did not come from this site." in text(
        response
    )


def test_pages_forbid_scripts_framing_and_caching(
    client: FlaskClient,
) -> None:
    """Each page carries the headers that keep it to itself."""
    response = client.get("/")

    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


def test_stylesheet_is_served_locally(client: FlaskClient) -> None:
    """The only linked resource comes from the site itself."""
    page = client.get("/")

    links = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    with client.get("/static/style.css") as sheet:
        status, mimetype = sheet.status_code, sheet.mimetype

    assert all(link.startswith("/") for link in links)
    assert status == 200
    assert mimetype == "text/css"


# Accessibility.


@pytest.mark.parametrize(
    ("path", "labels"),
    [
        ("/", {"Username", "Password"}),
        ("/sign-up/", {"Username", "Password", "Repeat password"}),
    ],
    ids=["log-in", "sign-up"],
)
def test_every_field_has_a_visible_label(
    client: FlaskClient, path: str, labels: set[str]
) -> None:
    """Each visible input is named by a label element."""
    form = parse(client.get(path))

    visible = [i for i in form.inputs if i.get("type") != "hidden"]
    assert {form.labels[str(i["id"])] for i in visible} == labels


def test_field_errors_are_tied_to_their_fields(client: FlaskClient) -> None:
    """An error is announced with the field it belongs to."""
    response = sign_up(client, "alice", "short")

    form = parse(response)
    password = next(i for i in form.inputs if i["name"] == "password")
    assert password["aria-invalid"] == "true"
    assert "password-error" in str(password["aria-describedby"])
    assert 'id="password-error"' in response.text


# Two-factor login by text message.

PHONE = "+44 7700 900123"
E164 = "+447700900123"
# The plus sign and digits as a Japanese IME types them.
FULL_WIDTH = str.maketrans(
    "+0123456789",
    "\uff0b" + "".join(chr(0xFF10 + digit) for digit in range(10)),
)


def texted_code(outbox: MemoryTransport) -> str:
    found = re.search(r"\b(\d{6})\b", outbox.outbox[-1].body)
    assert found is not None
    return found.group(1)


def send_to_phone(client: FlaskClient, phone: str = PHONE) -> TestResponse:
    return submit(
        client, "/enable-tfa-via-sms/", {"phone": phone, "action": "phone"}
    )


def sms_action(client: FlaskClient, path: str, **fields: str) -> TestResponse:
    return submit(client, path, fields)


def enable_sms(client: FlaskClient, outbox: MemoryTransport) -> TestResponse:
    send_to_phone(client)
    return sms_action(
        client,
        "/enable-tfa-via-sms/",
        action="code",
        code=texted_code(outbox),
    )


def test_enable_by_sms_asks_for_a_labelled_phone_number(
    client: FlaskClient,
) -> None:
    """The first step is one field, Phone number."""
    sign_up(client)

    response = client.get("/enable-tfa-via-sms/")

    form = parse(response)
    visible = [i for i in form.inputs if i.get("type") != "hidden"]
    assert [form.labels[str(i["id"])] for i in visible] == ["Phone number"]
    assert visible[0]["type"] == "tel"


@pytest.mark.parametrize(
    "phone",
    [
        "12345",
        "+0 7700 900123",
        "call me",
        "+44 7700 900123 999999",
        "07700 900123",
        "+44 (0)7700 900123",
    ],
    ids=[
        "short",
        "leading-zero",
        "letters",
        "too-long",
        "national",
        "trunk-zero",
    ],
)
def test_enable_by_sms_refuses_an_invalid_phone_number(
    client: FlaskClient, outbox: MemoryTransport, phone: str
) -> None:
    """A number that is not E.164 once tidied is refused in words."""
    sign_up(client)

    response = send_to_phone(client, phone)

    assert response.status_code == 400
    assert "Invalid phone number." in text(response)
    assert outbox.outbox == []


@pytest.mark.parametrize(
    "phone",
    [
        "+44 7700 900123",
        "0044 7700 900-123",
        "+44 (7700) 900.123",
        "+44 7700 900123".translate(FULL_WIDTH),
    ],
    ids=["spaces", "double-zero", "punctuation", "full-width"],
)
def test_enable_by_sms_texts_a_code_to_the_tidied_number(
    client: FlaskClient, outbox: MemoryTransport, phone: str
) -> None:
    """The number is read as people write it and the code goes there."""
    sign_up(client)

    response = send_to_phone(client, phone)

    assert response.status_code == 302
    assert [m.to for m in outbox.outbox] == [E164]
    page = client.get("/enable-tfa-via-sms/")
    assert parse(page).test_ids["phone"] == E164
    assert "Code" in parse(page).labels.values()


def test_enable_by_sms_refuses_a_wrong_code(
    client: FlaskClient, outbox: MemoryTransport
) -> None:
    """A wrong texted code leaves two-factor login off."""
    sign_up(client)
    send_to_phone(client)
    wrong = f"{(int(texted_code(outbox)) + 1) % 1_000_000:06d}"

    response = sms_action(
        client, "/enable-tfa-via-sms/", action="code", code=wrong
    )

    assert response.status_code == 400
    assert "Wrong code." in text(response)
    assert parse(client.get("/user/")).test_ids["tfa-status"].startswith("Off")


def test_enable_by_sms_refuses_an_expired_code(
    client: FlaskClient, outbox: MemoryTransport, clock: FakeClock
) -> None:
    """A texted code dies after five minutes."""
    sign_up(client)
    send_to_phone(client)
    clock.advance(5 * 60)

    response = sms_action(
        client,
        "/enable-tfa-via-sms/",
        action="code",
        code=texted_code(outbox),
    )

    assert "That code has expired. Ask for a new one." in text(response)


def test_enable_by_sms_resends_only_after_a_pause(
    client: FlaskClient, outbox: MemoryTransport, clock: FakeClock
) -> None:
    """Asking again at once says how long to wait; later it sends."""
    sign_up(client)
    send_to_phone(client)

    early = sms_action(client, "/enable-tfa-via-sms/", action="resend")
    clock.advance(30)
    later = sms_action(client, "/enable-tfa-via-sms/", action="resend")

    assert early.status_code == 429
    assert "Wait 30 seconds before asking for another." in text(early)
    assert later.status_code == 302
    assert len(outbox.outbox) == 2


def test_enable_by_sms_says_when_too_many_texts_were_sent(
    client: FlaskClient, outbox: MemoryTransport, clock: FakeClock
) -> None:
    """The hourly cap on texts is reported with the wait."""
    sign_up(client)
    for _ in range(5):
        send_to_phone(client)
        clock.advance(60)

    response = send_to_phone(client)

    assert response.status_code == 429
    assert "Too many text messages. Try again in 3300 seconds." in text(
        response
    )
    assert len(outbox.outbox) == 5


def test_enable_by_sms_can_start_over_with_another_number(
    client: FlaskClient,
) -> None:
    """Choosing another number goes back to the phone field."""
    sign_up(client)
    send_to_phone(client)

    response = sms_action(client, "/enable-tfa-via-sms/", action="restart")

    assert response.status_code == 302
    page = client.get("/enable-tfa-via-sms/")
    assert "Phone number" in parse(page).labels.values()


# Two-factor login by authenticator app.


def shown_key(page: TestResponse) -> str:
    return parse(page).test_ids["totp-secret"]


def test_enable_by_app_shows_one_key_as_qr_code_link_and_text(
    client: FlaskClient,
) -> None:
    """The QR code, the otpauth link and the text carry the same key."""
    sign_up(client)

    page = client.get("/enable-tfa-via-app/")

    link = re.search(r'href="(otpauth://[^"]+)"', page.text)
    image = re.search(r'<img class="qr" src="([^"]+)"', page.text)
    assert link is not None
    assert image is not None
    record = parse_uri(html.unescape(link.group(1)))
    assert record.otp.secret == Secret.from_b32(shown_key(page))
    assert (record.account, record.issuer) == ("alice", "otpcore demo")
    assert image.group(1).startswith("data:image/svg+xml")
    form = parse(page)
    visible = [i for i in form.inputs if i.get("type") != "hidden"]
    assert [form.labels[str(i["id"])] for i in visible] == ["Code"]


def test_enable_by_app_keeps_the_key_across_reloads(
    client: FlaskClient,
) -> None:
    """Reloading the page does not replace a key the user may have scanned."""
    sign_up(client)

    first = shown_key(client.get("/enable-tfa-via-app/"))
    second = shown_key(client.get("/enable-tfa-via-app/"))

    assert first == second


def test_enable_by_app_keeps_the_key_out_of_the_cookie(
    client: FlaskClient, app: Flask
) -> None:
    """The unconfirmed key lives on the server; the cookie is only signed."""
    sign_up(client)
    key = shown_key(client.get("/enable-tfa-via-app/"))
    cookie = client.get_cookie("otpcore_demo")
    assert cookie is not None

    serializer = app.session_interface.get_signing_serializer(app)
    session = serializer.loads(cookie.value)

    compact = key.replace(" ", "")
    assert compact not in repr(session)
    assert set(session) <= {"sid", "csrf_token", "_flashes"}


def app_code(client: FlaskClient, code: str, path: str) -> TestResponse:
    return submit(client, path, {"action": "code", "code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_enable_by_app_refuses_a_wrong_code(
    client: FlaskClient, clock: FakeClock
) -> None:
    """A wrong code leaves two-factor login off and says so."""
    sign_up(client)
    totp = TOTP(Secret.from_b32(shown_key(client.get("/enable-tfa-via-app/"))))

    response = app_code(
        client, wrong(totp.at(clock())), "/enable-tfa-via-app/"
    )

    assert response.status_code == 400
    assert "Wrong code. Check it and try again." in text(response)
    assert parse(client.get("/user/")).test_ids["tfa-status"].startswith("Off")


def test_enable_by_app_asks_for_a_code(client: FlaskClient) -> None:
    """An empty code field is refused in words."""
    sign_up(client)
    client.get("/enable-tfa-via-app/")

    response = app_code(client, "", "/enable-tfa-via-app/")

    assert response.status_code == 400
    assert "Enter the code." in text(response)


def test_enable_by_app_slows_down_guessing(
    client: FlaskClient, clock: FakeClock
) -> None:
    """After five wrong codes the page says how long to wait."""
    sign_up(client)
    totp = TOTP(Secret.from_b32(shown_key(client.get("/enable-tfa-via-app/"))))
    bad = wrong(totp.at(clock()))
    for _ in range(5):
        app_code(client, bad, "/enable-tfa-via-app/")

    sixth = app_code(client, bad, "/enable-tfa-via-app/")
    clock.advance(10)
    seventh = app_code(client, totp.at(clock()), "/enable-tfa-via-app/")

    assert sixth.status_code == 429
    assert "Too many attempts. Try again in 30 seconds." in text(sixth)
    assert seventh.status_code == 429
    assert "Too many attempts. Try again in 20 seconds." in text(seventh)


def recovery_codes(page: TestResponse) -> list[str]:
    listing = re.search(
        r'data-testid="recovery-codes">(.*?)</ol>', page.text, re.S
    )
    assert listing is not None, "no recovery codes on the page"
    return re.findall(r"<code>([^<]+)</code>", listing.group(1))


def enable_app(
    client: FlaskClient, clock: FakeClock
) -> tuple[TOTP, list[str]]:
    """Turn on two-factor login by app; return the key and recovery codes."""
    page = client.get("/enable-tfa-via-app/")
    totp = TOTP(Secret.from_b32(shown_key(page)), clock=clock)
    done = app_code(client, totp.now(), "/enable-tfa-via-app/")
    assert done.status_code == 200, text(done)
    return totp, recovery_codes(done)


def start_login(client: FlaskClient) -> TestResponse:
    response = log_in(client)
    assert response.headers["Location"] == "/verify-tfa/"
    return response


@pytest.fixture
def app_user(client: FlaskClient, clock: FakeClock) -> tuple[TOTP, list[str]]:
    """Alice, with two-factor login by app, logged out, a step later."""
    sign_up(client)
    enabled = enable_app(client, clock)
    log_out(client)
    clock.advance(30)
    return enabled


def test_enable_by_app_shows_recovery_codes_once(
    client: FlaskClient, clock: FakeClock
) -> None:
    """Ten distinct codes appear in the response that turned it on only."""
    sign_up(client)

    _, codes = enable_app(client, clock)

    assert len(codes) == len(set(codes)) == 10
    user_page = client.get("/user/")
    assert parse(user_page).test_ids["tfa-status"].startswith("On")
    assert "Recovery codes left: 10." in text(user_page)
    assert not any(code in user_page.text for code in codes)
    assert client.get("/enable-tfa-via-app/").status_code == 302


def test_enable_by_app_needs_a_fresh_key_after_a_while(
    client: FlaskClient, clock: FakeClock
) -> None:
    """An unconfirmed key is forgotten after 15 minutes."""
    sign_up(client)
    page = client.get("/enable-tfa-via-app/")
    old = shown_key(page)
    clock.advance(15 * 60)
    totp = TOTP(Secret.from_b32(old), clock=clock)

    response = client.post(
        "/enable-tfa-via-app/",
        data={"csrf_token": csrf(page), "action": "code", "code": totp.now()},
    )

    assert response.status_code == 400
    assert "That took too long, so here is a new key." in text(response)
    assert shown_key(response) != old


def test_log_in_with_an_app_code(
    client: FlaskClient, app_user: tuple[TOTP, list[str]]
) -> None:
    """Password, then the app's code, then the user page."""
    totp, _ = app_user
    start_login(client)
    halfway = client.get("/user/")

    response = app_code(client, totp.now(), "/verify-tfa/")

    assert halfway.status_code == 302
    assert response.status_code == 302
    assert response.headers["Location"] == "/user/"
    assert "You are logged in as alice." in text(client.get("/user/"))


@pytest.mark.usefixtures("app_user")
def test_verify_page_has_labelled_fields(client: FlaskClient) -> None:
    """The code and the recovery code each have a visible label."""
    start_login(client)

    form = parse(client.get("/verify-tfa/"))

    visible = [i for i in form.inputs if i.get("type") != "hidden"]
    assert [form.labels[str(i["id"])] for i in visible] == [
        "Code",
        "Recovery code",
    ]


def test_verify_refuses_a_wrong_code(
    client: FlaskClient, app_user: tuple[TOTP, list[str]]
) -> None:
    """A wrong code keeps the user at the second step."""
    totp, _ = app_user
    start_login(client)

    response = app_code(client, wrong(totp.now()), "/verify-tfa/")

    assert response.status_code == 400
    assert "Wrong code. Check it and try again." in text(response)
    assert client.get("/user/").status_code == 302


def test_verify_refuses_a_code_already_used(
    client: FlaskClient, app_user: tuple[TOTP, list[str]], clock: FakeClock
) -> None:
    """The code that confirmed the key cannot log in (RFC 6238 5.2)."""
    totp, _ = app_user
    start_login(client)

    response = app_code(client, totp.at(clock() - 30), "/verify-tfa/")

    assert response.status_code == 400
    assert "That code was already used." in text(response)


def test_verify_refuses_a_code_twice(
    client: FlaskClient, app: Flask, app_user: tuple[TOTP, list[str]]
) -> None:
    """A code that logged in once does not log in again."""
    totp, _ = app_user
    code = totp.now()
    start_login(client)
    app_code(client, code, "/verify-tfa/")
    other = app.test_client()
    start_login(other)

    response = app_code(other, code, "/verify-tfa/")

    assert "That code was already used." in text(response)
    assert other.get("/user/").status_code == 302


def test_verify_slows_down_guessing(
    client: FlaskClient, app_user: tuple[TOTP, list[str]], clock: FakeClock
) -> None:
    """After five wrong codes even the right one waits, and the wait shows."""
    totp, _ = app_user
    start_login(client)
    for _ in range(6):
        app_code(client, wrong(totp.now()), "/verify-tfa/")

    response = app_code(client, totp.now(), "/verify-tfa/")
    clock.advance(30)
    later = app_code(client, totp.now(), "/verify-tfa/")

    assert response.status_code == 429
    assert "Too many attempts. Try again in 30 seconds." in text(response)
    assert later.headers["Location"] == "/user/"


@pytest.mark.usefixtures("app_user")
def test_pending_login_expires(client: FlaskClient, clock: FakeClock) -> None:
    """The password step is forgotten five minutes later."""
    start_login(client)
    clock.advance(5 * 60)

    response = client.get("/verify-tfa/", follow_redirects=True)

    assert response.request.path == "/"
    assert "The login took too long. Log in again." in text(response)


def test_pending_login_is_used_up_by_the_login(
    client: FlaskClient, app: Flask, app_user: tuple[TOTP, list[str]]
) -> None:
    """A copy of the cookie from the password step is worthless after."""
    totp, _ = app_user
    start_login(client)
    halfway = client.get_cookie("otpcore_demo")
    assert halfway is not None
    app_code(client, totp.now(), "/verify-tfa/")
    thief = app.test_client()
    thief.set_cookie("otpcore_demo", halfway.value)

    response = thief.get("/verify-tfa/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert thief.get("/user/").status_code == 302


def test_verify_needs_the_password_first(client: FlaskClient) -> None:
    """The second step without the first sends the visitor to log in."""
    response = client.get("/verify-tfa/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# Recovery codes.


def recover(client: FlaskClient, code: str, path: str) -> TestResponse:
    return submit(client, path, {"action": "recovery", "recovery_code": code})


def test_log_in_with_a_recovery_code_once(
    client: FlaskClient, app: Flask, app_user: tuple[TOTP, list[str]]
) -> None:
    """A recovery code logs in once, and the count goes down."""
    _, codes = app_user
    start_login(client)

    response = recover(client, codes[0], "/verify-tfa/")

    assert response.headers["Location"] == "/user/"
    assert "Recovery codes left: 9." in text(client.get("/user/"))
    other = app.test_client()
    start_login(other)
    again = recover(other, codes[0], "/verify-tfa/")
    assert again.status_code == 400
    assert "Wrong recovery code." in text(again)


def test_recovery_code_is_read_leniently(
    client: FlaskClient, app_user: tuple[TOTP, list[str]]
) -> None:
    """Case and spaces around the groups do not matter."""
    _, codes = app_user
    start_login(client)

    response = recover(client, f"  {codes[1].lower()} ", "/verify-tfa/")

    assert response.headers["Location"] == "/user/"


def test_a_recovery_code_lifts_the_locks_on_app_and_text_codes(
    client: FlaskClient,
    app: Flask,
    app_user: tuple[TOTP, list[str]],
    outbox: MemoryTransport,
    clock: FakeClock,
) -> None:
    """After 100 wrong codes of each kind, a recovery login unlocks both."""
    totp, codes = app_user
    site: Site = app.extensions[EXTENSION]
    user = site.db.user_by_name("alice")
    assert user is not None
    assert user.totp_secret is not None
    for _ in range(100):
        near = {totp.at(clock() + 30 * step) for step in (-1, 0, 1)}
        guess = next(
            f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near
        )
        site.check_app_code(user, user.totp_secret, guess)
        clock.advance(3600)
    for _ in range(20):
        assert site.send_code(user, E164) is None
        for _ in range(5):
            site.confirm_number(user, wrong(texted_code(outbox)))
        clock.advance(3600)
    app_locked = site.check_app_code(user, user.totp_secret, totp.now())
    sms_locked = site.send_code(user, E164)
    start_login(client)

    response = recover(client, codes[0], "/verify-tfa/")

    assert app_locked is not None
    assert "locked" in app_locked.message
    assert sms_locked is not None
    assert "locked" in sms_locked.message
    assert response.headers["Location"] == "/user/"
    assert site.check_app_code(user, user.totp_secret, totp.now()) is None
    assert site.send_code(user, E164) is None
    assert site.confirm_number(user, texted_code(outbox)) == (None, E164)


@pytest.mark.usefixtures("app_user")
def test_recovery_code_must_be_given(client: FlaskClient) -> None:
    """An empty recovery form is refused in words."""
    start_login(client)

    response = recover(client, "", "/verify-tfa/")

    assert response.status_code == 400
    assert "Enter a recovery code." in text(response)


# Turning it off.


def test_turning_off_asks_for_a_current_code(
    client: FlaskClient, app_user: tuple[TOTP, list[str]], clock: FakeClock
) -> None:
    """A wrong code leaves it on; a right one turns it off."""
    totp, _ = app_user
    start_login(client)
    app_code(client, totp.now(), "/verify-tfa/")
    clock.advance(30)

    refused = app_code(client, wrong(totp.now()), "/disable-tfa/")
    accepted = app_code(client, totp.now(), "/disable-tfa/")

    assert refused.status_code == 400
    assert "Wrong code." in text(refused)
    assert accepted.headers["Location"] == "/user/"
    page = client.get("/user/")
    assert "Two-factor login is off." in text(page)
    assert parse(page).test_ids["tfa-status"].startswith("Off")
    log_out(client)
    assert log_in(client).headers["Location"] == "/user/"


def test_turning_off_needs_a_login(client: FlaskClient) -> None:
    """Nobody logged out reaches the page."""
    response = client.get("/disable-tfa/")

    assert response.headers["Location"] == "/"


# Text messages at login.


@pytest.fixture
def sms_user(client: FlaskClient, outbox: MemoryTransport, clock: FakeClock):
    """Alice, with two-factor login by text message, logged out."""
    sign_up(client)
    done = enable_sms(client, outbox)
    assert done.status_code == 200, text(done)
    log_out(client)
    clock.advance(60)
    return recovery_codes(done)


def test_enable_by_sms_turns_it_on_with_the_texted_code(
    client: FlaskClient, sms_user: list[str]
) -> None:
    """The texted code confirms the number, and recovery codes follow."""
    start_login(client)
    page = client.get("/verify-tfa/")

    assert len(sms_user) == 10
    assert "ending in 0123" in text(page)


@pytest.mark.usefixtures("sms_user")
def test_log_in_with_a_texted_code(
    client: FlaskClient, outbox: MemoryTransport
) -> None:
    """Asking for a text sends a code, and the code logs in."""
    start_login(client)

    sent = sms_action(client, "/verify-tfa/", action="send")
    notice = text(client.get("/verify-tfa/"))
    response = app_code(client, texted_code(outbox), "/verify-tfa/")

    assert sent.status_code == 302
    assert "We sent a code to your number ending in 0123." in notice
    assert outbox.outbox[-1].to == E164
    assert response.headers["Location"] == "/user/"
    page = client.get("/user/")
    assert E164 in parse(page).test_ids["tfa-status"]


@pytest.mark.usefixtures("sms_user")
def test_texted_code_works_once(
    client: FlaskClient,
    app: Flask,
    outbox: MemoryTransport,
) -> None:
    """A texted code that logged in is gone."""
    start_login(client)
    sms_action(client, "/verify-tfa/", action="send")
    code = texted_code(outbox)
    app_code(client, code, "/verify-tfa/")
    other = app.test_client()
    start_login(other)

    response = app_code(other, code, "/verify-tfa/")

    assert response.status_code == 400
    assert "No code is waiting: it was used already" in text(response)


@pytest.mark.usefixtures("sms_user")
def test_texted_code_refuses_a_wrong_code(
    client: FlaskClient, outbox: MemoryTransport
) -> None:
    """A wrong texted code keeps the user at the second step."""
    start_login(client)
    sms_action(client, "/verify-tfa/", action="send")

    response = app_code(client, wrong(texted_code(outbox)), "/verify-tfa/")

    assert response.status_code == 400
    assert "Wrong code. Check it and try again." in text(response)


@pytest.mark.usefixtures("sms_user")
def test_turning_off_sms_texts_a_code(
    client: FlaskClient, outbox: MemoryTransport
) -> None:
    """Turning off text-message login asks for a fresh texted code."""
    start_login(client)
    sms_action(client, "/verify-tfa/", action="send")
    app_code(client, texted_code(outbox), "/verify-tfa/")

    sent = sms_action(client, "/disable-tfa/", action="send")
    response = app_code(client, texted_code(outbox), "/disable-tfa/")

    assert sent.status_code == 302
    assert len(outbox.outbox) == 3
    assert response.headers["Location"] == "/user/"
    assert parse(client.get("/user/")).test_ids["tfa-status"].startswith("Off")


def test_log_in_by_text_right_after_confirming_the_number(
    client: FlaskClient, outbox: MemoryTransport
) -> None:
    """A login at once after turning SMS on is not told to wait."""
    sign_up(client)
    enable_sms(client, outbox)
    log_out(client)
    start_login(client)

    sent = sms_action(client, "/verify-tfa/", action="send")
    response = app_code(client, texted_code(outbox), "/verify-tfa/")

    assert sent.status_code == 302
    assert len(outbox.outbox) == 2
    assert response.headers["Location"] == "/user/"


@pytest.mark.usefixtures("sms_user")
def test_a_code_sent_to_another_number_does_not_log_in(
    client: FlaskClient, app: Flask, outbox: MemoryTransport
) -> None:
    """Only a code texted to the number on file proves the second factor."""
    site: Site = app.extensions[EXTENSION]
    user = site.db.user_by_name("alice")
    assert user is not None
    assert site.send_code(user, "+14155552671") is None
    start_login(client)

    response = app_code(client, texted_code(outbox), "/verify-tfa/")

    assert response.status_code == 400
    assert "No code is waiting" in text(response)


# The SMS transport chosen by default.

TWILIO_VARIABLES = [
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_KEY_SID",
    "TWILIO_API_KEY_SECRET",
    "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID",
]


@pytest.fixture
def no_twilio(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TWILIO_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_twilio")
def test_texts_go_to_standard_error_by_default(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without Twilio's variables, a texted code is printed, code included."""
    client = create_app(str(tmp_path / "demo.sqlite3")).test_client()
    sign_up(client)

    send_to_phone(client)

    printed = capsys.readouterr().err
    assert f"SMS console-1 to {E164}" in printed
    assert re.search(
        r"\b\d{6} is your otpcore demo verification code", printed
    )


@pytest.mark.usefixtures("no_twilio")
def test_twilio_is_used_when_its_variables_are_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TWILIO_* variables select the Twilio transport."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "f" * 32)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+15005550006")

    transport = default_transport()

    assert isinstance(transport, TwilioTransport)

"""Cross-checks against independent implementations used as oracles.

pyotp and cryptography's twofactor module are Python libraries (test
dependencies); oathtool is the OATH Toolkit's command-line program (the
Debian package ``oathtool``, installed by CI). Each computes codes its own
way; on random keys, algorithms, digits, periods, T0s and times, ours must be
the same. oathtool is required: when it is missing these tests fail rather
than skip, since a silent skip would drop the only non-Python oracle.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
from dataclasses import dataclass

import pyotp
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.twofactor import hotp as crypto_hotp
from cryptography.hazmat.primitives.twofactor import totp as crypto_totp
from hypothesis import given, settings
from hypothesis import strategies as st

from otpcore import HOTP, TOTP, Secret
from otpcore._otp import MAX_COUNTER
from otpcore.secret import MIN_SECRET_BYTES

ALGORITHMS = ["sha1", "sha256", "sha512"]
DIGESTS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
CRYPTO_HASHES = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha512": hashes.SHA512,
}

# pyotp refuses keys under 112 bits; ours start at 128 without allow_weak.
keys = st.binary(min_size=MIN_SECRET_BYTES, max_size=100)
algorithms = st.sampled_from(ALGORITHMS)
# pyotp's TOTP takes periods up to 120 seconds and times before year 10000.
pyotp_periods = st.integers(min_value=1, max_value=120)
pyotp_times = st.integers(min_value=0, max_value=253_402_300_799)


# pyotp.


@settings(max_examples=300, deadline=None)
@given(
    key=keys,
    algorithm=algorithms,
    digits=st.integers(min_value=6, max_value=10),
    period=pyotp_periods,
    when=pyotp_times,
)
def test_totp_matches_pyotp(
    key: bytes, algorithm: str, digits: int, period: int, when: int
) -> None:
    """TOTP codes equal pyotp's for random keys and parameters."""
    ours = TOTP(key, digits, algorithm, period)
    theirs = pyotp.TOTP(
        Secret(key).b32,
        digits=digits,
        digest=DIGESTS[algorithm],
        interval=period,
    )

    assert ours.at(when) == theirs.at(when)


@settings(max_examples=300, deadline=None)
@given(
    key=keys,
    algorithm=algorithms,
    digits=st.integers(min_value=6, max_value=10),
    counter=st.integers(min_value=0, max_value=MAX_COUNTER),
)
def test_hotp_matches_pyotp(
    key: bytes, algorithm: str, digits: int, counter: int
) -> None:
    """HOTP codes equal pyotp's over the whole 64-bit counter range."""
    ours = HOTP(key, digits, algorithm)
    theirs = pyotp.HOTP(
        Secret(key).b32, digits=digits, digest=DIGESTS[algorithm]
    )

    assert ours.at(counter) == theirs.at(counter)


@settings(deadline=None)
@given(
    key=keys,
    algorithm=algorithms,
    period=pyotp_periods,
    when=pyotp_times,
)
def test_verify_accepts_pyotps_codes(
    key: bytes, algorithm: str, period: int, when: int
) -> None:
    """A code pyotp shows for now or the step before verifies with ours."""
    theirs = pyotp.TOTP(
        Secret(key).b32, digest=DIGESTS[algorithm], interval=period
    )
    ours = TOTP(key, algorithm=algorithm, period=period)
    earlier = max(when - period, 0)

    assert ours.verify(theirs.at(when), at=when) is not None
    assert ours.verify(theirs.at(earlier), at=when) is not None


@settings(deadline=None)
@given(key=keys)
def test_base32_interoperates_with_pyotp(key: bytes) -> None:
    """Our base32 reads in pyotp, and pyotp's in ours, as the same bytes."""
    theirs = pyotp.random_base32()

    assert pyotp.TOTP(Secret(key).b32).byte_secret() == key
    assert bytes(Secret.from_b32(theirs)) == (pyotp.TOTP(theirs).byte_secret())


# cryptography's twofactor module.


@settings(deadline=None)
@given(
    key=keys,
    algorithm=algorithms,
    digits=st.integers(min_value=6, max_value=8),
    period=st.integers(min_value=1, max_value=600),
    when=st.integers(min_value=0, max_value=2**40),
)
def test_totp_matches_cryptography(
    key: bytes, algorithm: str, digits: int, period: int, when: int
) -> None:
    """TOTP codes equal cryptography's (which allows 6 to 8 digits)."""
    ours = TOTP(key, digits, algorithm, period)
    theirs = crypto_totp.TOTP(key, digits, CRYPTO_HASHES[algorithm](), period)

    assert ours.at(when) == theirs.generate(when).decode("ascii")


@settings(deadline=None)
@given(
    key=keys,
    algorithm=algorithms,
    digits=st.integers(min_value=6, max_value=8),
    counter=st.integers(min_value=0, max_value=MAX_COUNTER),
)
def test_hotp_matches_cryptography(
    key: bytes, algorithm: str, digits: int, counter: int
) -> None:
    """HOTP codes equal cryptography's over the 64-bit counter range."""
    ours = HOTP(key, digits, algorithm)
    theirs = crypto_hotp.HOTP(key, digits, CRYPTO_HASHES[algorithm]())

    assert ours.at(counter) == theirs.generate(counter).decode("ascii")


# oathtool.

OATHTOOL = shutil.which("oathtool")
# Codes after the first that one oathtool call prints (its --window).
OATHTOOL_WINDOW = 4


@dataclass(frozen=True)
class OathCase:
    """One oathtool run: a key, parameters and a starting counter or time."""

    key: bytes
    algorithm: str
    digits: int
    as_base32: bool
    counter: int | None = None
    period: int | None = None
    t0: int | None = None
    now: int | None = None

    def arguments(self) -> list[str]:
        """Return oathtool's command line for this case."""
        key = Secret(self.key).b32 if self.as_base32 else self.key.hex()
        common = [
            f"--digits={self.digits}",
            f"--window={OATHTOOL_WINDOW}",
            *(["--base32"] if self.as_base32 else []),
        ]
        if self.counter is not None:
            return ["--hotp", f"--counter={self.counter}", *common, key]
        return [
            f"--totp={self.algorithm.upper()}",
            f"--time-step-size={self.period}s",
            f"--start-time=@{self.t0}",
            f"--now=@{self.now}",
            *common,
            key,
        ]


def oath_cases() -> list[object]:
    """Return seeded random cases, with ids that say what each one is.

    oathtool's HOTP mode is SHA-1 only, and it prints 6 to 8 digits. Keys
    run from 80 bits (weak, as some providers issue) past the hash block
    size, where HMAC hashes the key first.
    """
    rng = random.Random(6238)
    key_sizes = [10, 15, 16, 20, 32, 64, 65, 100, 129, 200]
    cases = []
    for index in range(30):
        period = rng.choice([1, 7, 30, 45, 60, 90, 3600, rng.randint(1, 600)])
        t0 = rng.choice([0, 0, rng.randint(1, 2**31)])
        case = OathCase(
            key=rng.randbytes(rng.choice(key_sizes)),
            algorithm=rng.choice(ALGORITHMS),
            digits=rng.randint(6, 8),
            as_base32=rng.random() < 0.5,
            period=period,
            t0=t0,
            now=t0 + rng.randint(0, 2**34),
        )
        name = (
            f"totp-{case.algorithm}-d{case.digits}-p{case.period}"
            f"-k{len(case.key)}-{index}"
        )
        cases.append(pytest.param(case, id=name))
    for index in range(12):
        counter = rng.choice(
            [0, rng.randint(0, 2**32), rng.randint(0, MAX_COUNTER - 10)]
        )
        case = OathCase(
            key=rng.randbytes(rng.choice(key_sizes)),
            algorithm="sha1",
            digits=rng.randint(6, 8),
            as_base32=rng.random() < 0.5,
            counter=counter,
        )
        name = f"hotp-d{case.digits}-k{len(case.key)}-{index}"
        cases.append(pytest.param(case, id=name))
    return cases


def run_oathtool(arguments: list[str]) -> list[str]:
    """Run oathtool and return the codes it prints, one per line."""
    assert OATHTOOL is not None, (
        "oathtool is required: apt-get install oathtool"
    )
    result = subprocess.run(
        [OATHTOOL, *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout.split()


def test_oathtool_is_installed() -> None:
    """The oathtool oracle is present; CI installs it, so never skip."""
    assert OATHTOOL is not None, (
        "oathtool is required: apt-get install oathtool"
    )


def test_oathtool_agrees_with_rfc_4226() -> None:
    """The oracle itself gives RFC 4226 Appendix D's first codes."""
    key = b"12345678901234567890".hex()

    codes = run_oathtool(["--hotp", "--counter=0", "--window=2", key])

    assert codes == ["755224", "287082", "359152"]


@pytest.mark.parametrize("case", oath_cases())
def test_codes_match_oathtool(case: OathCase) -> None:
    """Each code of a window equals oathtool's for the same key and time."""
    weak = len(case.key) < MIN_SECRET_BYTES
    if case.counter is not None:
        hotp = HOTP(case.key, case.digits, allow_weak=weak)
        ours = [hotp.at(case.counter + i) for i in range(OATHTOOL_WINDOW + 1)]
    else:
        assert case.period is not None
        assert case.t0 is not None
        totp = TOTP(
            case.key,
            case.digits,
            case.algorithm,
            case.period,
            case.t0,
            allow_weak=weak,
        )
        step = totp.step(case.now)
        ours = [totp.at_step(step + i) for i in range(OATHTOOL_WINDOW + 1)]

    assert run_oathtool(case.arguments()) == ours


def test_oathtool_cases_cover_the_parameters() -> None:
    """The seeded cases span algorithms, lengths, weak and long keys."""
    cases = [param.values[0] for param in oath_cases()]  # type: ignore[attr-defined]

    assert {c.algorithm for c in cases if c.counter is None} == set(ALGORITHMS)
    assert {c.digits for c in cases} == {6, 7, 8}
    assert {c.as_base32 for c in cases} == {True, False}
    assert min(len(c.key) for c in cases) < MIN_SECRET_BYTES
    assert max(len(c.key) for c in cases) > 128
    assert any(c.t0 for c in cases if c.counter is None)
    assert any(c.counter and c.counter > 2**32 for c in cases)

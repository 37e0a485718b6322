"""The public surface of otpcore: what it exports and what it imports."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import otpcore
from otpcore import OtpError

PACKAGE = Path(otpcore.__file__).parent

# The core engine: these import nothing outside the standard library.
CORE_MODULES = [
    "otpcore",
    "otpcore._hmac",
    "otpcore._otp",
    "otpcore._typed",
    "otpcore.errors",
    "otpcore.hotp",
    "otpcore.secret",
    "otpcore.totp",
    "otpcore.uri",
    "otpcore.steam",
    "otpcore.compat",
    "otpcore.qr",
    "otpcore.sms",
    "otpcore.cli",
    "otpcore.guard",
    "otpcore.stores",
    "otpcore.recovery",
]

# Optional extras the core must never pull in.
EXTRAS = ["flask", "flask_wtf", "redis", "werkzeug", "jinja2"]


def names_imported_by_init() -> set[str]:
    """Return the names otpcore/__init__.py binds with ``from ... import``."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_all_is_what_init_imports() -> None:
    """__all__ lists exactly the names __init__ re-exports, each once."""
    exported = otpcore.__all__

    assert len(exported) == len(set(exported))
    assert set(exported) == names_imported_by_init() - {"annotations"}


@pytest.mark.parametrize("name", otpcore.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    """Every name in __all__ is an attribute of the package."""
    assert getattr(otpcore, name) is not None


def test_the_public_api_is_exported() -> None:
    """The names of the documented public API are importable from otpcore."""
    promised = {"HOTP", "TOTP", "Secret", "Match", "OtpError"}

    assert promised <= set(otpcore.__all__)


@pytest.mark.parametrize("module", CORE_MODULES[1:])
def test_core_modules_all_resolves(module: str) -> None:
    """Each core module's __all__ names only things it defines or binds."""
    loaded = importlib.import_module(module)
    exported = getattr(loaded, "__all__", [])

    assert len(exported) == len(set(exported))
    for name in exported:
        assert hasattr(loaded, name), f"{module}.{name}"


@pytest.mark.parametrize(
    "name",
    [name for name in otpcore.__all__ if name.endswith("Error")],
)
def test_exported_errors_are_otp_and_value_errors(name: str) -> None:
    """Every exported error is an OtpError, hence a ValueError."""
    error = getattr(otpcore, name)

    assert issubclass(error, OtpError)
    assert issubclass(error, ValueError)


def test_package_is_typed() -> None:
    """The package ships its py.typed marker (PEP 561)."""
    assert (PACKAGE / "py.typed").is_file()


IMPORT_SCRIPT = """
import json, sys
before = set(sys.modules)
for name in json.loads(sys.argv[1]):
    __import__(name)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def modules_loaded_by(modules: list[str]) -> list[str]:
    """Import ``modules`` in a fresh interpreter; return what got loaded."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_SCRIPT, json.dumps(modules)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


@pytest.mark.parametrize(
    "modules",
    [
        pytest.param(["otpcore"], id="import-otpcore"),
        pytest.param(CORE_MODULES, id="import-core-modules"),
    ],
)
def test_core_imports_only_the_standard_library(modules: list[str]) -> None:
    """Importing the core loads the standard library and otpcore only."""
    loaded = modules_loaded_by(modules)

    outside = sorted(
        name
        for name in loaded
        if name.split(".")[0] not in sys.stdlib_module_names
        and name.split(".")[0] != "otpcore"
    )
    assert "otpcore" in loaded
    assert outside == []
    assert not set(EXTRAS) & {name.split(".")[0] for name in loaded}


def test_the_import_check_can_see_a_third_party_module() -> None:
    """The check above would notice a third-party import if one happened."""
    loaded = modules_loaded_by(["hypothesis"])

    assert "hypothesis" in loaded
    assert "hypothesis" not in sys.stdlib_module_names

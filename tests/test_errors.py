"""The exception hierarchy: one base, specific subclasses, safe to move."""

from __future__ import annotations

import inspect
import pickle

import pytest

from otpcore import errors

CLASSES = [getattr(errors, name) for name in errors.__all__]


def build(cls: type[errors.OtpError]) -> errors.OtpError:
    """Make an instance of ``cls`` with made-up but typical arguments."""
    parameters = inspect.signature(cls.__init__).parameters
    if "parameter" in parameters:
        return cls("window", "must be between 0 and 100, got 101")  # type: ignore[call-arg]
    if "retry_after" in parameters:
        return cls("slow down", retry_after=2.5, provider_code=20429)  # type: ignore[call-arg]
    if "provider_code" in parameters:
        return cls("refused", provider_code=21211, provider_message="x")  # type: ignore[call-arg]
    return cls("something went wrong")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_is_an_otp_error_and_a_value_error(cls):
    """One base class, itself a ValueError, as the public API promises."""
    assert issubclass(cls, errors.OtpError)
    assert issubclass(cls, ValueError)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_survives_pickling(cls):
    """Errors cross process boundaries with their message and attributes.

    Parameter errors and rate limits used to fail to unpickle, since their
    constructors take more than the message.
    """
    error = build(cls)

    back = pickle.loads(pickle.dumps(error))

    assert type(back) is cls
    assert str(back) == str(error)
    assert vars(back) == vars(error)


def test_parameter_errors_name_the_parameter():
    """The message starts with the parameter, which is also an attribute."""
    error = errors.InvalidWindowError("window", "must be at most 100")

    assert str(error) == "window: must be at most 100"
    assert error.parameter == "window"

"""The tiny prepared protocol of tests/training, for the crash and CLI tests."""

from tests.training.conftest import tiny_protocol  # noqa: F401

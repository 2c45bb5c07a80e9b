"""The library's own error types.

Every user mistake (a malformed file, a bad argument, NaN keypoints) raises a
subclass of `GeoRepError`, so a binary can catch that one type and print a
one-line message instead of a traceback.
"""

from __future__ import annotations

from typing import Optional


class GeoRepError(ValueError):
  """Base class of every error caused by user input."""


class DataError(GeoRepError):
  """A data file is missing, unreadable or malformed.

  The message starts with `path:line:` (or `path:`) so that the user can open
  the offending place directly.
  """

  def __init__(self, message: str, path: Optional[str] = None,
               line: Optional[int] = None):
    self.path = None if path is None else str(path)
    self.line = line
    self.reason = message
    where = ''
    if self.path is not None:
      where = self.path + (f':{line}' if line is not None else '') + ': '
    super().__init__(where + message)


class ArgumentError(GeoRepError):
  """A function or flag argument is out of range or inconsistent."""

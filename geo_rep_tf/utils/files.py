"""Crash-safe file writing: write to a temporary path, then rename.

Also the two sides of an array cache on disk (`load_cached_array`,
`save_cached_array`): a missing or damaged file is only a miss, a failed
write only costs the next run the computation.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Any, Callable, Iterator, Optional

import numpy as np

Log = Optional[Callable[[str], None]]


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
  """Yields a temporary path beside `path`; renames it to `path` on success.

  A crash or exception leaves no file at `path` (and removes the temporary
  one), so a file that exists is always complete.
  """
  directory = os.path.dirname(os.path.abspath(path))
  os.makedirs(directory, exist_ok=True)
  fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.',
                             suffix='.tmp', dir=directory)
  os.close(fd)
  umask = os.umask(0)
  os.umask(umask)
  os.chmod(tmp, 0o666 & ~umask)
  try:
    yield tmp
    os.replace(tmp, path)
  except BaseException:
    with contextlib.suppress(OSError):
      os.remove(tmp)
    raise


def write_json(path: str, obj: Any) -> None:
  """Writes `obj` as indented JSON atomically."""
  with atomic_path(path) as tmp:
    with open(tmp, 'w') as fh:
      json.dump(obj, fh, indent=2, sort_keys=True)
      fh.write('\n')


def load_cached_array(path: str, log: Log = None, label: str = 'cache',
                      what: str = 'rows') -> Optional[np.ndarray]:
  """The array cached in `path`, or None when absent or unreadable.

  `log` hears a hit or a damaged file as '<label>: ...', counting the
  array's first dimension as `what`.
  """
  if not os.path.exists(path):
    return None
  try:
    array = np.load(path)
  except (OSError, ValueError) as e:
    if log:
      log(f'{label}: unreadable {path} ({e}); computing again')
    return None
  if log:
    log(f'{label}: {len(array)} {what} from {path}')
  return array


def save_cached_array(path: str, array: np.ndarray, log: Log = None,
                      label: str = 'cache', what: str = 'rows') -> None:
  """Writes `array` to `path` atomically; a failure is logged, not raised."""
  try:
    with atomic_path(path) as tmp:
      with open(tmp, 'wb') as fh:
        np.save(fh, array)
  except OSError as e:
    if log:
      log(f'{label}: could not write {path} ({e}); not kept')
    return
  if log:
    log(f'{label}: wrote {len(array)} {what} to {path}')

"""Crash-safe file writing: write to a temporary path, then rename.

Also the two sides of an array cache on disk (`load_cached_array`,
`save_cached_array`): a missing or damaged file is only a miss, a failed
write only costs the next run the computation. A cache directory is kept
under a size limit (`prune_cache`): the files least recently read or
written go first.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Any, Callable, Iterator, Optional

import numpy as np

from geo_rep_tf.errors import ArgumentError

Log = Optional[Callable[[str], None]]

# Default size limit of one cache directory (the G of all 229,348 training
# samples of the Bandai-H36M protocol is 88 MB at M = 32).
CACHE_MAX_BYTES = 2 << 30


def checkout_relative(path: str) -> str:
  """`path` relative to the working directory when it lies inside it.

  Result records name runs as a user's commands do (work_dirs/...), not by
  one machine's absolute path; a path outside the working directory is
  returned unchanged.
  """
  if os.path.isabs(path) and not os.path.relpath(path).startswith('..'):
    return os.path.relpath(path)
  return path


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


def check_output_dir(path: str, flag: str) -> None:
  """Makes sure `path` is (or becomes) a writable directory, before any work.

  Raises:
    ArgumentError: naming `flag`: `path` is a file, cannot be created (a
      parent is a file, /proc, a read-only place) or is not writable.
  """
  if os.path.lexists(path) and not os.path.isdir(path):
    raise ArgumentError(f'{flag}={path} is a file, not a directory')
  try:
    os.makedirs(path, exist_ok=True)
  except OSError as e:
    raise ArgumentError(f'{flag}={path}: cannot create it '
                        f'({e.strerror or e})') from None
  if not os.access(path, os.W_OK | os.X_OK):
    raise ArgumentError(f'{flag}={path} is not writable')


def check_output_file(path: str, flag: str) -> None:
  """Makes sure a file can be written at `path`, before any work is done.

  Its directory is created when missing (as `atomic_path` would).

  Raises:
    ArgumentError: naming `flag`: `path` is a directory, or its directory
      cannot be created or written.
  """
  if os.path.isdir(path):
    raise ArgumentError(f'{flag}={path} is a directory; give a file path')
  directory = os.path.dirname(os.path.abspath(path))
  if os.path.lexists(directory) and not os.path.isdir(directory):
    raise ArgumentError(f'{flag}={path}: {directory} is a file, not a '
                        'directory')
  check_output_dir(directory, flag)


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
  with contextlib.suppress(OSError):
    os.utime(path)  # recently used: pruned last
  if log:
    log(f'{label}: {len(array)} {what} from {path}')
  return array


def save_cached_array(path: str, array: np.ndarray, log: Log = None,
                      label: str = 'cache', what: str = 'rows',
                      max_bytes: Optional[int] = CACHE_MAX_BYTES) -> None:
  """Writes `array` to `path` atomically; a failure is logged, not raised.

  Then keeps the directory's cache files within `max_bytes` (None: no
  limit), `path` itself always kept.
  """
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
  if max_bytes is not None:
    for removed in prune_cache(os.path.dirname(os.path.abspath(path)),
                               max_bytes, keep=path):
      if log:
        log(f'{label}: removed {removed} (cache over {max_bytes >> 20} MB)')


def prune_cache(directory: str, max_bytes: int, keep: Optional[str] = None,
                suffix: str = '.npy') -> list:
  """Removes the least recently used `suffix` files over `max_bytes`.

  Files are ordered by modification time (`load_cached_array` touches a
  file it reads); `keep` is never removed, even when it alone is larger.
  Hidden files (the temporary files of `atomic_path`) are left alone.
  Returns the removed paths.
  """
  keep = os.path.abspath(keep) if keep else None
  entries = []
  try:
    names = os.listdir(directory)
  except OSError:
    return []
  for name in names:
    if name.startswith('.') or not name.endswith(suffix):
      continue
    path = os.path.abspath(os.path.join(directory, name))
    try:
      stat = os.stat(path)
    except OSError:
      continue
    entries.append((path == keep, stat.st_mtime, stat.st_size, path))
  total = sum(e[2] for e in entries)
  removed = []
  # Oldest first; the kept file sorts last whatever its time.
  for is_kept, _, size, path in sorted(entries):
    if total <= max_bytes or is_kept:
      break
    try:
      os.remove(path)
    except OSError:
      continue
    total -= size
    removed.append(path)
  return removed

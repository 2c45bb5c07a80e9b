"""Reads .npz files without running code from them.

`np.load(..., allow_pickle=True)` unpickles object arrays with the full
`pickle` module, so a crafted file can call any Python function on load. Some
public datasets (VideoPose3D's Human3.6M files) still store dicts of arrays as
pickled 0-d object arrays. This module reads those with a restricted
unpickler that can only rebuild numpy arrays, numpy scalars, dtypes and plain
builtin containers; any other global in the pickle stream raises `DataError`
before anything is called. Arrays without objects are read by
`np.load(..., allow_pickle=False)`.
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from typing import Any, Dict, Iterable, Optional

import numpy as np

from geo_rep_tf.errors import DataError

try:
  from numpy._core import multiarray as _multiarray
except ImportError:  # numpy < 1.26 has no numpy._core.
  from numpy.core import multiarray as _multiarray

# (module, name) -> object. Files written by numpy 1.x name `numpy.core`,
# files written by numpy 2.x name `numpy._core`; both resolve to the running
# numpy without importing the deprecated `numpy.core` shim.
_ALLOWED_GLOBALS: Dict[tuple, Any] = {}
for _module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
  _ALLOWED_GLOBALS[(_module, '_reconstruct')] = _multiarray._reconstruct
  _ALLOWED_GLOBALS[(_module, 'scalar')] = _multiarray.scalar
_ALLOWED_GLOBALS[('numpy', 'ndarray')] = np.ndarray
_ALLOWED_GLOBALS[('numpy', 'dtype')] = np.dtype
for _name, _obj in (('dict', dict), ('list', list), ('tuple', tuple),
                    ('set', set), ('frozenset', frozenset),
                    ('bytearray', bytearray), ('complex', complex)):
  _ALLOWED_GLOBALS[('builtins', _name)] = _obj
  # Pickles written by Python 2 name the same builtins `__builtin__`.
  _ALLOWED_GLOBALS[('__builtin__', _name)] = _obj


class _RestrictedUnpickler(pickle.Unpickler):
  """An Unpickler whose `find_class` only knows `_ALLOWED_GLOBALS`."""

  def __init__(self, file, path: str, member: str):
    super().__init__(file, encoding='latin1')
    self._path = path
    self._member = member

  def find_class(self, module: str, name: str):
    try:
      return _ALLOWED_GLOBALS[(module, name)]
    except KeyError:
      raise DataError(
          f'member {self._member!r}: refusing to unpickle global '
          f'{module}.{name} (only numpy arrays, scalars, dtypes and builtin '
          'containers are allowed)', self._path) from None

  def persistent_load(self, pid):
    raise DataError(f'member {self._member!r}: persistent ids are not '
                    'allowed in pickles', self._path)


def _read_object_array(stream: io.BytesIO, path: str, member: str):
  """Reads an object-dtype .npy body (a pickle) with the restricted loader."""
  try:
    array = _RestrictedUnpickler(stream, path, member).load()
  except DataError:
    raise
  except Exception as e:  # A corrupt pickle can raise almost anything.
    raise DataError(f'member {member!r}: unreadable pickled object array '
                    f'({type(e).__name__}: {e})', path) from None
  if not isinstance(array, np.ndarray):
    raise DataError(f'member {member!r}: pickle holds a '
                    f'{type(array).__name__}, expected a numpy array', path)
  return array


def _read_npy(data: bytes, path: str, member: str) -> np.ndarray:
  stream = io.BytesIO(data)
  try:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
      _, _, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
      _, _, dtype = np.lib.format.read_array_header_2_0(stream)
  except Exception as e:
    raise DataError(f'member {member!r}: not a valid .npy array ({e})',
                    path) from None
  if dtype.hasobject:
    return _read_object_array(stream, path, member)
  stream.seek(0)
  try:
    return np.load(stream, allow_pickle=False)
  except Exception as e:
    raise DataError(f'member {member!r}: unreadable array ({e})',
                    path) from None


def load_npz(path, keys: Optional[Iterable[str]] = None
             ) -> Dict[str, np.ndarray]:
  """Reads the arrays of an .npz file, unpickling object arrays safely.

  Args:
    path: the .npz file (as written by `np.savez` / `np.savez_compressed`).
    keys: names of the arrays to read (without '.npy'); None reads all. A
      requested key that the file lacks raises DataError.

  Returns:
    Dict key -> np.ndarray. Object arrays (e.g. a 0-d array holding a dict)
    come back as object arrays; use `.item()` to get a 0-d array's content.

  Raises:
    DataError: the file is missing or not a zip archive, a key is missing, a
      member is not a valid .npy array, or a pickled member names any global
      outside numpy's array/scalar/dtype reconstruction and builtin
      containers (the message names the file and the member).
  """
  path = os.fspath(path)
  if not os.path.isfile(path):
    raise DataError('file not found', path)
  try:
    archive = zipfile.ZipFile(path)
  # A damaged archive raises more than BadZipFile (ValueError, EOFError,
  # struct errors); every one of them is the file's fault.
  except Exception as e:  # pylint: disable=broad-except
    raise DataError(f'not an .npz (zip) archive: {e}', path) from None
  with archive:
    members = {n[:-len('.npy')]: n for n in archive.namelist()
               if n.endswith('.npy')}
    wanted = list(members) if keys is None else list(keys)
    result = {}
    for key in wanted:
      if key not in members:
        raise DataError(f'missing key {key!r} (has: '
                        f'{", ".join(sorted(members)) or "none"})', path)
      try:
        data = archive.read(members[key])
      # Damaged members raise BadZipFile, zlib.error, EOFError, and
      # RuntimeError / NotImplementedError for a flipped flag or method.
      except Exception as e:  # pylint: disable=broad-except
        raise DataError(f'member {members[key]!r}: cannot read ({e})',
                        path) from None
      result[key] = _read_npy(data, path, members[key])
  return result


def load_npz_item(path, key: str) -> Any:
  """Reads one pickled 0-d object array of an .npz and returns its content.

  Args:
    path: the .npz file.
    key: the array name, e.g. 'positions_3d'.

  Returns:
    The Python object stored in the 0-d array (typically a dict).

  Raises:
    DataError: as `load_npz`, or when the member is not a 0-d object array.
  """
  array = load_npz(path, [key])[key]
  if array.dtype != object or array.shape != ():
    raise DataError(f'key {key!r}: expected a 0-d object array (a pickled '
                    f'dict), got dtype {array.dtype} shape {array.shape}',
                    os.fspath(path))
  return array.item()

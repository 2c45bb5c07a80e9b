"""What an export directory holds, and whether a path may be replaced by one.

Kept free of TensorFlow so that `tools/export.py` checks its --out_dir
before the seconds an import of TensorFlow takes.
"""

from __future__ import annotations

import fnmatch
import os

from geo_rep_tf.errors import ArgumentError

# Entries `exporter.export_lifter` writes (see its module doc).
EXPORT_ENTRIES = ('saved_model', 'lifter_*.tflite', 'export.json',
                  'verification.json')


def is_export(path: str) -> bool:
  """True for a directory an earlier export wrote: it has export.json and
  nothing but the entries of an export."""
  if os.path.islink(path) or not os.path.isdir(path):
    return False
  names = os.listdir(path)
  if 'export.json' not in names:
    return False
  return all(any(fnmatch.fnmatch(n, p) for p in EXPORT_ENTRIES)
             for n in names)


def check_out_dir(path: str, overwrite: bool,
                  flag: str = '--out_dir') -> None:
  """Refuses an export target that exists, unless it is an earlier export
  and `overwrite` asks to replace it.

  Raises:
    ArgumentError: naming `flag`; `path` exists and either `overwrite` is
      False or `path` is not an export directory (a file, a link, or a
      folder with other files: --overwrite never deletes those).
  """
  if not os.path.lexists(path):
    return
  if not overwrite:
    raise ArgumentError(f'{flag}={path}: already exists (--overwrite '
                        'replaces an earlier export)')
  if os.path.islink(path) or not os.path.isdir(path):
    what = 'a link' if os.path.islink(path) else 'a file'
    raise ArgumentError(f'{flag}={path}: is {what}, not an earlier export; '
                        '--overwrite only replaces an export directory')
  if not is_export(path):
    names = sorted(n for n in os.listdir(path)
                   if not any(fnmatch.fnmatch(n, p) for p in EXPORT_ENTRIES))
    what = ('it has no export.json' if not names else
            'it holds other files: ' + ', '.join(names[:3]) +
            (', ...' if len(names) > 3 else ''))
    raise ArgumentError(f'{flag}={path}: not an earlier export ({what}); '
                        '--overwrite only replaces an export directory')

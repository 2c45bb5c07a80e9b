"""Reading a prepared protocol: its manifest and its checked TFRecord shards.

A protocol directory (`protocol.build_protocol`) holds
  manifest.json                  config, counts, shard list, shard sizes and
                                 CRC-32s, versions
  {train,test}-NNNNN.tfrecord    one example per frame
The readers trust nothing in it: a manifest is checked before use, and a
shard whose size or checksum differs from the manifest's is refused by name.
"""

from __future__ import annotations

import json
import os
import zlib
from typing import Dict, List

from geo_rep_tf.errors import DataError

MANIFEST = 'manifest.json'


def file_crc32(path: str) -> int:
  """CRC-32 of a file (about 1 GB/s: a cheap check of every shard)."""
  crc = 0
  with open(path, 'rb') as fh:
    for block in iter(lambda: fh.read(1 << 22), b''):
      crc = zlib.crc32(block, crc)
  return crc


def load_manifest(data_dir: str) -> Dict:
  """Reads out_dir/manifest.json of a prepared protocol, or raises DataError.

  Checks the fields the readers rely on; every shard name must be a plain
  file name inside data_dir (a manifest cannot point elsewhere).
  """
  path = os.path.join(data_dir, MANIFEST)
  try:
    with open(path) as fh:
      manifest = json.load(fh)
  except FileNotFoundError:
    raise DataError('no prepared protocol here (manifest.json missing); run '
                    'tools/prepare_data.py first', data_dir) from None
  except (OSError, UnicodeDecodeError) as e:
    raise DataError(f'cannot read: {getattr(e, "strerror", None) or e}',
                    path) from None
  except json.JSONDecodeError as e:
    raise DataError(f'invalid JSON: {e.msg}', path, e.lineno) from None
  if not isinstance(manifest, dict):
    raise DataError('expected a JSON object', path)
  for key in ('shards', 'config', 'counts'):
    if key not in manifest:
      raise DataError(f'missing field {key}', path)
    if not isinstance(manifest[key], dict):
      raise DataError(f'field {key} must be an object', path)
  for split, files in manifest['shards'].items():
    if not isinstance(files, list):
      raise DataError(f'field shards.{split} must be a list', path)
    for name in files:
      if (not isinstance(name, str) or not name or name in ('.', '..') or
          os.path.basename(name) != name or '\\' in name):
        raise DataError(f'field shards.{split}: {name!r} is not a file name '
                        'inside the protocol directory', path)
  return manifest


def shard_paths(data_dir: str, split: str) -> List[str]:
  """The TFRecord files of one split, checked to exist and be complete.

  A shard whose size or CRC-32 differs from the one manifest.json recorded
  (a partial copy, a truncated or damaged file) is refused before any record
  is read, with a message naming it; tf.data would only say "corrupted
  record at <offset>".
  """
  manifest = load_manifest(data_dir)
  files = manifest['shards'].get(split)
  if not files:
    raise DataError(f'split {split!r} has no shards', data_dir)
  sizes = manifest.get('shard_bytes') or {}
  crcs = manifest.get('shard_crc32') or {}
  paths = [os.path.join(data_dir, f) for f in files]
  for name, p in zip(files, paths):
    if not os.path.isfile(p):
      raise DataError('shard listed in manifest.json is missing', p)
    expected = sizes.get(name) if isinstance(sizes, dict) else None
    if isinstance(expected, int) and os.path.getsize(p) != expected:
      raise DataError(f'shard has {os.path.getsize(p)} bytes, manifest.json '
                      f'says {expected} (truncated or replaced); rerun '
                      'tools/prepare_data.py', p)
    expected = crcs.get(name) if isinstance(crcs, dict) else None
    if isinstance(expected, int) and file_crc32(p) != expected:
      raise DataError('shard is damaged (CRC-32 differs from manifest.json); '
                      'rerun tools/prepare_data.py', p)
  return paths

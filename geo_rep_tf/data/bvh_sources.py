"""Where BVH clips come from: files, tar archives, directories of both.

A clip is named by its file's stem; a Bandai Namco name
`dataset-N_<action>_<style>_<take>` also says its dataset, action and style
(the protocol splits by style).
"""

from __future__ import annotations

import os
import re
import tarfile
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from geo_rep_tf.errors import DataError

CLIP_NAME = re.compile(r'^(dataset-\d+)_(.+)_([^_]+)_(\d+)$')
ARCHIVE_SUFFIXES = ('.tar.xz', '.tar.gz', '.tgz', '.tar')

# A clip source: (name, size in bytes, path or None, text or None).
Clip = Tuple[str, int, Optional[str], Optional[str]]


def clip_metadata(name: str) -> Dict[str, str]:
  """Parses `dataset-N_<action>_<style>_<take>`; other names keep the stem."""
  m = CLIP_NAME.match(name)
  if m:
    return dict(dataset=m.group(1), action=m.group(2), style=m.group(3))
  return dict(dataset='bvh', action=name, style='')


def clip_stem(path: str) -> str:
  """The clip name of a file path or archive member name."""
  return os.path.splitext(os.path.basename(path))[0]


def find_sources(path: str) -> List[str]:
  """BVH files and archives under `path` (a file, archive or directory)."""
  if not os.path.exists(path):
    raise DataError('no such file or directory', path)
  if os.path.isfile(path):
    if path.endswith('.bvh') or path.endswith(ARCHIVE_SUFFIXES):
      return [path]
    raise DataError('not a .bvh file or a .tar(.xz/.gz) archive', path)
  found = []
  for root, dirs, files in os.walk(path):
    dirs.sort()
    for f in sorted(files):
      if f.endswith('.bvh') or f.endswith(ARCHIVE_SUFFIXES):
        found.append(os.path.join(root, f))
  if not found:
    raise DataError('no .bvh files or archives found', path)
  return found


def clip_names(source: str) -> List[str]:
  """The names of the clips in one source (`find_sources`), unread."""
  if source.endswith('.bvh'):
    return [clip_stem(source)]
  try:
    with tarfile.open(source, 'r:*') as tar:
      return [clip_stem(m.name) for m in tar
              if m.isfile() and m.name.endswith('.bvh')]
  except (OSError, tarfile.TarError) as e:
    raise DataError(f'cannot read archive: {e}', source) from None


def _iter_archive(path: str) -> Iterator[Clip]:
  try:
    raw = open(path, 'rb')
  except OSError as e:
    raise DataError(f'cannot read archive: {e.strerror}', path) from None
  with raw, tarfile.open(fileobj=raw, mode='r:*') as tar:
    last = 0
    for member in tar:
      if not (member.isfile() and member.name.endswith('.bvh')):
        continue
      fh = tar.extractfile(member)
      text = fh.read().decode('utf-8', errors='replace')
      pos = raw.tell()
      yield (clip_stem(member.name), pos - last, None, text)
      last = pos


def iter_clips(sources: Sequence[str]) -> Iterator[Clip]:
  """Every clip of `sources`: a file by path, an archive member as text.

  Sizes are bytes of the source read for the clip (compressed for archive
  members), so that their sum measures progress.
  """
  for src in sources:
    if src.endswith('.bvh'):
      yield (clip_stem(src), os.path.getsize(src), src, None)
    else:
      yield from _iter_archive(src)

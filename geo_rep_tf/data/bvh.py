"""BVH motion capture files: a fast reader.

Conventions (one definition, used by `bvh_kinematics.py`, `rigs.py` and the
protocol builder):
- Joints are listed in file order (depth first); `parents[j]` is the index
  of joint j's parent, -1 for a ROOT (several ROOTs are allowed).
- End sites are kept as extra joints with no channels, named
  '<parent>_End' ('<parent>_End2', ... if a joint has several). They are
  flagged in `BvhClip.is_end_site`; rigs may use them (a head top, say).
- Channels: any subset (0..6) of Xposition Yposition Zposition Xrotation
  Yrotation Zrotation in any order, e.g. the 3-channel rotation-only joints of
  CMU files. Rotations are in degrees and applied in the order listed:
  `Zrotation Xrotation Yrotation` gives R = Rz @ Rx @ Ry (column vectors).
- A position channel REPLACES the OFFSET component it names (Bandai files
  give every joint position channels equal to its OFFSET, and Hips the moving
  root position); components without a channel keep the OFFSET value.
- How the channels pose the joints: `bvh_kinematics.forward_kinematics`.

Errors: any malformed text raises `DataError` with the file name and the
1-based line number where one applies, and a one-line message.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import pathlib
from typing import List, Optional, Tuple, Union

import numpy as np

from geo_rep_tf.errors import ArgumentError, DataError

POSITION_CHANNELS = ('Xposition', 'Yposition', 'Zposition')
ROTATION_CHANNELS = ('Xrotation', 'Yrotation', 'Zrotation')
CHANNEL_AXIS = {name: i for i, name in enumerate(POSITION_CHANNELS)}
CHANNEL_AXIS.update({name: i for i, name in enumerate(ROTATION_CHANNELS)})
MAX_CHANNELS = 6
# Deeper nesting than this is certainly not a skeleton.
MAX_DEPTH = 256

Source = Union[str, bytes, os.PathLike]


@dataclasses.dataclass(frozen=True)
class BvhClip:
  """One parsed BVH file.

  Attributes:
    name: the file path or the `name` given for text input (for messages).
    joint_names: J names, file order, end sites included.
    parents: J parent indices, -1 for a root.
    offsets: [J, 3] float64 OFFSETs, file units.
    channels: per joint, the tuple of its channel names in file order.
    is_end_site: per joint, whether it is an end site (no channels).
    motion: [F, C] float64 channel values of the kept frames (file units,
      degrees); C = total channel count.
    frame_time: seconds between two frames of the FILE.
    frame_step: only every `frame_step`-th frame of the file is kept.
    num_file_frames: the `Frames:` count of the file.
  """
  name: str
  joint_names: Tuple[str, ...]
  parents: Tuple[int, ...]
  offsets: np.ndarray
  channels: Tuple[Tuple[str, ...], ...]
  is_end_site: Tuple[bool, ...]
  motion: np.ndarray
  frame_time: float
  frame_step: int = 1
  num_file_frames: int = 0

  @property
  def num_joints(self) -> int:
    return len(self.joint_names)

  @property
  def num_frames(self) -> int:
    """Number of kept frames F."""
    return int(self.motion.shape[0])

  @property
  def kept_frame_time(self) -> float:
    """Seconds between two kept frames: frame_time * frame_step."""
    return self.frame_time * self.frame_step

  @property
  def channel_starts(self) -> Tuple[int, ...]:
    """Column of each joint's first channel in `motion`."""
    return tuple(np.cumsum([0] + [len(c) for c in self.channels])[:-1]
                 .tolist())


def _short(token: str) -> str:
  """A token for a one-line message: repr, cut to 40 characters."""
  return repr(token if len(token) <= 40 else token[:37] + '...')


class _ParseError(Exception):
  """A hierarchy error before the file name is known: (message, line)."""


def _number(kind, token: str, what: str, line: int):
  """int(token) or finite float(token), else a _ParseError."""
  try:
    value = kind(token)
  except ValueError:
    value = None
  if value is None or (kind is float and not math.isfinite(value)):
    raise _ParseError(f'bad value {_short(token)} in {what}', line)
  return value


@functools.lru_cache(maxsize=64)
def _parse_hierarchy(text: str) -> Tuple[tuple, ...]:
  """Parses a HIERARCHY block, one statement a line (cached: most clips of
  a dataset share one skeleton).

  Returns:
    (names, parents, offsets, channels, end_site): tuples, one entry a joint.
  """
  names, parents, offsets, channels, end_site = [], [], [], [], []
  stack, opened_at = [], []  # joints whose { } block is open, and its line.
  pending = None  # a joint declared whose { has not been seen yet.
  header = False
  lines = text.split('\n')
  statements = []  # (line, tokens); 'JOINT Hips {' gives two statements.
  for k, line in enumerate(lines, 1):
    toks = line.split()
    if len(toks) > 1 and toks[-1] == '{':
      statements += [(k, toks[:-1]), (k, ['{'])]
    elif toks:
      statements.append((k, toks))
  for k, toks in statements:
    line = ' '.join(toks)
    key, top = toks[0], stack[-1] if stack else -1
    if not header:
      if toks != ['HIERARCHY']:
        raise _ParseError(f'expected HIERARCHY, found {_short(line)}', k)
      header = True
    elif pending is not None and key != '{':
      raise _ParseError(f'expected {{ after {_short(names[pending])}', k)
    elif key in ('ROOT', 'JOINT', 'End'):
      words = toks[1:]
      if (key == 'ROOT') == bool(stack) or (stack and end_site[top]):
        raise _ParseError(f'unexpected {key} here', k)
      if key == 'End':
        if words != ['Site']:
          raise _ParseError(f'expected End Site, found {_short(line)}', k)
        n = sum(1 for j, p in enumerate(parents) if p == top and end_site[j])
        name = f'{names[top]}_End' + (str(n + 1) if n else '')
      else:
        name = ' '.join(words)  # a joint name may hold spaces.
      if not name or name in names:
        raise _ParseError(f'missing or repeated joint name {_short(name)}', k)
      if len(stack) >= MAX_DEPTH:
        raise _ParseError(f'joints nested deeper than {MAX_DEPTH}', k)
      for field, value in ((names, name), (parents, top), (offsets, None),
                           (channels, ()), (end_site, key == 'End')):
        field.append(value)
      pending = len(names) - 1
    elif key == '{' and pending is not None and len(toks) == 1:
      stack.append(pending)
      opened_at.append(k)
      pending = None
    elif key == '}' and stack and len(toks) == 1:
      j = stack.pop()
      opened_at.pop()
      if offsets[j] is None:
        raise _ParseError(f'{_short(names[j])} has no OFFSET', k)
    elif key == 'OFFSET' and stack and offsets[top] is None:
      if len(toks) != 4:
        raise _ParseError(f'OFFSET needs 3 values, found {len(toks) - 1}', k)
      offsets[top] = tuple(_number(float, t, 'OFFSET', k) for t in toks[1:])
    elif key == 'CHANNELS' and stack and not end_site[top] and not channels[
        top]:
      count = _number(int, toks[1] if len(toks) > 1 else '',
                      'CHANNELS count', k)
      if not 0 <= count <= MAX_CHANNELS or count != len(toks) - 2:
        raise _ParseError(f'bad CHANNELS count {count}: must be '
                          f'0..{MAX_CHANNELS} and match the {len(toks) - 2} '
                          'channel names that follow', k)
      if not all(t in CHANNEL_AXIS for t in toks[2:]) or len(
          set(toks[2:])) != count:
        raise _ParseError('unknown or repeated channel in CHANNELS', k)
      channels[top] = tuple(toks[2:])
    elif key in ('{', '}'):
      raise _ParseError(f'unbalanced braces: unexpected {_short(line)}', k)
    else:
      raise _ParseError(f'unexpected {_short(key)} in HIERARCHY', k)
  if not header:
    raise _ParseError('missing HIERARCHY (empty file?)', 1)
  if pending is not None:
    raise _ParseError(f'expected {{ after {_short(names[pending])}',
                      len(lines) + 1)
  if stack:
    raise _ParseError(f'unbalanced braces: block of {_short(names[stack[-1]])}'
                      f' opened at line {opened_at[-1]} is not closed',
                      len(lines) + 1)
  if not names:
    raise _ParseError('HIERARCHY has no ROOT joint', len(lines))
  return (tuple(names), tuple(parents), tuple(offsets), tuple(channels),
          tuple(end_site))


def _read_text(source: Source, name: Optional[str]) -> Tuple[str, str]:
  """Returns (text, name for messages) for a path or the file's text."""
  if isinstance(source, bytes):
    return source.decode('utf-8', errors='replace'), name or '<bytes>'
  if isinstance(source, str) and (not source or '\n' in source):
    return source, name or '<string>'
  if not isinstance(source, (str, os.PathLike)):
    raise ArgumentError(f'source must be a path or BVH text, got '
                        f'{type(source).__name__}')
  path = pathlib.Path(source)
  shown = name or str(path)
  try:
    with open(path, 'r', encoding='utf-8', errors='replace') as f:
      return f.read(), shown
  except FileNotFoundError:
    raise DataError('no such file', shown) from None
  except (OSError, ValueError) as e:
    raise DataError(f'cannot read: {getattr(e, "strerror", None) or e}',
                    shown) from None


def _header(lines: List[str], k: int, label: str, kind, name: str):
  """Parses `<label> <value>` on 0-based line k (Frames:, Frame Time:)."""
  s = lines[k].strip() if k < len(lines) else ''
  if not s.startswith(label):
    raise DataError(f'expected {label!r}, found '
                    f'{_short(s) if s else "nothing"}', name, k + 1)
  value_text = s[len(label):].strip()
  try:
    value = kind(value_text)
  except ValueError:
    raise DataError(f'bad {label} value {_short(value_text)}', name,
                    k + 1) from None
  if not (value >= 0 if kind is int else math.isfinite(value) and value > 0):
    raise DataError(f'{label} must be {">= 0" if kind is int else "> 0"}, '
                    f'got {_short(value_text)}', name, k + 1)
  return value


def _convert(rows: List[str], first_line: int, step: int, n_channels: int,
             name: str) -> np.ndarray:
  """[len(rows), C] float64; rows[i] is file line first_line + i * step."""
  if not rows:
    return np.zeros((0, n_channels), np.float64)
  try:
    motion = np.array([r.split() for r in rows], dtype=np.float64)
    if motion.ndim == 2 and motion.shape[1] == n_channels:
      if np.isfinite(motion).all():
        return motion
  except (ValueError, TypeError, OverflowError):
    pass
  # Slow path, only for broken files: find the first offending line.
  for i, row in enumerate(rows):
    line = first_line + i * step
    tokens = row.split()
    if len(tokens) != n_channels:
      raise DataError(f'motion line has {len(tokens)} values, expected '
                      f'{n_channels}', name, line)
    for tok in tokens:
      try:
        finite = math.isfinite(float(tok))
      except ValueError:
        finite = False
      if not finite:
        raise DataError(f'bad value {_short(tok)} (not a finite number)',
                        name, line)
  raise DataError('motion values could not be read', name, first_line)


def parse_bvh(source: Source, *, name: Optional[str] = None,
              frame_step: int = 1, max_frames: Optional[int] = None
              ) -> BvhClip:
  """Parses a BVH file.

  Args:
    source: a path, or the file's text (an empty str or one holding a
      newline; bytes are decoded as UTF-8), e.g. read from an archive.
    name: the name used in error messages (default: the path, or
      '<string>').
    frame_step: keep frames 0, k, 2k, ... of the file (k = frame_step >= 1);
      the other motion lines are counted but neither converted nor
      checked.
    max_frames: keep at most this many frames (after stepping); None for all.

  Returns:
    A `BvhClip` with motion [F, C] float64, F = ceil(frames / frame_step)
    (capped by max_frames).

  Raises:
    DataError: the file is missing or malformed (with its 1-based line).
    ArgumentError: frame_step or max_frames out of range.
  """
  def is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
  if not is_int(frame_step) or frame_step < 1:
    raise ArgumentError(f'frame_step must be an int >= 1, got {frame_step!r}')
  if max_frames is not None and (not is_int(max_frames) or max_frames < 0):
    raise ArgumentError(f'max_frames must be None or >= 0, got {max_frames!r}')
  text, name = _read_text(source, name)
  lines = text.split('\n')
  motion_k = None
  for k, line in enumerate(lines):
    if line.strip() == 'MOTION':
      motion_k = k
      break
  if motion_k is None:
    raise DataError('missing MOTION section' if text.strip() else
                    'empty file', name)
  try:
    names, parents, offsets, channels, end_site = _parse_hierarchy(
        '\n'.join(lines[:motion_k]))
  except _ParseError as e:
    raise DataError(e.args[0], name, e.args[1]) from None

  k = motion_k + 1
  while k < len(lines) and not lines[k].strip():
    k += 1
  num_frames = _header(lines, k, 'Frames:', int, name)
  frame_time = _header(lines, k + 1, 'Frame Time:', float, name)
  first = k + 2  # 0-based index of the first motion line.
  end = len(lines)
  while end > first and not lines[end - 1].strip():
    end -= 1
  available = end - first
  if available < num_frames:
    raise DataError(f'truncated: Frames: {num_frames} but only {available} '
                    'motion lines', name, end + 1)
  if available > num_frames:
    raise DataError(f'{available - num_frames} motion lines more than '
                    f'Frames: {num_frames}', name, first + num_frames + 1)
  stop = first + num_frames
  if max_frames is not None:
    stop = min(stop, first + max_frames * frame_step)
  rows = lines[first:stop:frame_step]
  n_channels = sum(len(c) for c in channels)
  motion = _convert(rows, first + 1, frame_step, n_channels, name)
  return BvhClip(
      name=name,
      joint_names=names,
      parents=parents,
      offsets=np.array(offsets, np.float64).reshape(-1, 3),
      channels=channels,
      is_end_site=end_site,
      motion=motion,
      frame_time=frame_time,
      frame_step=int(frame_step),
      num_file_frames=num_frames)

"""Causal temporal smoothing of video poses: One Euro filters per tracked person.

A lifter sees one frame at a time, so the 3D of a person standing still
jitters with every pixel the 2D backend moves. The One Euro filter (Casiez,
Roussel and Vogel, CHI 2012) is a low-pass filter whose cutoff rises with
the signal's speed: strong smoothing at rest, little lag in fast motion. It
is causal (each output depends on the past only), so it runs on a live
stream as well as on a file. MediaPipe smooths its landmarks the same way.

People are followed from frame to frame by a greedy nearest match of their
2D keypoints (`PoseSmoother`): each track keeps its own filters, a track
unseen for `max_gap_frames` frames is dropped, and a new person starts a
new track. 2D keypoints are filtered (their speed measured in the person's
box diagonals per second, so the parameters do not depend on image size or
distance to the camera), then lifted, and the 3D pose (mm) is filtered
again.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from geo_rep_tf.errors import ArgumentError


@dataclasses.dataclass(frozen=True)
class OneEuroConfig:
  """One Euro filter parameters.

  Attributes:
    min_cutoff: cutoff frequency (Hz) at rest: lower is smoother and lags
      more in slow motion.
    beta: how fast the cutoff rises with speed (per unit of speed, in the
      filtered signal's units per second).
    d_cutoff: cutoff (Hz) of the speed estimate.
  """
  min_cutoff: float = 1.0
  beta: float = 0.0
  d_cutoff: float = 1.0

  def __post_init__(self):
    for name in ('min_cutoff', 'd_cutoff'):
      if not getattr(self, name) > 0:
        raise ArgumentError(f'{name} must be > 0, got {getattr(self, name)}')
    if self.beta < 0:
      raise ArgumentError(f'beta must be >= 0, got {self.beta}')


def _alpha(cutoff, dt: float):
  tau = 1.0 / (2.0 * math.pi * cutoff)
  return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
  """A One Euro filter over arrays of any fixed shape (element-wise)."""

  def __init__(self, config: OneEuroConfig):
    self.config = config
    self._x: Optional[np.ndarray] = None
    self._dx: Optional[np.ndarray] = None
    self._t: Optional[float] = None

  def __call__(self, x: np.ndarray, t: float,
               speed_unit: float = 1.0) -> np.ndarray:
    """Filters sample `x` taken at time `t` (seconds, increasing); the
    speed that raises the cutoff is measured in `speed_unit`s per second."""
    x = np.asarray(x, np.float64)
    if self._x is None or self._x.shape != x.shape:
      self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
      return x.copy()
    dt = t - self._t
    if dt <= 0:
      return self._x.copy()
    c = self.config
    dx = (x - self._x) / dt
    self._dx = self._dx + _alpha(c.d_cutoff, dt) * (dx - self._dx)
    cutoff = c.min_cutoff + c.beta * np.abs(self._dx) / speed_unit
    self._x = self._x + _alpha(cutoff, dt) * (x - self._x)
    self._t = t
    return self._x.copy()


# Defaults chosen by bench/bench_video_smoothing.py (jitter on a still clip
# against lag on real motion): 2D speed in box diagonals / s, 3D in mm / s.
# On its two clips these smooth a still person to a fraction of a mm per
# frame and lower the error on real motion (one frame of lag).
DEFAULT_2D = OneEuroConfig(min_cutoff=1.0, beta=32.0, d_cutoff=1.0)
DEFAULT_3D = OneEuroConfig(min_cutoff=1.0, beta=0.05, d_cutoff=1.0)


@dataclasses.dataclass
class _Track:
  track_id: int
  keypoints_px: np.ndarray
  last_frame: int
  filter_2d: OneEuroFilter
  filter_3d: OneEuroFilter


def _box_diagonal(keypoints_px: np.ndarray) -> float:
  span = keypoints_px.max(axis=0) - keypoints_px.min(axis=0)
  return max(float(np.hypot(*span)), 1.0)


class PoseSmoother:
  """Tracks people across frames and smooths their 2D and 3D poses.

  Use per video, frame by frame: `assign` then `smooth_2d` before lifting,
  `smooth_3d` after.

  Args:
    config_2d: filter of the 2D keypoints (beta per box diagonal / s).
    config_3d: filter of the root-relative 3D pose (mm).
    max_gap_frames: a track not matched for this many frames is dropped.
    max_match_distance: a person matches a track when the mean distance
      of their keypoints is below this many box diagonals.
  """

  def __init__(self, config_2d: OneEuroConfig = DEFAULT_2D,
               config_3d: OneEuroConfig = DEFAULT_3D,
               max_gap_frames: int = 5, max_match_distance: float = 0.5):
    self.config_2d, self.config_3d = config_2d, config_3d
    self.max_gap_frames = max_gap_frames
    self.max_match_distance = max_match_distance
    self._tracks: Dict[int, _Track] = {}
    self._next_id = 0
    self._frame = -1

  def assign(self, keypoints_px: Sequence[np.ndarray]) -> List[int]:
    """Track ids of this frame's people (greedy nearest match)."""
    self._frame += 1
    self._tracks = {i: t for i, t in self._tracks.items()
                    if self._frame - t.last_frame <= self.max_gap_frames}
    pairs: List[Tuple[float, int, int]] = []
    for p, kp in enumerate(keypoints_px):
      scale = _box_diagonal(kp)
      for i, track in self._tracks.items():
        d = float(np.linalg.norm(kp - track.keypoints_px, axis=-1).mean())
        if d / scale < self.max_match_distance:
          pairs.append((d / scale, p, i))
    ids: List[Optional[int]] = [None] * len(keypoints_px)
    taken = set()
    for _, p, i in sorted(pairs):
      if ids[p] is None and i not in taken:
        ids[p] = i
        taken.add(i)
    for p, kp in enumerate(keypoints_px):
      if ids[p] is None:
        ids[p] = self._next_id
        self._tracks[self._next_id] = _Track(
            self._next_id, kp, self._frame, OneEuroFilter(self.config_2d),
            OneEuroFilter(self.config_3d))
        self._next_id += 1
      track = self._tracks[ids[p]]
      track.keypoints_px, track.last_frame = kp, self._frame
    return ids

  def smooth_2d(self, track_ids: Sequence[int],
                keypoints_px: Sequence[np.ndarray], t: float
                ) -> List[np.ndarray]:
    """Filtered [16, 2] keypoints (px) of each person at time `t` (s)."""
    out = []
    for i, kp in zip(track_ids, keypoints_px):
      kp = np.asarray(kp, np.float64)
      # Pixels are filtered as pixels; only the speed that opens the filter
      # is measured in box diagonals per second.
      smoothed = self._tracks[i].filter_2d(kp, t, _box_diagonal(kp))
      out.append(smoothed.astype(np.float32))
    return out

  def smooth_3d(self, track_ids: Sequence[int], poses_mm: np.ndarray,
                t: float) -> np.ndarray:
    """Filtered [N, 16, 3] root-relative poses (mm) at time `t` (s)."""
    out = np.array(poses_mm, np.float32, copy=True)
    for k, i in enumerate(track_ids):
      out[k] = self._tracks[i].filter_3d(poses_mm[k], t)
    return out

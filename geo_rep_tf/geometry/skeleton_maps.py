"""2D keypoints -> 15-channel binary skeleton maps (paper section 3, step 2).

A skeleton map has one channel per bone of the model joint set (`BONES[b]` is
channel b). The person's bounding square, enlarged by a margin, is mapped onto
a `size` x `size` grid, so position and scale in the image do not matter.

Coordinates: pixel (x, y) of a map covers [x, x + 1) x [y, y + 1) and its
centre is (x + 0.5, y + 0.5); x indexes the width (last-but-one axis of the
map), y the height. A pixel of channel b is lit iff the distance from its
centre to the segment parent -> child of bone b is <= width / 2 (a capsule).

Rasterisation is exact (up to float32 rounding for pixels right on the
border) and vectorised: the capsule of a bone cut by the vertical line
through a column of pixel centres is one interval [lo, hi] (a convex set cut
by a line), computed in closed form for every (example, column, bone); the
full-size work is then two comparisons per pixel. This is over ten times
faster than comparing point-to-segment distances per pixel (see
bench/bench_skeleton_maps.py). Call it on batches (tf.data: batch, then
map): per example, op overhead dominates.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry.joints import BONES, NUM_BONES, NUM_JOINTS

_PARENTS = tuple(p for p, _ in BONES)
_CHILDREN = tuple(c for _, c in BONES)
# A bounding square is never smaller than this (all keypoints at one point).
MIN_SIDE_PX = 1.0


def _check_keypoints_shape(keypoints, arg_name: str):
  shape = keypoints.shape
  if shape.rank is not None:
    if shape.rank < 2 or not shape[-2:].is_compatible_with([NUM_JOINTS, 2]):
      raise ArgumentError(
          f'{arg_name} must have shape [..., {NUM_JOINTS}, 2], got {shape}')


def _check_size(size, width: Optional[float] = None):
  if not isinstance(size, (int, np.integer)) or size <= 0:
    raise ArgumentError(f'size must be a positive int, got {size!r}')
  if width is not None and not width > 0:
    raise ArgumentError(f'width must be > 0 map pixels, got {width!r}')


def crop_square(keypoints_px, margin: float = 0.2, name: Optional[str] = None):
  """Bounding square of the keypoints, enlarged by a margin.

  Args:
    keypoints_px: [A1, ..., An, 16, 2] float, image pixels (x, y).
    margin: relative enlargement, side = max(w, h) * (1 + margin); >= 0.
    name: op name scope.

  Returns:
    center: [A1, ..., An, 2] float, centre of the square in image pixels.
    side: [A1, ..., An] float, side of the square in image pixels, at least
      `MIN_SIDE_PX` (so a collapsed skeleton does not divide by zero).
  """
  if not margin >= 0:
    raise ArgumentError(f'margin must be >= 0, got {margin!r}')
  with tf.name_scope(name or 'crop_square'):
    keypoints_px = tf.convert_to_tensor(keypoints_px)
    _check_keypoints_shape(keypoints_px, 'keypoints_px')
    low = tf.reduce_min(keypoints_px, axis=-2)
    high = tf.reduce_max(keypoints_px, axis=-2)
    center = 0.5 * (low + high)
    side = tf.reduce_max(high - low, axis=-1) * (1.0 + margin)
    side = tf.maximum(side, tf.cast(MIN_SIDE_PX, side.dtype))
    return center, side


def normalize_to_crop(keypoints_px, center, side, size: int = 64,
                      name: Optional[str] = None):
  """Image pixels -> map pixels of the crop square.

  Args:
    keypoints_px: [A1, ..., An, J, 2] float, image pixels.
    center: [A1, ..., An, 2] float, square centre in image pixels.
    side: [A1, ..., An] float, square side in image pixels (> 0).
    size: map side in map pixels.
    name: op name scope.

  Returns:
    [A1, ..., An, J, 2] float, map pixels: the square spans [0, size].
  """
  _check_size(size)
  with tf.name_scope(name or 'normalize_to_crop'):
    keypoints_px = tf.convert_to_tensor(keypoints_px)
    center = tf.convert_to_tensor(center, keypoints_px.dtype)
    side = tf.convert_to_tensor(side, keypoints_px.dtype)[..., None, None]
    corner = center[..., None, :] - 0.5 * side
    return (keypoints_px - corner) * (size / side)


def crop_to_image(keypoints_map, center, side, size: int = 64,
                  name: Optional[str] = None):
  """Inverse of `normalize_to_crop`: map pixels -> image pixels.

  Args:
    keypoints_map: [A1, ..., An, J, 2] float, map pixels in [0, size].
    center: [A1, ..., An, 2] float, square centre in image pixels.
    side: [A1, ..., An] float, square side in image pixels.
    size: map side in map pixels.
    name: op name scope.

  Returns:
    [A1, ..., An, J, 2] float, image pixels.
  """
  _check_size(size)
  with tf.name_scope(name or 'crop_to_image'):
    keypoints_map = tf.convert_to_tensor(keypoints_map)
    center = tf.convert_to_tensor(center, keypoints_map.dtype)
    side = tf.convert_to_tensor(side, keypoints_map.dtype)[..., None, None]
    corner = center[..., None, :] - 0.5 * side
    return keypoints_map * (side / size) + corner


def _line_intervals(start, delta, line_v, radius):
  """Capsule of each bone cut by the lines v = line_v, in (u, v) coordinates.

  The capsule is the union over t in [0, 1] of the disks of radius r around
  a + t d. The disk at t reaches the line iff |w(t)| <= r, with
  w(t) = a_v + t d_v - line_v, and then covers u_t +- sqrt(r^2 - w(t)^2).
  The right end of the cut is the maximum over those t of a concave
  function of t, so it sits at the clipped stationary point
  w* = r d_u sign(d_v) / |d| (the left end likewise, with -w*).

  Args:
    start: [N, 1, 15, 2] float32, bone start (parent) as (u, v).
    delta: [N, 1, 15, 2] float32, child - parent as (u, v).
    line_v: [1, L, 1] float32, v of the cutting lines.
    radius: half the line width.

  Returns:
    lo, hi: [N, L, 15] float32, u range of the capsule on each line
      (lo = +inf, hi = -inf when the line misses it).
  """
  inf = tf.constant(np.inf, tf.float32)
  au, av = start[..., 0], start[..., 1]  # Shape = [N, 1, 15].
  du, dv = delta[..., 0], delta[..., 1]
  length = tf.sqrt(du * du + dv * dv)
  # A bone parallel to the lines gets a 1e-20 px slope, so that the
  # formulas in t stay finite; no float32 pixel test can see the change.
  dv = tf.where(tf.abs(dv) < 1e-20, 1e-20, dv)
  inv_dv = 1.0 / dv
  reach = radius * tf.abs(inv_dv)  # Half the t range whose disks reach.
  shift = tf.math.divide_no_nan(radius * du, length) * tf.abs(inv_dv)
  t_on_line = (line_v - av) * inv_dv  # Shape = [N, L, 15].
  t_min = tf.maximum(t_on_line - reach, 0.0)
  t_max = tf.minimum(t_on_line + reach, 1.0)

  def extreme(t_star, sign):
    t = tf.minimum(tf.maximum(t_star, t_min), t_max)
    w = (av - line_v) + t * dv
    half = tf.sqrt(tf.maximum(radius * radius - w * w, 0.0))
    return au + t * du + sign * half

  lo = extreme(t_on_line - shift, -1.0)
  hi = extreme(t_on_line + shift, 1.0)
  missed = t_min > t_max
  return tf.where(missed, inf, lo), tf.where(missed, -inf, hi)


def _unflatten(maps, keypoints_map, batch_shape, size):
  """[N, S, S, 15] maps -> [A1, ..., An, S, S, 15], static shape kept."""
  out_shape = tf.concat([batch_shape, [size, size, NUM_BONES]], axis=0)
  maps = tf.reshape(maps, out_shape)
  if keypoints_map.shape.rank is not None:
    maps.set_shape(keypoints_map.shape[:-2].concatenate(
        [size, size, NUM_BONES]))
  return maps


def rasterize_skeleton(keypoints_map, size: int = 64, width: float = 2.0,
                       dtype=tf.float32, name: Optional[str] = None):
  """Draws each bone as a binary line `width` map pixels wide.

  Non-finite keypoints light nothing on the bones they touch (comparisons
  with NaN are false); `skeleton_maps` rejects them before they get here.

  Args:
    keypoints_map: [A1, ..., An, 16, 2] float, map pixels (x, y), any float
      dtype (computed in float32).
    size: map side in pixels.
    width: line width in map pixels (2 at 64 matches 8 at 256).
    dtype: output dtype; a pipeline may ask for tf.uint8 (4x less memory
      to move) and cast to float on the accelerator.
    name: op name scope.

  Returns:
    [A1, ..., An, size, size, 15] `dtype` (float32) in {0, 1}: axis -3 is
    y (rows), axis -2 is x (columns), channel b is bone `BONES[b]`.
  """
  _check_size(size, width)
  with tf.name_scope(name or 'rasterize_skeleton'):
    keypoints_map = tf.convert_to_tensor(keypoints_map)
    _check_keypoints_shape(keypoints_map, 'keypoints_map')
    keypoints_map = tf.cast(keypoints_map, tf.float32)
    batch_shape = tf.shape(keypoints_map)[:-2]
    # Columns of pixel centres cut each capsule into y intervals; working
    # in (u, v) = (y, x) makes the final comparison broadcast one
    # [N, 1, S * 15] tensor over rows, which is 2-3x faster than cutting
    # by rows (that broadcasts into the middle axis, x).
    flat = tf.reshape(keypoints_map[..., ::-1], [-1, NUM_JOINTS, 2])
    start = tf.gather(flat, _PARENTS, axis=1)[:, None]  # [N, 1, 15, 2].
    delta = tf.gather(flat, _CHILDREN, axis=1)[:, None] - start
    centers = tf.range(size, dtype=tf.float32) + 0.5
    lo, hi = _line_intervals(start, delta, centers[None, :, None],
                             0.5 * float(width))
    # Shape = [S(y), 1, 1] against [N, 1, S(x), 15] -> [N, S, S, 15].
    row_y = centers[:, None, None]
    lit = (row_y >= lo[:, None]) & (row_y <= hi[:, None])
    maps = tf.cast(lit, dtype)
    return _unflatten(maps, keypoints_map, batch_shape, size)


def rasterize_skeleton_soft(keypoints_map, size: int = 64,
                            sigma: float = 1.0, dtype=tf.float32,
                            name: Optional[str] = None):
  """Draws each bone as a soft line: exp(-d^2 / (2 sigma^2)).

  d is the distance from a pixel centre to the bone's segment, so the map is
  1 on the bone and falls off like a Gaussian heatmap across it. Soft lines
  give the map L2 a gradient that grows as a drawn bone nears the true one,
  where a 2 px binary line gives none until they overlap (a deviation from
  the paper's binary maps; `skeleton_maps(sigma=0)` keeps those).

  Args:
    keypoints_map: [A1, ..., An, 16, 2] float, map pixels (x, y).
    size: map side in pixels.
    sigma: fall-off in map pixels (> 0).
    dtype: output dtype.
    name: op name scope.

  Returns:
    [A1, ..., An, size, size, 15] `dtype` in [0, 1], laid out as
    `rasterize_skeleton`.
  """
  _check_size(size)
  if not sigma > 0:
    raise ArgumentError(f'sigma must be > 0 map pixels, got {sigma!r}')
  with tf.name_scope(name or 'rasterize_skeleton_soft'):
    keypoints_map = tf.convert_to_tensor(keypoints_map)
    _check_keypoints_shape(keypoints_map, 'keypoints_map')
    keypoints_map = tf.cast(keypoints_map, tf.float32)
    batch_shape = tf.shape(keypoints_map)[:-2]
    flat = tf.reshape(keypoints_map, [-1, NUM_JOINTS, 2])
    start = tf.gather(flat, _PARENTS, axis=1)[:, None, None]  # [N,1,1,15,2]
    delta = tf.gather(flat, _CHILDREN, axis=1)[:, None, None] - start
    centers = tf.range(size, dtype=tf.float32) + 0.5
    # Pixel centres as (x, y), [S(y), S(x), 1, 2].
    grid = tf.stack(tf.meshgrid(centers, centers), axis=-1)[:, :, None]
    rel = grid - start  # [N, S, S, 15, 2].
    length_sq = tf.reduce_sum(delta * delta, axis=-1)
    t = tf.math.divide_no_nan(tf.reduce_sum(rel * delta, axis=-1), length_sq)
    t = tf.clip_by_value(t, 0.0, 1.0)
    off = rel - t[..., None] * delta
    dist_sq = tf.reduce_sum(off * off, axis=-1)  # [N, S, S, 15].
    maps = tf.cast(tf.exp(dist_sq * (-0.5 / (float(sigma) ** 2))), dtype)
    return _unflatten(maps, keypoints_map, batch_shape, size)


def _check_finite(keypoints_px):
  """Raises ArgumentError now, or asserts in the graph, on NaN/inf input."""
  value = tf.get_static_value(keypoints_px)
  if value is not None:
    if not np.all(np.isfinite(value)):
      bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
      raise ArgumentError(
          f'keypoints_px contains {bad} NaN or inf values; drop or fill '
          'missing keypoints before drawing skeleton maps')
    return keypoints_px
  return tf.debugging.assert_all_finite(
      keypoints_px, 'keypoints_px contains NaN or inf values')


def skeleton_maps(keypoints_px, size: int = 64, width: float = 2.0,
                  margin: float = 0.2, dtype=tf.float32,
                  name: Optional[str] = None, sigma: float = 0.0,
                  check_finite: bool = True):
  """Crops the person's bounding square and draws its skeleton map.

  Non-finite keypoints are an error, not a blank map: when the value is
  known at trace time (eager tensors, numpy arrays, graph constants) an
  `ArgumentError` naming `keypoints_px` is raised at once; otherwise
  (inside `tf.function` or `tf.data`) a `tf.debugging.assert_all_finite`
  fails at run time with `InvalidArgumentError` naming `keypoints_px`.

  Args:
    keypoints_px: [A1, ..., An, 16, 2] float, image pixels (x, y).
    size: map side in pixels.
    width: line width in map pixels.
    margin: relative enlargement of the bounding square.
    dtype: output dtype (see `rasterize_skeleton`).
    name: op name scope.
    sigma: 0: binary lines `width` wide (the paper); > 0: soft lines
      (`rasterize_skeleton_soft`), `width` unused.
    check_finite: check for NaN/inf as described above. The graph-mode
      check is a stateful op, which makes a tf.data iterator impossible to
      checkpoint; pipelines over data validated when it was prepared pass
      False.

  Returns:
    [A1, ..., An, size, size, 15] `dtype` (float32), in {0, 1} for binary
    lines, in [0, 1] for soft ones (see `rasterize_skeleton`).
  """
  _check_size(size, width)
  with tf.name_scope(name or 'skeleton_maps'):
    keypoints_px = tf.convert_to_tensor(keypoints_px)
    _check_keypoints_shape(keypoints_px, 'keypoints_px')
    if not keypoints_px.dtype.is_floating:
      keypoints_px = tf.cast(keypoints_px, tf.float32)
    if check_finite:
      keypoints_px = _check_finite(keypoints_px)
    center, side = crop_square(keypoints_px, margin)
    keypoints_map = normalize_to_crop(keypoints_px, center, side, size)
    if sigma < 0:
      raise ArgumentError(f'sigma must be >= 0 map pixels, got {sigma!r}')
    if sigma > 0:
      return rasterize_skeleton_soft(keypoints_map, size, sigma, dtype)
    return rasterize_skeleton(keypoints_map, size, width, dtype)

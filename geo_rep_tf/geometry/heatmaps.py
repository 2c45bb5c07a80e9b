"""Keypoint heatmaps: Gaussian targets and sub-pixel decoding.

Pixel convention (as OpenCV, `ImageProjectiveTransformV3` and the 2D
annotation readers): integer coordinates are pixel centres, so heatmap pixel
(x, y) is centred on (x, y) and covers [x - 0.5, x + 0.5). Axis -3 of a
heatmap is y (rows), axis -2 is x (columns), axis -1 the joint.

A target is an unnormalised Gaussian of peak 1 at the exact (sub-pixel)
keypoint, as in Newell et al. 2016 (sigma 1 at 64 x 64), not rounded to the
nearest pixel first: rounding alone costs up to 0.7 heatmap px (3 px at a
256 input) before the network has made any error.

Decoding takes the argmax and refines it per axis. The default ('taylor')
fits a parabola to the log of the argmax and its two neighbours (a
second-order Taylor step on the log-heatmap, Zhang et al. 2020, "DARK",
without their blur and cross term): the log of a Gaussian is quadratic and
finite differences of a quadratic are exact, so a rendered target decodes to
its keypoint up to float rounding. 'quarter' is the rule of Newell et al.
(a quarter pixel towards the higher neighbour; error up to 0.25 px) and
'none' the plain argmax.

All functions are pure TF, batch over any leading axes and run eagerly, in
tf.function and in tf.data.
"""

from __future__ import annotations

from typing import Optional

import tensorflow as tf

from geo_rep_tf.errors import ArgumentError

REFINEMENTS = ('taylor', 'quarter', 'none')
# Floor of the heatmap before the log in the Taylor step: a network output
# is not a positive Gaussian; where it is <= 0 the step is clipped anyway.
_LOG_FLOOR = 1e-10


def _check_keypoints(keypoints, visibility):
  if keypoints.shape.rank is not None and (
      keypoints.shape.rank < 2 or keypoints.shape[-1] not in (None, 2)):
    raise ArgumentError(
        f'keypoints_hm must have shape [..., J, 2], got {keypoints.shape}')
  if (visibility.shape.rank is not None and keypoints.shape.rank is not None
      and not visibility.shape.is_compatible_with(keypoints.shape[:-1])):
    raise ArgumentError(
        f'visibility must have shape {keypoints.shape[:-1]} (keypoints_hm '
        f'without its last axis), got {visibility.shape}')


def render_heatmaps(keypoints_hm, visibility, size: int = 64,
                    sigma: float = 1.0, name: Optional[str] = None):
  """Draws one Gaussian per joint.

  Separable: the [size, size] Gaussian is the outer product of two [size]
  ones, so the cost is one multiply per output value.

  Args:
    keypoints_hm: [A1, ..., An, J, 2] float, heatmap pixels (x, y).
      Invisible joints may hold anything, NaN included.
    visibility: [A1, ..., An, J] bool or number (nonzero = visible).
    size: heatmap side in pixels.
    sigma: Gaussian standard deviation in heatmap pixels (> 0).
    name: op name scope.

  Returns:
    [A1, ..., An, size, size, J] float (dtype of `keypoints_hm`, float32
    for integer input), values in [0, 1], peak 1 at a visible keypoint
    that falls on a pixel centre, all zero for invisible joints. A joint
    outside the map keeps the part of its Gaussian that falls inside (the
    pose2d pipeline marks such joints invisible).
  """
  if not isinstance(size, int) or size <= 0:
    raise ArgumentError(f'size must be a positive int, got {size!r}')
  if not sigma > 0:
    raise ArgumentError(f'sigma must be > 0 heatmap pixels, got {sigma!r}')
  with tf.name_scope(name or 'render_heatmaps'):
    keypoints_hm = tf.convert_to_tensor(keypoints_hm)
    if not keypoints_hm.dtype.is_floating:
      keypoints_hm = tf.cast(keypoints_hm, tf.float32)
    visibility = tf.convert_to_tensor(visibility)
    _check_keypoints(keypoints_hm, visibility)
    if visibility.dtype != tf.bool:
      visibility = tf.not_equal(visibility, 0)
    dtype = keypoints_hm.dtype
    keypoints_hm = tf.where(visibility[..., None], keypoints_hm,
                            tf.zeros_like(keypoints_hm))
    grid = tf.range(size, dtype=dtype)
    scale = tf.cast(-0.5 / (sigma * sigma), dtype)
    # Shape = [..., J, size] each.
    gx = tf.exp(scale * tf.square(grid - keypoints_hm[..., 0:1]))
    gy = tf.exp(scale * tf.square(grid - keypoints_hm[..., 1:2]))
    gy *= tf.cast(visibility, dtype)[..., None]
    # Shape = [..., size(y), size(x), J].
    return tf.einsum('...jy,...jx->...yxj', gy, gx)


def _axis_offset(lower, center, upper, refine: str):
  """Sub-pixel offset along one axis from three samples around the max."""
  if refine == 'quarter':
    return 0.25 * tf.sign(upper - lower)
  floor = tf.cast(_LOG_FLOOR, center.dtype)
  lo, mid, hi = (tf.math.log(tf.maximum(v, floor))
                 for v in (lower, center, upper))
  gradient = 0.5 * (hi - lo)
  curvature = hi - 2.0 * mid + lo
  # Only a strict maximum of the log has a vertex to step to.
  step = tf.where(curvature < 0.0,
                  -gradient / tf.where(curvature < 0.0, curvature, -1.0),
                  tf.zeros_like(gradient))
  # The vertex of a parabola through a discrete maximum is within half a
  # pixel of it; the clip only matters for noisy network output.
  return tf.clip_by_value(step, -0.5, 0.5)


def decode_heatmaps(heatmaps, refine: str = 'taylor',
                    name: Optional[str] = None):
  """Keypoints and confidences from heatmaps.

  Args:
    heatmaps: [A1, ..., An, H, W, J] float.
    refine: 'taylor' (default, exact for a Gaussian), 'quarter' (Newell et
      al.) or 'none'; see the module docstring. A refinement step along an
      axis is skipped when the argmax is on the border of that axis.
    name: op name scope.

  Returns:
    keypoints_hm: [A1, ..., An, J, 2] float, heatmap pixels (x, y).
    confidences: [A1, ..., An, J] float, the heatmap value at the argmax.
  """
  if refine not in REFINEMENTS:
    raise ArgumentError(f'refine must be one of {REFINEMENTS}, got '
                        f'{refine!r}')
  with tf.name_scope(name or 'decode_heatmaps'):
    heatmaps = tf.convert_to_tensor(heatmaps)
    if not heatmaps.dtype.is_floating:
      heatmaps = tf.cast(heatmaps, tf.float32)
    if heatmaps.shape.rank is not None and heatmaps.shape.rank < 3:
      raise ArgumentError('heatmaps must have shape [..., H, W, J], got '
                          f'{heatmaps.shape}')
    shape = tf.shape(heatmaps)
    height, width, num_joints = shape[-3], shape[-2], shape[-1]
    batch_shape = shape[:-3]
    # Shape = [N, J, H * W].
    flat = tf.reshape(heatmaps, [-1, height * width, num_joints])
    flat = tf.transpose(flat, [0, 2, 1])
    index = tf.argmax(flat, axis=-1, output_type=tf.int32)  # [N, J].
    x = index % width
    y = index // width
    dtype = heatmaps.dtype

    def value_at(xx, yy):
      xx = tf.clip_by_value(xx, 0, width - 1)
      yy = tf.clip_by_value(yy, 0, height - 1)
      return tf.gather(flat, yy * width + xx, batch_dims=2)

    confidences = value_at(x, y)
    xf = tf.cast(x, dtype)
    yf = tf.cast(y, dtype)
    if refine != 'none':
      dx = _axis_offset(value_at(x - 1, y), confidences, value_at(x + 1, y),
                        refine)
      dy = _axis_offset(value_at(x, y - 1), confidences, value_at(x, y + 1),
                        refine)
      inside_x = (x > 0) & (x < width - 1)
      inside_y = (y > 0) & (y < height - 1)
      xf += tf.where(inside_x, dx, tf.zeros_like(dx))
      yf += tf.where(inside_y, dy, tf.zeros_like(dy))
    keypoints = tf.stack([xf, yf], axis=-1)
    keypoints = tf.reshape(
        keypoints, tf.concat([batch_shape, [num_joints, 2]], axis=0))
    confidences = tf.reshape(
        confidences, tf.concat([batch_shape, [num_joints]], axis=0))
    if heatmaps.shape.rank is not None:
      joints_dim = heatmaps.shape[-1]
      keypoints.set_shape(heatmaps.shape[:-3].concatenate([joints_dim, 2]))
      confidences.set_shape(heatmaps.shape[:-3].concatenate([joints_dim]))
    return keypoints, confidences

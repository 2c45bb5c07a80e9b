"""Per-example pose losses: each returns one value per example; the trainer
reduces (e.g. `tf.nn.compute_average_loss` with the global batch size).
"""

from __future__ import annotations

from typing import Optional

import tensorflow as tf

from geo_rep_tf.errors import ArgumentError


def _pair(pred, target, min_rank: int, what: str):
  pred = tf.convert_to_tensor(pred)
  target = tf.convert_to_tensor(target, pred.dtype)
  if pred.shape.rank is not None and pred.shape.rank < min_rank:
    raise ArgumentError(f'pred must have shape {what}, got {pred.shape}')
  if not pred.shape.is_compatible_with(target.shape):
    raise ArgumentError(
        f'pred and target shapes differ: {pred.shape} vs {target.shape}')
  return pred, target


def pose_l2_loss(pred, target, name: Optional[str] = None):
  """Mean squared error over joints and coordinates.

  Args:
    pred: [A1, ..., An, J, C] float, e.g. [B, 16, 3] in network units.
    target: same shape and units.
    name: op name scope.

  Returns:
    [A1, ..., An] float, squared units.
  """
  with tf.name_scope(name or 'pose_l2_loss'):
    pred, target = _pair(pred, target, 2, '[..., J, C]')
    return tf.reduce_mean(tf.square(pred - target), axis=[-2, -1])


def _safe_norm(x):
  """Euclidean norm over the last axis, with a zero (not NaN) gradient at 0."""
  sq = tf.reduce_sum(tf.square(x), axis=-1)
  positive = sq > 0.0
  return tf.where(positive, tf.sqrt(tf.where(positive, sq, tf.ones_like(sq))),
                  tf.zeros_like(sq))


def mpjpe_loss(pred, target, name: Optional[str] = None):
  """Mean per-joint Euclidean distance (no root-centring or alignment).

  The gradient is finite where a joint is exactly right (it is 0 there).

  Args:
    pred: [A1, ..., An, J, C] float.
    target: same shape and units.
    name: op name scope.

  Returns:
    [A1, ..., An] float, units of the input.
  """
  with tf.name_scope(name or 'mpjpe_loss'):
    pred, target = _pair(pred, target, 2, '[..., J, C]')
    return tf.reduce_mean(_safe_norm(pred - target), axis=-1)


def heatmap_mse(pred, target, visibility=None, name: Optional[str] = None):
  """Heatmap L2 of the hourglass: mean over pixels, joints weighted.

  Per joint k, e_k = mean over the H x W pixels of (pred - target)^2; the
  loss is (1/K) sum_k v_k e_k. Dividing by K (not by sum_k v_k), as the
  usual hourglass implementations do, keeps every visible joint's weight
  the same whatever the number of visible joints; with `visibility=None`
  it is the plain MSE over all pixels and joints.

  Args:
    pred: [A1, ..., An, H, W, K] float, predicted heatmaps.
    target: same shape, target heatmaps.
    visibility: None or [A1, ..., An, K], bool or float weights (1 visible,
      0 missing).
    name: op name scope.

  Returns:
    [A1, ..., An] float.
  """
  with tf.name_scope(name or 'heatmap_mse'):
    pred, target = _pair(pred, target, 3, '[..., H, W, K]')
    per_joint = tf.reduce_mean(tf.square(pred - target), axis=[-3, -2])
    if visibility is not None:
      visibility = tf.convert_to_tensor(visibility)
      if not visibility.shape.is_compatible_with(per_joint.shape):
        raise ArgumentError(
            f'visibility must have shape {per_joint.shape} (pred without H '
            f'and W), got {visibility.shape}')
      per_joint *= tf.cast(visibility, per_joint.dtype)
    return tf.reduce_mean(per_joint, axis=-1)

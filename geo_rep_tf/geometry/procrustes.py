"""Similarity (Procrustes) and scale-only alignment of 3D point sets.

Both align `pred` onto `target` per example and return the aligned `pred`;
they are used by the P-MPJPE and N-MPJPE metrics. Convention: points are
rows, so a rotation acts as `points @ rotation`.
"""

from __future__ import annotations

from typing import Optional

import tensorflow as tf

from geo_rep_tf.errors import ArgumentError


def _check_pair(pred, target):
  if pred.shape.rank is not None and pred.shape.rank < 2:
    raise ArgumentError(f'pred must have shape [..., J, 3], got {pred.shape}')
  if pred.shape.rank is not None and pred.shape[-1] not in (None, 3):
    raise ArgumentError(f'pred must have shape [..., J, 3], got {pred.shape}')
  if not pred.shape.is_compatible_with(target.shape):
    raise ArgumentError(
        f'pred and target shapes differ: {pred.shape} vs {target.shape}')


def _det3(m):
  """Determinant of [..., 3, 3] matrices (XLA has no MatrixDeterminant)."""
  return tf.reduce_sum(
      m[..., 0, :] * tf.linalg.cross(m[..., 1, :], m[..., 2, :]), axis=-1)


def procrustes_transform(pred, target, name: Optional[str] = None):
  """Least-squares similarity transform taking `pred` onto `target`.

  Minimises sum_j || scale * pred_j @ rotation + translation - target_j ||^2
  over one scale, a proper rotation (det +1: a reflection is never used,
  the SVD's last axis is flipped instead) and a translation (Umeyama 1991).

  Degenerate input is guarded: when `pred` has all its points at one place
  the scale is 0 and the result is the centroid of `target`. Gradients are
  finite where the singular values of the 3x3 cross-covariance are
  distinct (any generic pose); through repeated ones (e.g. all-zero
  input) the SVD gradient is undefined.

  Args:
    pred: [A1, ..., An, J, 3] float, points (e.g. mm).
    target: [A1, ..., An, J, 3] float, same units.
    name: op name scope.

  Returns:
    scale: [A1, ..., An] float, unitless.
    rotation: [A1, ..., An, 3, 3] float, acts on row vectors.
    translation: [A1, ..., An, 3] float, units of `target`.
  """
  with tf.name_scope(name or 'procrustes_transform'):
    pred = tf.convert_to_tensor(pred)
    target = tf.convert_to_tensor(target, pred.dtype)
    _check_pair(pred, target)
    pred_mean = tf.reduce_mean(pred, axis=-2, keepdims=True)
    target_mean = tf.reduce_mean(target, axis=-2, keepdims=True)
    x = pred - pred_mean
    y = target - target_mean
    # Shape = [..., 3, 3]; cross-covariance X^T Y = U diag(s) V^T.
    cov = tf.linalg.matmul(x, y, transpose_a=True)
    s, u, v = tf.linalg.svd(cov)
    # Rotation U D V^T with D = diag(1, 1, sign det(U V^T)): no reflection.
    det = _det3(tf.linalg.matmul(u, v, transpose_b=True))
    last = tf.stop_gradient(tf.where(det < 0, -tf.ones_like(det),
                                     tf.ones_like(det)))
    d = tf.concat([tf.ones_like(s[..., :2]), last[..., None]], axis=-1)
    rotation = tf.linalg.matmul(u * d[..., None, :], v, transpose_b=True)
    norm_sq = tf.reduce_sum(tf.square(x), axis=[-2, -1])
    scale = tf.math.divide_no_nan(tf.reduce_sum(s * d, axis=-1), norm_sq)
    # Shape = [..., 3].
    translation = target_mean[..., 0, :] - scale[..., None] * tf.linalg.matvec(
        rotation, pred_mean[..., 0, :], transpose_a=True)
    return scale, rotation, translation


def procrustes_align(pred, target, name: Optional[str] = None):
  """Aligns `pred` to `target` by rotation, translation and one scale.

  See `procrustes_transform` (no reflection; degenerate input guarded).

  Args:
    pred: [A1, ..., An, J, 3] float, points (e.g. mm).
    target: [A1, ..., An, J, 3] float, same units.
    name: op name scope.

  Returns:
    [A1, ..., An, J, 3] float, `pred` aligned to `target`, units of `target`.
  """
  with tf.name_scope(name or 'procrustes_align'):
    pred = tf.convert_to_tensor(pred)
    scale, rotation, translation = procrustes_transform(pred, target)
    return (scale[..., None, None] * tf.linalg.matmul(pred, rotation) +
            translation[..., None, :])


def scale_align(pred, target, name: Optional[str] = None):
  """Scales `pred` by the least-squares factor onto `target` (N-MPJPE).

  No centring happens here: the caller root-centres both first. The scale
  is sum(pred * target) / sum(pred * pred), 0 when `pred` is all zero.

  Args:
    pred: [A1, ..., An, J, C] float, points.
    target: [A1, ..., An, J, C] float, same units.
    name: op name scope.

  Returns:
    [A1, ..., An, J, C] float, the scaled `pred`.
  """
  with tf.name_scope(name or 'scale_align'):
    pred = tf.convert_to_tensor(pred)
    target = tf.convert_to_tensor(target, pred.dtype)
    if not pred.shape.is_compatible_with(target.shape):
      raise ArgumentError(
          f'pred and target shapes differ: {pred.shape} vs {target.shape}')
    scale = tf.math.divide_no_nan(
        tf.reduce_sum(pred * target, axis=[-2, -1]),
        tf.reduce_sum(pred * pred, axis=[-2, -1]))
    return scale[..., None, None] * pred

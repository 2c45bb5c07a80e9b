"""Rotations: elementary matrices, look-at, relative rotation, checks.

Conventions: column vectors, `X_cam = R_w2c @ X_world + t`; a rotation
matrix has shape [..., 3, 3]; angles are radians (`*_rad`).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError


def _axis_rotation(angle_rad, axis: int):
  angle_rad = tf.convert_to_tensor(angle_rad)
  c, s = tf.cos(angle_rad), tf.sin(angle_rad)
  one, zero = tf.ones_like(c), tf.zeros_like(c)
  if axis == 0:
    rows = [[one, zero, zero], [zero, c, -s], [zero, s, c]]
  elif axis == 1:
    rows = [[c, zero, s], [zero, one, zero], [-s, zero, c]]
  else:
    rows = [[c, -s, zero], [s, c, zero], [zero, zero, one]]
  # Shape = [..., 3, 3].
  return tf.stack([tf.stack(r, axis=-1) for r in rows], axis=-2)


def rotation_x(angle_rad):
  """Rotation about x by `angle_rad` [...] -> [..., 3, 3] (right-handed)."""
  return _axis_rotation(angle_rad, 0)


def rotation_y(angle_rad):
  """Rotation about y by `angle_rad` [...] -> [..., 3, 3]."""
  return _axis_rotation(angle_rad, 1)


def rotation_z(angle_rad):
  """Rotation about z by `angle_rad` [...] -> [..., 3, 3]."""
  return _axis_rotation(angle_rad, 2)


def relative_rotation(R_i, R_j, name: Optional[str] = None):
  """R_{i->j} = R_j R_i^T for world-to-camera rotations R_i, R_j.

  A point seen in camera i (X_i = R_i X_w + t_i) is seen in camera j, up to
  translation, at R_{i->j} X_i.

  Args:
    R_i: [..., 3, 3] world-to-camera rotation of the source camera.
    R_j: [..., 3, 3] world-to-camera rotation of the target camera.
    name: op name scope.

  Returns:
    [..., 3, 3] relative rotation.
  """
  with tf.name_scope(name or 'relative_rotation'):
    return tf.linalg.matmul(R_j, R_i, transpose_b=True)


def rotate_points(R, points):
  """Rotates each point of a set: p'_m = R p_m.

  R acts on column vectors, as everywhere in this package: a world-to-camera
  R maps world points to the camera frame (up to the translation), and a
  relative rotation R_i->j maps points seen in camera i to camera j. The
  points are stored as rows, so this is `points @ R^T`.

  Args:
    R: [..., 3, 3] rotation matrices (batch dimensions broadcast against
      those of `points`).
    points: [..., M, 3] point sets.

  Returns:
    [..., M, 3] rotated points.
  """
  return tf.linalg.matmul(points, R, transpose_b=True)


def look_at(eye, target, up=(0.0, 0.0, 1.0), roll_rad=None):
  """World-to-camera rotation of a camera at `eye` looking at `target`.

  Camera axes: x right, y down, z forward (towards the target).

  Args:
    eye: [..., 3] camera centre in world coordinates (mm).
    target: [..., 3] point the optical axis passes through (mm).
    up: [3] or [..., 3] world up direction (default +Z).
    roll_rad: optional [...] rotation about the optical axis (radians).

  Returns:
    [..., 3, 3] R_w2c whose rows are the camera axes in world coordinates.
  """
  eye = tf.convert_to_tensor(eye)
  target = tf.cast(tf.convert_to_tensor(target), eye.dtype)
  up = tf.broadcast_to(tf.cast(up, eye.dtype), tf.shape(eye))
  z = target - eye
  z = z / tf.maximum(tf.norm(z, axis=-1, keepdims=True), 1e-9)
  # x = z cross up points right when y points down.
  x = tf.linalg.cross(z, up)
  x = x / tf.maximum(tf.norm(x, axis=-1, keepdims=True), 1e-9)
  y = tf.linalg.cross(z, x)
  R = tf.stack([x, y, z], axis=-2)
  if roll_rad is not None:
    R = tf.linalg.matmul(rotation_z(tf.cast(roll_rad, eye.dtype)), R)
  return R


def is_rotation(R, atol: float = 1e-4) -> np.ndarray:
  """Whether each [..., 3, 3] matrix is a proper rotation (numpy, eager).

  Returns a boolean array of the batch shape: R R^T = I and det R = +1 within
  `atol`.
  """
  R = np.asarray(R, np.float64)
  eye = np.eye(3)
  orth = np.abs(R @ np.swapaxes(R, -1, -2) - eye).max(axis=(-1, -2)) <= atol
  det = np.abs(np.linalg.det(R) - 1.0) <= atol
  return orth & det & np.isfinite(R).all(axis=(-1, -2))


def rotation_angle_deg(R) -> float:
  """Angle of one rotation [3, 3] about its axis, degrees in [0, 180] (numpy).

  From trace(R) = 1 + 2 cos(angle); the cosine is clipped to [-1, 1] so that
  rounding near 0 or 180 degrees gives no NaN.
  """
  R = np.asarray(R, np.float64)
  return float(np.degrees(np.arccos(np.clip((np.trace(R) - 1) / 2, -1, 1))))


def check_rotation(R, name: str = 'R', atol: float = 1e-4) -> np.ndarray:
  """Returns R as float64 numpy, or raises ArgumentError naming `name`."""
  R = np.asarray(R, np.float64)
  if R.shape[-2:] != (3, 3):
    raise ArgumentError(f'{name} must have shape [..., 3, 3], got {R.shape}')
  ok = is_rotation(R, atol)
  if not np.all(ok):
    raise ArgumentError(
        f'{name} is not a rotation matrix (needs R R^T = I and det R = 1 '
        f'within {atol})')
  return R

"""Network units: normalised 2D keypoints and scaled 3D pose targets.

Two conventions shared by every regressor and the trainer:

- 2D input (Baseline#1, Regression#2): keypoints are root-centred (pelvis
  at 0) and divided by the side of the person's bounding square, the same
  square (`skeleton_maps.crop_square`, same margin) that the skeleton maps
  are drawn in. Position and scale in the image are thus removed, and the
  normalised 2D keypoints carry exactly the information of a skeleton map
  (up to rasterisation), so Baseline#1 and the G-based regressors see the
  same input. Values lie in about [-1, 1] / (1 + margin): every joint is
  inside the square and the pelvis is inside the bounding box.
- 3D targets: root-relative poses in mm divided by `POSE_SCALE_MM` = 1000,
  i.e. in metres. A person's joints are within about 1 m of the pelvis, so
  targets are O(1), which suits default initialisers and Adam's step size,
  and an L2 loss of 1e-3 is an RMS error of about 32 mm per coordinate.

It also holds the paper's n(.), which scales a latent point set to unit norm
(used by the consistency loss and by an encoder's optional latent scaling).
"""

from __future__ import annotations

from typing import Optional

import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import joints
from geo_rep_tf.geometry import skeleton_maps

# One network unit of 3D pose is this many millimetres.
POSE_SCALE_MM = 1000.0
# n(.) of a point set whose squared norm is below this returns ~0 instead of
# dividing by ~0.
_NORM_EPS = 1e-12


def _check_shape(tensor, channels: int, arg_name: str):
  shape = tensor.shape
  if shape.rank is not None:
    if shape.rank < 2 or not shape[-2:].is_compatible_with(
        [joints.NUM_JOINTS, channels]):
      raise ArgumentError(
          f'{arg_name} must have shape [..., {joints.NUM_JOINTS}, '
          f'{channels}], got {shape}')


def _as_float(tensor):
  tensor = tf.convert_to_tensor(tensor)
  if not tensor.dtype.is_floating:
    tensor = tf.cast(tensor, tf.float32)
  return tensor


def normalize_keypoints_2d(keypoints_px, margin: float = 0.2,
                           root_index: int = 0, name: Optional[str] = None):
  """Root-centres 2D keypoints and divides them by the crop square's side.

  Invariant to translating and (uniformly) scaling the keypoints in the
  image, except for skeletons so small that the square is clamped to
  `skeleton_maps.MIN_SIDE_PX` (a collapsed skeleton maps to all zeros
  instead of dividing by zero).

  Args:
    keypoints_px: [A1, ..., An, 16, 2] float (ints are cast to float32),
      image pixels (x, y), model joint order.
    margin: relative enlargement of the bounding square, as in
      `skeleton_maps.skeleton_maps`; use the same value as the maps.
    root_index: joint that is moved to the origin (the pelvis).
    name: op name scope.

  Returns:
    [A1, ..., An, 16, 2] float, unitless (fractions of the square's side),
    root joint at (0, 0).
  """
  with tf.name_scope(name or 'normalize_keypoints_2d'):
    keypoints_px = _as_float(keypoints_px)
    _check_shape(keypoints_px, 2, 'keypoints_px')
    _, side = skeleton_maps.crop_square(keypoints_px, margin)
    centred = joints.root_center(keypoints_px, root_index)
    return centred / side[..., None, None]


def pose_to_target(pose_3d_mm, root_index: int = 0,
                   name: Optional[str] = None):
  """3D pose in mm -> regression target in network units.

  The pose is root-centred first, so an absolute pose is accepted too;
  `target_to_pose(pose_to_target(p))` equals `root_center(p)`.

  Args:
    pose_3d_mm: [A1, ..., An, 16, 3] float, mm, camera frame.
    root_index: joint that is moved to the origin (the pelvis).
    name: op name scope.

  Returns:
    [A1, ..., An, 16, 3] float, network units (mm / `POSE_SCALE_MM`),
    root joint at 0.
  """
  with tf.name_scope(name or 'pose_to_target'):
    pose_3d_mm = _as_float(pose_3d_mm)
    _check_shape(pose_3d_mm, 3, 'pose_3d_mm')
    centred = joints.root_center(pose_3d_mm, root_index)
    return centred * tf.cast(1.0 / POSE_SCALE_MM, centred.dtype)


def target_to_pose(y, name: Optional[str] = None):
  """Network output -> root-relative 3D pose in mm.

  Args:
    y: [A1, ..., An, 16, 3] float, network units (e.g. a regressor's
      'pose_3d').
    name: op name scope.

  Returns:
    [A1, ..., An, 16, 3] float, mm, same frame as the targets (root-relative,
    camera frame). Not re-centred: a model's root error stays visible.
  """
  with tf.name_scope(name or 'target_to_pose'):
    y = _as_float(y)
    _check_shape(y, 3, 'y')
    return y * tf.cast(POSE_SCALE_MM, y.dtype)


def normalize_points(points, centre: bool = False):
  """n(.): scales each point set to unit Frobenius norm.

  By default only scale, no centring (the paper's n(.)). With `centre`, each
  set's centroid is subtracted first, so that a constant offset shared by
  all sets (which rotations about one axis leave unchanged) cannot dominate
  a comparison of two sets. A set of (near) zero norm maps to ~0 with a
  finite gradient.

  Args:
    points: [..., M, 3] float; each [M, 3] set is scaled on its own.
    centre: subtract each set's centroid before scaling.

  Returns:
    [..., M, 3] float, each [M, 3] set with norm 1 (and, with `centre`,
    centroid 0).
  """
  points = tf.convert_to_tensor(points)
  if centre:
    points = points - tf.reduce_mean(points, axis=-2, keepdims=True)
  sq_norm = tf.reduce_sum(tf.square(points), axis=[-2, -1], keepdims=True)
  return points * tf.math.rsqrt(tf.maximum(sq_norm, _NORM_EPS))

"""Pinhole camera with Human3.6M distortion; the Human3.6M rig.

Conventions (those of ../shared/data/cameras/h36m_cameras.json):
  * world: mm, Z up; camera: x right, y down, z forward (optical axis);
  * extrinsics `X_cam = R_w2c @ X_world + t_mm` with `t_mm = -R_w2c @ C_mm`;
  * projection: `x = X_cam[:2] / X_cam[2]`, `r2 = |x|^2`,
    `radial = 1 + k1 r2 + k2 r2^2 + k3 r2^3`, `tan = px x0 + py x1`,
    `x_d = x (radial + tan) + [px, py] r2`, `uv = f x_d + c` (pixels).
    This is Human3.6M's own model (VideoPose3D), not OpenCV's.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry import rotations

DEFAULT_RIG_PATH = os.path.join(os.path.dirname(__file__), 'h36m_cameras.json')
TRAIN_SUBJECTS = ('S1', 'S5', 'S6', 'S7', 'S8')
TEST_SUBJECTS = ('S9', 'S11')
_MIN_DEPTH_MM = 1e-3


def world_to_camera(points_world_mm, R_w2c, t_mm):
  """World -> camera frame.

  Args:
    points_world_mm: [..., N, 3] points in world mm.
    R_w2c: [..., 3, 3] world-to-camera rotation.
    t_mm: [..., 3] translation (`-R_w2c @ C`).

  Returns:
    [..., N, 3] points in the camera frame, mm.
  """
  points_world_mm = tf.convert_to_tensor(points_world_mm)
  t = tf.cast(t_mm, points_world_mm.dtype)
  return rotations.rotate_points(
      tf.cast(R_w2c, points_world_mm.dtype), points_world_mm) + t[..., None, :]


def camera_to_world(points_cam_mm, R_w2c, t_mm):
  """Camera -> world frame, the inverse of `world_to_camera`. Shapes alike."""
  points_cam_mm = tf.convert_to_tensor(points_cam_mm)
  R = tf.cast(R_w2c, points_cam_mm.dtype)
  t = tf.cast(t_mm, points_cam_mm.dtype)
  # X_w = R^T (X_c - t); as row vectors: (X_c - t) @ R.
  return tf.linalg.matmul(points_cam_mm - t[..., None, :], R)


def distort(xy, k, p):
  """Applies Human3.6M distortion to normalised image coordinates.

  Args:
    xy: [..., N, 2] normalised coordinates (X/Z, Y/Z).
    k: [..., 3] radial coefficients k1, k2, k3.
    p: [..., 2] tangential coefficients [px, py].

  Returns:
    [..., N, 2] distorted normalised coordinates.
  """
  xy = tf.convert_to_tensor(xy)
  k = tf.cast(k, xy.dtype)[..., None, :]
  p = tf.cast(p, xy.dtype)[..., None, :]
  r2 = tf.reduce_sum(tf.square(xy), axis=-1, keepdims=True)
  radial = 1.0 + k[..., 0:1] * r2 + k[..., 1:2] * r2**2 + k[..., 2:3] * r2**3
  tan = tf.reduce_sum(p * xy, axis=-1, keepdims=True)
  return xy * (radial + tan) + p * r2


def undistort(xy_distorted, k, p, iterations: int = 20):
  """Inverts `distort` by fixed-point iteration (exact for k = p = 0).

  Args:
    xy_distorted: [..., N, 2] distorted normalised coordinates.
    k: [..., 3] radial coefficients.
    p: [..., 2] tangential coefficients [px, py].
    iterations: fixed-point steps; 20 give < 1e-6 error inside the
      Human3.6M field of view.

  Returns:
    [..., N, 2] undistorted normalised coordinates.
  """
  xy_d = tf.convert_to_tensor(xy_distorted)
  kk = tf.cast(k, xy_d.dtype)[..., None, :]
  pp = tf.cast(p, xy_d.dtype)[..., None, :]
  xy = xy_d
  for _ in range(iterations):
    r2 = tf.reduce_sum(tf.square(xy), axis=-1, keepdims=True)
    radial = 1.0 + kk[..., 0:1] * r2 + kk[..., 1:2] * r2**2 + kk[..., 2:3] * r2**3
    tan = tf.reduce_sum(pp * xy, axis=-1, keepdims=True)
    xy = (xy_d - pp * r2) / (radial + tan)
  return xy


def project(points_cam_mm, f, c, k=None, p=None):
  """Projects camera-frame points to pixels.

  Args:
    points_cam_mm: [..., N, 3] points in the camera frame (mm), z > 0.
    f: [..., 2] focal lengths (px).
    c: [..., 2] principal point (px).
    k: optional [..., 3] radial distortion.
    p: optional [..., 2] tangential distortion [px, py].

  Returns:
    [..., N, 2] pixel coordinates. Depths are clamped at 1e-3 mm so that the
    division is always finite; callers filter points behind the camera.
  """
  points_cam_mm = tf.convert_to_tensor(points_cam_mm)
  dtype = points_cam_mm.dtype
  z = tf.maximum(points_cam_mm[..., 2:3], _MIN_DEPTH_MM)
  xy = points_cam_mm[..., :2] / z
  if k is not None:
    xy = distort(xy, k, p if p is not None else tf.zeros_like(
        tf.cast(k, dtype)[..., :2]))
  return xy * tf.cast(f, dtype)[..., None, :] + tf.cast(c, dtype)[..., None, :]


def backproject(uv_px, depth_mm, f, c, k=None, p=None):
  """Pixels and depths -> camera-frame points; the inverse of `project`.

  Args:
    uv_px: [..., N, 2] pixel coordinates.
    depth_mm: [..., N] depth (camera z) of each point, mm.
    f, c, k, p: as in `project`.

  Returns:
    [..., N, 3] points in the camera frame, mm.
  """
  uv_px = tf.convert_to_tensor(uv_px)
  dtype = uv_px.dtype
  xy = (uv_px - tf.cast(c, dtype)[..., None, :]) / tf.cast(f, dtype)[..., None, :]
  if k is not None:
    xy = undistort(xy, k, p if p is not None else tf.zeros_like(
        tf.cast(k, dtype)[..., :2]))
  depth = tf.cast(depth_mm, dtype)[..., None]
  return tf.concat([xy * depth, depth], axis=-1)


@dataclasses.dataclass(frozen=True)
class CameraRig:
  """A calibrated multi-camera rig (numpy arrays, float64).

  Attributes:
    camera_ids: [C] camera serials.
    f, c: [C, 2] focal length and principal point, px.
    k: [C, 3] radial distortion; p: [C, 2] tangential [px, py].
    resolution: [C, 2] image width and height, px.
    subjects: names of the calibrated subjects (sessions).
    R_w2c: [S, C, 3, 3]; t_mm: [S, C, 3]; C_mm: [S, C, 3] camera centres.
  """
  camera_ids: Tuple[str, ...]
  f: np.ndarray
  c: np.ndarray
  k: np.ndarray
  p: np.ndarray
  resolution: np.ndarray
  subjects: Tuple[str, ...]
  R_w2c: np.ndarray
  t_mm: np.ndarray
  C_mm: np.ndarray

  @property
  def num_cameras(self) -> int:
    return len(self.camera_ids)

  def subject_index(self, subject: str) -> int:
    if subject not in self.subjects:
      raise DataError(f'subject {subject!r} not in the rig; known: '
                      f'{", ".join(self.subjects)}')
    return self.subjects.index(subject)

  def cameras(self, subject: str) -> Dict[str, np.ndarray]:
    """All camera parameters of one subject's session, each [C, ...]."""
    s = self.subject_index(subject)
    return dict(R_w2c=self.R_w2c[s], t_mm=self.t_mm[s], f=self.f, c=self.c,
                k=self.k, p=self.p, resolution=self.resolution)


def _field(d, key, path, where):
  try:
    return d[key]
  except (KeyError, TypeError):
    raise DataError(f'missing field {where}{key}', path) from None


def _array(value, shape, path, field):
  try:
    a = np.asarray(value, np.float64)
  except (TypeError, ValueError):
    raise DataError(f'field {field} is not numeric', path) from None
  if a.shape != shape:
    raise DataError(f'field {field} has shape {a.shape}, expected {shape}', path)
  if not np.all(np.isfinite(a)):
    raise DataError(f'field {field} is not finite', path)
  return a


def load_rig(path: Optional[str] = None,
             subjects: Optional[Sequence[str]] = None) -> CameraRig:
  """Reads a rig in the layout of h36m_cameras.json.

  Args:
    path: the JSON file; default: the Human3.6M calibration shipped with the
      package (numbers from VideoPose3D / mmpose, see the file's description).
    subjects: which subjects to keep (default: all in the file, sorted as
      S1..S11).

  Returns:
    A CameraRig.

  Raises:
    DataError: naming the file and the field for a missing file, a missing or
      malformed field, or extrinsics that are not rotations.
  """
  path = path or DEFAULT_RIG_PATH
  try:
    with open(path) as fh:
      data = json.load(fh)
  except OSError as e:
    raise DataError(f'cannot read camera file: {e.strerror}', path) from None
  except json.JSONDecodeError as e:
    raise DataError(f'invalid JSON: {e.msg}', path, e.lineno) from None
  intr = _field(data, 'intrinsics', path, '')
  if not isinstance(intr, dict) or not intr:
    raise DataError('field intrinsics must be a non-empty object', path)
  ids = sorted(intr, key=lambda cid: intr[cid].get('index', 0)
               if isinstance(intr[cid], dict) else 0)
  f, c, k, p, res = [], [], [], [], []
  for cid in ids:
    where = f'intrinsics.{cid}.'
    cam = intr[cid]
    f.append(_array(_field(cam, 'f', path, where), (2,), path, where + 'f'))
    c.append(_array(_field(cam, 'c', path, where), (2,), path, where + 'c'))
    k.append(_array(_field(cam, 'k', path, where), (3,), path, where + 'k'))
    p.append(_array(_field(cam, 'p_xy', path, where), (2,), path,
                    where + 'p_xy'))
    res.append(_array([_field(cam, 'res_w', path, where),
                       _field(cam, 'res_h', path, where)], (2,), path,
                      where + 'res_w/res_h'))
  ext = _field(data, 'extrinsics', path, '')
  if not isinstance(ext, dict):
    raise DataError('field extrinsics must be an object', path)
  names = list(subjects) if subjects is not None else sorted(
      ext, key=lambda s: (len(s), s))
  R, t, C = [], [], []
  for s in names:
    sess = _field(ext, s, path, 'extrinsics.')
    Rs, ts, Cs = [], [], []
    for cid in ids:
      where = f'extrinsics.{s}.{cid}.'
      cam = _field(sess, cid, path, f'extrinsics.{s}.')
      r = _array(_field(cam, 'R_w2c', path, where), (3, 3), path,
                 where + 'R_w2c')
      if not rotations.is_rotation(r, 1e-5):
        raise DataError(f'field {where}R_w2c is not a rotation matrix', path)
      Rs.append(r)
      ts.append(_array(_field(cam, 't_mm', path, where), (3,), path,
                       where + 't_mm'))
      Cs.append(_array(_field(cam, 'C_mm', path, where), (3,), path,
                       where + 'C_mm'))
    R.append(Rs), t.append(ts), C.append(Cs)
  return CameraRig(
      camera_ids=tuple(ids), f=np.stack(f), c=np.stack(c), k=np.stack(k),
      p=np.stack(p), resolution=np.stack(res), subjects=tuple(names),
      R_w2c=np.asarray(R), t_mm=np.asarray(t), C_mm=np.asarray(C))

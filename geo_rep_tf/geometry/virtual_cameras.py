"""Virtual camera pairs around the subject (paper section 3.1).

Pairs of cameras are drawn around a target point (the pelvis): azimuth over
the full circle, elevation in a band, distance in a range and a small roll,
each camera looking at the target. Sampling is stateless: the same seed gives
the same cameras, eagerly, in `tf.function` and inside `tf.data`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Dict, Tuple

import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import rotations


@dataclasses.dataclass(frozen=True)
class VirtualCameraConfig:
  """Ranges of the virtual-camera sampler.

  Attributes:
    elevation_deg: (low, high) angle of the camera above the target's
      horizontal plane; Human3.6M's cameras sit at about 5-15 degrees.
    distance_mm: (low, high) distance from the target.
    roll_deg: maximum absolute roll about the optical axis.
    f_px, c_px: pinhole intrinsics of the virtual cameras (no distortion);
      defaults are the mean Human3.6M values for a 1000x1000 image.
  """
  elevation_deg: Tuple[float, float] = (-5.0, 30.0)
  distance_mm: Tuple[float, float] = (3500.0, 6500.0)
  roll_deg: float = 5.0
  f_px: Tuple[float, float] = (1147.0, 1146.0)
  c_px: Tuple[float, float] = (512.0, 508.0)

  def __post_init__(self):
    lo, hi = self.elevation_deg
    if not -89.0 <= lo <= hi <= 89.0:
      raise ArgumentError(f'elevation_deg must satisfy -89 <= low <= high <= '
                          f'89, got {self.elevation_deg}')
    lo, hi = self.distance_mm
    if not 0.0 < lo <= hi:
      raise ArgumentError(
          f'distance_mm must satisfy 0 < low <= high, got {self.distance_mm}')
    if not 0.0 <= self.roll_deg < 90.0:
      raise ArgumentError(f'roll_deg must be in [0, 90), got {self.roll_deg}')


def sample_camera_pairs(seed, target_world_mm,
                        config: VirtualCameraConfig = VirtualCameraConfig()
                        ) -> Dict[str, tf.Tensor]:
  """Draws one pair of virtual cameras per target point.

  Args:
    seed: [2] int32/int64 stateless seed.
    target_world_mm: [B, 3] float32 point each pair looks at (world mm, Z up).
    config: sampling ranges.

  Returns:
    A dict of float32 tensors:
      'R_w2c': [B, 2, 3, 3] world-to-camera rotations of cameras i and j;
      't_mm': [B, 2, 3] translations (X_cam = R X_world + t);
      'center_mm': [B, 2, 3] camera centres in world mm;
      'R_rel': [B, 3, 3] R_{i->j} = R_j R_i^T;
      'f', 'c': [B, 2, 2] intrinsics (px).
  """
  target = tf.cast(tf.convert_to_tensor(target_world_mm), tf.float32)
  b = tf.shape(target)[0]
  seeds = tf.random.experimental.stateless_split(
      tf.cast(seed, tf.int64), num=4)
  shape = tf.stack([b, 2])
  deg = math.pi / 180.0
  azimuth = tf.random.stateless_uniform(shape, seeds[0], 0.0, 2.0 * math.pi)
  elevation = tf.random.stateless_uniform(
      shape, seeds[1], config.elevation_deg[0] * deg,
      config.elevation_deg[1] * deg)
  distance = tf.random.stateless_uniform(shape, seeds[2], *config.distance_mm)
  roll = tf.random.stateless_uniform(shape, seeds[3], -config.roll_deg * deg,
                                     config.roll_deg * deg)
  direction = tf.stack([tf.cos(elevation) * tf.cos(azimuth),
                        tf.cos(elevation) * tf.sin(azimuth),
                        tf.sin(elevation)], axis=-1)
  # Shape = [B, 2, 3].
  target2 = tf.broadcast_to(target[:, None, :], tf.shape(direction))
  eye = target2 + distance[..., None] * direction
  R = rotations.look_at(eye, target2, roll_rad=roll)
  t = -tf.linalg.matvec(R, eye)
  ones = tf.ones(shape, tf.float32)[..., None]
  return {
      'R_w2c': R,
      't_mm': t,
      'center_mm': eye,
      'R_rel': rotations.relative_rotation(R[:, 0], R[:, 1]),
      'f': ones * tf.constant(config.f_px, tf.float32),
      'c': ones * tf.constant(config.c_px, tf.float32),
  }

"""Latent interpolation (paper Fig. 4): G_t = (1 - t) G_A + t G_B.

Each G_t is decoded by psi (with R = I: the input view) into a skeleton map
and, given a regressor on G, regressed to a 3D pose. A smooth path of maps
and poses shows a latent space organised by pose geometry.
"""

from __future__ import annotations

from typing import Dict, Optional

import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import skeleton_maps

DEFAULT_MARGIN = 0.2


def interpolate(a, b, steps: int):
  """Linear path from `a` to `b`, both ends included.

  Args:
    a, b: [...] arrays of one shape.
    steps: K >= 2 points.

  Returns:
    [K, ...]: (1 - t) a + t b for t = 0, 1/(K-1), ..., 1.
  """
  if steps < 2:
    raise ArgumentError(f'steps must be >= 2, got {steps}')
  a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
  if a.shape != b.shape:
    raise ArgumentError(f'a and b shapes differ: {a.shape} vs {b.shape}')
  t = np.linspace(0.0, 1.0, steps, dtype=np.float32).reshape(
      (steps,) + (1,) * a.ndim)
  return (1.0 - t) * a + t * b


def draw_maps(representation, keypoints_px, margin: float = DEFAULT_MARGIN):
  """Skeleton maps [B, S, S, 15] of keypoints [B, 16, 2], drawn the way the
  representation was trained (its map size and, when it has one, sigma)."""
  kwargs = {}
  sigma = getattr(representation, 'map_sigma', 0.0)
  if sigma:
    kwargs['sigma'] = sigma
  return skeleton_maps.skeleton_maps(
      tf.convert_to_tensor(keypoints_px, tf.float32),
      size=representation.map_size, margin=margin, **kwargs)


def regress_latents(lifter, latents, keypoints_2d_px=None):
  """3D poses from latents with a lifter's regressor (not its encoder).

  The latents go through what the lifter does to G before its regressor
  (its standardisation, if any).

  Args:
    lifter: a `PoseLifter` whose regressor reads G ('regression1', or
      'regression2_g', which also reads normalised 2D).
    latents: [K, M, 3].
    keypoints_2d_px: [K, 16, 2], needed by regressors that also read 2D
      (an interpolation of the two inputs' keypoints).

  Returns:
    [K, 16, 3] root-relative poses, mm.
  """
  if not lifter.uses_latent:
    raise ArgumentError(f'regressor {lifter.regressor_type!r} does not read '
                        'G; give a regression1 or regression2_g run')
  inputs = {'latent': tf.convert_to_tensor(latents, tf.float32)}
  if lifter.uses_2d:
    if keypoints_2d_px is None:
      raise ArgumentError(f'regressor {lifter.regressor_type!r} also reads '
                          '2D: give keypoints_2d_px')
    inputs['keypoints_2d_px'] = tf.convert_to_tensor(keypoints_2d_px,
                                                     tf.float32)
  return lifter(inputs, training=False)['pose_3d_mm'].numpy()


def interpolation_row(representation, keypoints_ab, steps: int,
                      lifter=None, label: str = '',
                      margin: Optional[float] = None) -> Dict:
  """One row of Fig. 4: decoded maps (and 3D poses) along G_A -> G_B.

  Args:
    representation: a trained `ViewSynthesis` (phi encodes, psi decodes).
    keypoints_ab: [2, 16, 2] keypoints (px) of poses A and B.
    steps: K interpolation points, ends included.
    lifter: optional `PoseLifter` on G; its representation should be
      `representation` (the poses are meaningless otherwise).
    label: the row's name.
    margin: crop margin (None: the lifter's, else 0.2).

  Returns:
    dict with 'label', 'inputs' [2, S, S, 15] (input maps), 'latents'
    [K, M, 3], 'maps' [K, S, S, 15] (psi(G_t)), and with a lifter
    'poses_mm' [K, 16, 3].
  """
  kp = np.asarray(keypoints_ab, np.float32)
  if kp.shape != (2, 16, 2):
    raise ArgumentError(f'keypoints_ab must be [2, 16, 2], got {kp.shape}')
  if margin is None:
    margin = lifter.map_margin if lifter is not None else DEFAULT_MARGIN
  inputs = draw_maps(representation, kp, margin)
  g = representation.encode(inputs, training=False).numpy()
  latents = interpolate(g[0], g[1], steps)
  maps = representation.psi(tf.constant(latents), training=False)['map']
  row = dict(label=label, inputs=inputs.numpy(), latents=latents,
             maps=maps.numpy())
  if lifter is not None:
    row['poses_mm'] = regress_latents(lifter, latents,
                                      interpolate(kp[0], kp[1], steps))
  return row


def most_different(poses_mm: np.ndarray, first: int = 0) -> int:
  """Index of the root-relative pose [N, 16, 3] farthest (MPJPE) from
  `poses_mm[first]`: a default pose B that differs visibly from A."""
  poses = np.asarray(poses_mm, np.float64)
  poses = poses - poses[:, :1]
  err = np.linalg.norm(poses - poses[first], axis=-1).mean(-1)
  return int(np.argmax(err))

"""Latent interpolation (paper Fig. 4): G_t = (1 - t) G_A + t G_B.

Each G_t is decoded by psi (with R = I: the input view) into a skeleton map
and, given a regressor on G, regressed to a 3D pose. A smooth path of maps
and poses shows a latent space organised by pose geometry. Unlike the other
experiments it trains nothing: it reads trained runs (tools/interpolate.py)
and draws one PNG strip (`plot_interpolation`).
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import skeleton_maps
from geo_rep_tf.geometry.joints import BONES
# Importing viz also selects the Agg backend before the first figure.
from geo_rep_tf.viz import figures, skeletons

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


def _draw_pose_3d(ax, pose_mm: np.ndarray, lim: float) -> None:
  # Camera frame (x right, y down, z forward) drawn with up = -y.
  colors = skeletons.bone_colors()
  for b, (p, c) in enumerate(BONES):
    ax.plot(pose_mm[[p, c], 0], pose_mm[[p, c], 2], -pose_mm[[p, c], 1],
            color=colors[b], lw=1.5)
  ax.set_xlim(-lim, lim), ax.set_ylim(-lim, lim), ax.set_zlim(-lim, lim)
  ax.set_xticks([]), ax.set_yticks([]), ax.set_zticks([])
  ax.view_init(elev=10, azim=-80)


def plot_interpolation(rows: Sequence[Mapping], path: str) -> None:
  """Fig. 4: per row, decoded maps and (optionally) 3D poses along a path.

  Args:
    rows: dicts with 'label' (str), 'maps' [K, S, S, 15] decoded skeleton
      maps, optional 'poses_mm' [K, 16, 3] regressed root-relative poses,
      optional 'inputs' [2, S, S, 15] the two input maps (drawn at the ends).
    path: PNG written.
  """
  if not rows:
    raise ValueError('rows must not be empty')
  k = len(rows[0]['maps'])
  has_inputs = any('inputs' in r for r in rows)
  cols = k + (2 if has_inputs else 0)
  lines = []
  for r in rows:
    lines.append(('map', r))
    if r.get('poses_mm') is not None:
      lines.append(('pose', r))
  fig = plt.figure(figsize=(1.5 * cols, 1.6 * len(lines) + 0.4))
  lim = max([float(np.abs(r['poses_mm']).max()) for r in rows
             if r.get('poses_mm') is not None] + [1.0])
  for li, (what, r) in enumerate(lines):
    for step in range(cols):
      s = step - 1 if has_inputs else step
      index = li * cols + step + 1
      if what == 'map':
        ax = fig.add_subplot(len(lines), cols, index)
        if has_inputs and step in (0, cols - 1):
          if 'inputs' in r:
            ax.imshow(skeletons.map_to_rgb(r['inputs'][0 if step == 0 else 1]))
          ax.set_title('input A' if step == 0 else 'input B', fontsize=7)
        else:
          ax.imshow(skeletons.map_to_rgb(r['maps'][s]))
          ax.set_title(f't={s / max(k - 1, 1):.2f}', fontsize=7)
        ax.set_xticks([]), ax.set_yticks([])
        if step == 0:
          ax.set_ylabel(r['label'], fontsize=7)
      elif not (has_inputs and step in (0, cols - 1)):
        ax = fig.add_subplot(len(lines), cols, index, projection='3d')
        _draw_pose_3d(ax, np.asarray(r['poses_mm'][s]), lim)
  fig.suptitle('Latent interpolation: decoded skeleton maps psi(G_t) and '
               'regressed 3D poses', fontsize=9)
  figures.save_figure(fig, path)

"""Figure of the latent interpolation (Fig. 4).

Matplotlib (Agg) only; each function writes one PNG atomically
(`drawing.save_figure`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from geo_rep_tf.geometry.joints import BONES
from geo_rep_tf.inference import drawing
from geo_rep_tf.inference.drawing import plt


def _draw_pose_3d(ax, pose_mm: np.ndarray, lim: float) -> None:
  # Camera frame (x right, y down, z forward) drawn with up = -y.
  colors = drawing.bone_colors()
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
            ax.imshow(drawing.map_to_rgb(r['inputs'][0 if step == 0 else 1]))
          ax.set_title('input A' if step == 0 else 'input B', fontsize=7)
        else:
          ax.imshow(drawing.map_to_rgb(r['maps'][s]))
          ax.set_title(f't={s / max(k - 1, 1):.2f}', fontsize=7)
        ax.set_xticks([]), ax.set_yticks([])
        if step == 0:
          ax.set_ylabel(r['label'], fontsize=7)
      elif not (has_inputs and step in (0, cols - 1)):
        ax = fig.add_subplot(len(lines), cols, index, projection='3d')
        _draw_pose_3d(ax, np.asarray(r['poses_mm'][s]), lim)
  fig.suptitle('Latent interpolation: decoded skeleton maps psi(G_t) and '
               'regressed 3D poses', fontsize=9)
  drawing.save_figure(fig, path)

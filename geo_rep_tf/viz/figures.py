"""Multi-panel figures (view pairs, map triplets, loss curves, 3D poses).

Each `plot_*` function returns a matplotlib figure; `save_figure` writes one
as a PNG atomically and `figure_to_png` encodes one in memory. Both close the
figure.
"""

from __future__ import annotations

import io
from typing import Dict, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np

from geo_rep_tf.geometry.joints import BONES
from geo_rep_tf.geometry.rotations import rotation_angle_deg
from geo_rep_tf.utils.files import atomic_path
from geo_rep_tf.viz.skeletons import draw_skeleton_2d, map_to_rgb


def save_figure(fig, path: str) -> None:
  """Saves a matplotlib figure as PNG via a temporary file, then closes it."""
  with atomic_path(path) as tmp:
    fig.savefig(tmp, format='png', dpi=110, bbox_inches='tight')
  plt.close(fig)


def figure_to_png(fig, dpi: int = 80) -> bytes:
  """The PNG bytes of a matplotlib figure (at `dpi`); closes the figure."""
  buf = io.BytesIO()
  fig.savefig(buf, format='png', dpi=dpi)
  plt.close(fig)
  return buf.getvalue()


def plot_view_pairs(pose_world_mm: np.ndarray, rows: Sequence[Dict],
                    title: str = '') -> 'plt.Figure':
  """One pose seen by camera pairs: a row per pair.

  Args:
    pose_world_mm: [16, 3] world mm (Z up).
    rows: dicts with 'label', 'centers_mm' [2, 3] camera centres,
      'keypoints_px' [2, 16, 2], 'image_size' (w, h), 'maps' [2, S, S, 15],
      'R_rel' [3, 3].
    title: figure title.

  Returns:
    The figure: top view of the pose and cameras, the two images' 2D
    skeletons, the two skeleton maps, and R_i->j.
  """
  fig, axes = plt.subplots(len(rows), 6, figsize=(19, 3.4 * len(rows)),
                           squeeze=False)
  for r, row in enumerate(rows):
    ax = axes[r, 0]
    ax.scatter(pose_world_mm[:, 0], pose_world_mm[:, 1], s=4, c='k')
    for k, (cx, cy, _) in enumerate(row['centers_mm']):
      ax.plot([cx, pose_world_mm[0, 0]], [cy, pose_world_mm[0, 1]], ':',
              color='gray')
      ax.scatter([cx], [cy], marker='s', s=40, c=['tab:orange', 'tab:purple'][k])
      ax.annotate('ij'[k], (cx, cy), textcoords='offset points', xytext=(4, 4))
    ax.set_aspect('equal')
    ax.set_title(f'{row["label"]}: top view (mm)', fontsize=9)
    w, h = row['image_size']
    for k in range(2):
      ax = axes[r, 1 + k]
      draw_skeleton_2d(ax, row['keypoints_px'][k])
      ax.set_xlim(0, w)
      ax.set_ylim(h, 0)
      ax.set_aspect('equal')
      ax.set_title(f'camera {"ij"[k]}: 2D (px)', fontsize=9)
      ax = axes[r, 3 + k]
      ax.imshow(map_to_rgb(row['maps'][k]), interpolation='nearest')
      ax.set_title(f'S_{"ij"[k]}: skeleton map {row["maps"][k].shape[0]}px',
                   fontsize=9)
      ax.axis('off')
    ax = axes[r, 5]
    ax.axis('off')
    R = np.asarray(row['R_rel'])
    text = '\n'.join(' '.join(f'{v:+.3f}' for v in line) for line in R)
    ax.text(0.0, 0.5, f'R_i->j = R_j R_i^T\n\n{text}\n\nangle '
            f'{rotation_angle_deg(R):.1f} deg', family='monospace',
            fontsize=10, va='center')
  if title:
    fig.suptitle(title)
  fig.tight_layout()
  return fig


def plot_training_curves(curves: Dict[str, Dict[str, tuple]],
                         tags: Sequence[str], title: str = ''):
  """Loss curves of several runs/splits, one panel per tag.

  Args:
    curves: label (e.g. 'train', 'test') -> {tag: (steps, values)}.
    tags: the tags to draw, one panel each (missing ones are skipped).
    title: figure title.

  Returns:
    the matplotlib figure.
  """
  tags = [t for t in tags if any(t in c for c in curves.values())]
  fig, axes = plt.subplots(1, max(len(tags), 1),
                           figsize=(4.2 * max(len(tags), 1), 3.4),
                           squeeze=False)
  for ax, tag in zip(axes[0], tags):
    for label, c in curves.items():
      if tag in c:
        steps, values = c[tag]
        ax.plot(steps, values, marker='o' if len(steps) < 20 else None,
                ms=3, label=label)
    ax.set_title(tag, fontsize=9)
    ax.set_xlabel('step')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
  if title:
    fig.suptitle(title, fontsize=10)
  fig.tight_layout()
  return fig


def plot_map_triplets(source: np.ndarray, target: np.ndarray,
                      synthesized: np.ndarray,
                      angles_deg: Optional[Sequence[float]] = None,
                      title: str = ''):
  """Rows of source | true target | synthesised target skeleton maps.

  Args:
    source, target, synthesized: [K, S, S, 15] maps in [0, 1].
    angles_deg: optional rotation angle of R_i->j per row, for the labels.
    title: figure title.

  Returns:
    the matplotlib figure.
  """
  k = len(source)
  fig, axes = plt.subplots(k, 3, figsize=(6.0, 2.0 * k), squeeze=False)
  names = ('source S_i', 'true target S_j', 'synthesised S^_j')
  for r in range(k):
    for c, maps in enumerate((source, target, synthesized)):
      ax = axes[r, c]
      ax.imshow(map_to_rgb(np.clip(maps[r], 0.0, 1.0)))
      ax.set_xticks([])
      ax.set_yticks([])
      if r == 0:
        ax.set_title(names[c], fontsize=9)
    if angles_deg is not None:
      axes[r, 0].set_ylabel(f'R: {angles_deg[r]:.0f} deg', fontsize=8)
  if title:
    fig.suptitle(title, fontsize=10)
  fig.tight_layout()
  return fig


def plot_pose_comparison(pred_mm: np.ndarray, true_mm: np.ndarray,
                         title: str = ''):
  """Predicted (red) vs true (black) root-relative 3D pose on one 3D axis.

  Args:
    pred_mm: [16, 3] predicted pose, mm, camera frame (y down).
    true_mm: [16, 3] true pose, same frame; it sets the axis limits.
    title: axis title.

  Returns:
    the matplotlib figure (3.2 x 3.2 inches).
  """
  fig = plt.figure(figsize=(3.2, 3.2))
  ax = fig.add_subplot(projection='3d')
  for pose, color in ((true_mm, 'k'), (pred_mm, 'tab:red')):
    # Camera frame (y down) drawn with up = -y.
    for p, c in BONES:
      ax.plot(pose[[p, c], 0], pose[[p, c], 2], -pose[[p, c], 1], color=color,
              lw=1.5)
  lim = max(np.abs(true_mm).max(), 1.0)
  ax.set_xlim(-lim, lim), ax.set_ylim(-lim, lim), ax.set_zlim(-lim, lim)
  ax.set_xlabel('x'), ax.set_ylabel('z'), ax.set_zlabel('-y')
  ax.set_title(title, fontsize=8)
  return fig

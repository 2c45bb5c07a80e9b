"""Skeleton pictures: bone colours, colourised skeleton maps, 2D skeletons."""

from __future__ import annotations

import numpy as np

from geo_rep_tf.geometry.joints import BONES, MODEL16


def bone_colors() -> np.ndarray:
  """[15, 3] RGB in [0, 1]: left limbs blue, right limbs red, torso green."""
  colors = []
  for _, child in BONES:
    name = MODEL16.names[child]
    if name.startswith('L_'):
      colors.append((0.15, 0.35, 0.95))
    elif name.startswith('R_'):
      colors.append((0.9, 0.15, 0.15))
    else:
      colors.append((0.1, 0.7, 0.2))
  return np.asarray(colors, np.float32)


def map_to_rgb(skeleton_map: np.ndarray) -> np.ndarray:
  """[H, W, 15] map (values in [0, 1]) -> [H, W, 3] RGB float in [0, 1].

  Each channel is painted in its bone's colour on a white background.
  """
  m = np.clip(np.asarray(skeleton_map, np.float32), 0.0, 1.0)
  colors = bone_colors()
  ink = np.einsum('hwc,ck->hwk', m, colors) / np.maximum(
      m.sum(-1, keepdims=True), 1.0)
  alpha = m.max(-1, keepdims=True)
  return (1.0 - alpha) + alpha * ink


def draw_skeleton_2d(ax, keypoints_px: np.ndarray, **kwargs) -> None:
  """Draws the 16-joint skeleton [16, 2] (pixels) on a matplotlib axis.

  Args:
    ax: matplotlib axis.
    keypoints_px: [16, 2] (x, y) pixels, model joint order.
    **kwargs: 'lw' bone line width (2), 's' joint marker size (6).
  """
  colors = bone_colors()
  for b, (p, c) in enumerate(BONES):
    ax.plot(keypoints_px[[p, c], 0], keypoints_px[[p, c], 1],
            color=colors[b], lw=kwargs.get('lw', 2))
  ax.scatter(keypoints_px[:, 0], keypoints_px[:, 1], s=kwargs.get('s', 6),
             c='k', zorder=3)

"""TensorBoard pictures: skeleton maps, 3D poses, latent point clouds.

Called eagerly by the chief between training loops, under a default
summary writer and step (`writer.as_default(step=...)`).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import tensorflow as tf
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

from geo_rep_tf.geometry.skeleton_maps import rasterize_skeleton
from geo_rep_tf.viz import figures
from geo_rep_tf.viz.skeletons import map_to_rgb


def map_images(name: str, maps, max_outputs: int = 4) -> None:
  """Colourised skeleton maps [B, S, S, 15] as an image summary."""
  maps = np.asarray(maps)[:max_outputs]
  rgb = np.stack([map_to_rgb(m) for m in maps])
  tf.summary.image(name, rgb, max_outputs=max_outputs)


def map_triplets(name: str, source, target, synthesized,
                 max_outputs: int = 4) -> None:
  """Source | target | synthesised maps side by side, one image per example."""
  rows = []
  for s, t, y in list(zip(source, target, synthesized))[:max_outputs]:
    tiles = [map_to_rgb(np.asarray(x)) for x in (s, t, y)]
    sep = np.ones((tiles[0].shape[0], 2, 3), np.float32) * 0.5
    rows.append(np.concatenate([tiles[0], sep, tiles[1], sep, tiles[2]], 1))
  tf.summary.image(name, np.stack(rows), max_outputs=max_outputs,
                   description='source S_i | target S_j | synthesised')


# Canvas of `coords_triplets`: normalised 2D (root at 0, units of the crop
# side, so within about +-0.6) drawn at this many pixels per unit.
_COORDS_CANVAS, _COORDS_SCALE = 96, 75.0


def coords_triplets(name: str, source, target, synthesized,
                    max_outputs: int = 4) -> None:
  """Source | target | synthesised normalised 2D [B, 16, 2] as skeletons.

  The three are drawn on one canvas scale (root at the centre), so their
  sizes compare; see `map_triplets`.
  """
  def draw(coords):
    kp = np.asarray(coords, np.float32)[:max_outputs]
    kp = _COORDS_CANVAS / 2 + _COORDS_SCALE * kp
    return rasterize_skeleton(kp, size=_COORDS_CANVAS).numpy()
  map_triplets(name, draw(source), draw(target), draw(synthesized),
               max_outputs)


def pose_figure(pred_mm: np.ndarray, true_mm: np.ndarray,
                title: str = '') -> np.ndarray:
  """Predicted (red) vs true (black) root-relative 3D pose [16, 3] as RGB.

  Returns:
    [H, W, 3] uint8 picture of `figures.plot_pose_comparison` at 80 dpi.
  """
  png = figures.figure_to_png(
      figures.plot_pose_comparison(pred_mm, true_mm, title), dpi=80)
  return tf.image.decode_png(png, channels=3).numpy()


def pose_images(name: str, pred_mm, true_mm, max_outputs: int = 4) -> None:
  """Predicted vs true 3D poses [B, 16, 3] as an image summary."""
  pred_mm, true_mm = np.asarray(pred_mm), np.asarray(true_mm)
  imgs = []
  for k in range(min(max_outputs, len(pred_mm))):
    err = np.linalg.norm(pred_mm[k] - true_mm[k], axis=-1).mean()
    imgs.append(pose_figure(pred_mm[k], true_mm[k], f'MPJPE {err:.0f} mm'))
  tf.summary.image(name, np.stack(imgs), max_outputs=max_outputs,
                   description='red: predicted, black: true')


def latent_point_clouds(name: str, latent, max_outputs: int = 3,
                        step: Optional[int] = None) -> None:
  """Latent G [B, M, 3] of a few samples as mesh-plugin point clouds."""
  latent = np.asarray(latent, np.float32)[:max_outputs]
  m = latent.shape[1]
  # One colour per latent point index, the same across samples.
  hue = (np.arange(m) * 255 // max(m - 1, 1)).astype(np.uint8)
  colors = np.stack([hue, 255 - hue, np.full_like(hue, 128)], -1)
  colors = np.broadcast_to(colors, latent.shape).astype(np.uint8)
  mesh_summary.mesh(name, vertices=latent, colors=colors, step=step,
                    config_dict={'material': {'cls': 'PointsMaterial',
                                              'size': 0.05}})


"""TensorBoard pictures: skeleton maps, 3D poses, latent point clouds.

Called eagerly by the chief between training loops, under a default
summary writer and step (`writer.as_default(step=...)`).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import tensorflow as tf
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

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


def read_scalars(logdir: str) -> dict:
  """Scalars of one TensorBoard run directory: {tag: (steps, values)}.

  Reads every event file in `logdir` (not its sub-directories) with
  TensorBoard's own reader; scalars written by `tf.summary.scalar` come
  back as tensors, older ones as simple values.

  Args:
    logdir: e.g. a model directory's 'train' or 'eval' folder.

  Returns:
    dict tag -> (steps [K] int64, values [K] float64), sorted by step; {}
    when the folder holds no events.
  """
  from tensorboard.backend.event_processing import event_accumulator
  if not tf.io.gfile.isdir(logdir):
    return {}
  acc = event_accumulator.EventAccumulator(
      logdir, size_guidance={event_accumulator.TENSORS: 0,
                             event_accumulator.SCALARS: 0})
  acc.Reload()
  out = {}
  for tag in acc.Tags().get('tensors', []):
    events = acc.Tensors(tag)
    values = [tf.make_ndarray(e.tensor_proto) for e in events]
    if values and all(np.size(v) == 1 for v in values):
      out[tag] = [(e.step, float(np.reshape(v, ()))) for e, v in
                  zip(events, values)]
  for tag in acc.Tags().get('scalars', []):
    out[tag] = [(e.step, float(e.value)) for e in acc.Scalars(tag)]
  result = {}
  for tag, pairs in out.items():
    pairs.sort()
    result[tag] = (np.array([p[0] for p in pairs], np.int64),
                   np.array([p[1] for p in pairs], np.float64))
  return result

"""Evaluates a 2D -> 3D lifter over a split of a prepared protocol."""

from __future__ import annotations

from typing import Callable, Dict, Optional, Sequence

import numpy as np
import tensorflow as tf

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import DataError
from geo_rep_tf.eval import metrics


def evaluate_lifter(predict: Callable[[tf.Tensor], tf.Tensor],
                    protocol_dir: str, split: str = 'test',
                    camera_indices: Sequence[int] = (0, 1, 2, 3),
                    noisy_2d: bool = False, batch_size: int = 1024,
                    limit: Optional[int] = None) -> Dict:
  """Metrics of DESIGN.md over every visible sample of a split.

  Args:
    predict: keypoints [B, 16, 2] px -> root-relative 3D [B, 16, 3] mm.
    protocol_dir: prepared protocol.
    split: 'test' or 'train'.
    camera_indices: cameras evaluated (Protocol #3: the held-out one).
    noisy_2d: evaluate on the noisy 2D.
    batch_size: samples per prediction call.
    limit: evaluate only the first N samples (None: all).

  Returns:
    `metrics.summarize` output: count, mean, per_action, mean_over_actions
    (MPJPE, P-MPJPE, N-MPJPE in mm; 3DPCK@150 and AUC as fractions).
  """
  ds = pipeline.sample_dataset(protocol_dir, split, camera_indices, noisy_2d)
  if limit:
    ds = ds.take(limit)
  ds = ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
  values: Dict[str, list] = {}
  actions = []
  metric_fn = tf.function(metrics.pose_metrics)
  for batch in ds:
    pred = predict(batch['keypoints_2d_px'])
    for k, v in metric_fn(pred, batch['pose_3d_mm']).items():
      values.setdefault(k, []).append(v.numpy())
    actions.append(batch['action'].numpy())
  if not actions:
    raise DataError(f'split {split!r} has no visible sample for cameras '
                    f'{tuple(camera_indices)}', protocol_dir)
  per_example = {k: np.concatenate(v) for k, v in values.items()}
  return metrics.summarize(per_example, np.concatenate(actions))

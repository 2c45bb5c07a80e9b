"""Evaluates 2D -> 3D lifters over a split of a prepared protocol.

`evaluate_lifter` runs any predict function over every visible sample of a
split and summarises the metrics of docs/design.md. The camera helpers name
the protocol a run is tested under (Protocol #1/#2: trained and tested on all
4 cameras; Protocol #3: trained on 3, tested on the 4th). Evaluating a
trained run (`runs.evaluation.evaluate_run`) builds on both.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from geo_rep_tf.data import pipeline, protocol, tfrecord
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.eval import metrics

INPUTS = ('exact', 'noisy')
# The body label of the clip's own body in a cross-body protocol
# (`data.protocol.OWN_BODY`).
OWN_BODY = protocol.OWN_BODY
ALL_CAMERAS = tuple(range(tfrecord.NUM_CAMERAS))


def _batches(protocol_dir, split, camera_indices, noisy_2d, batch_size, limit):
  ds = pipeline.sample_dataset(protocol_dir, split, camera_indices, noisy_2d)
  if limit:
    ds = ds.take(limit)
  return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _no_samples(protocol_dir, split, camera_indices) -> DataError:
  return DataError(f'split {split!r} has no visible sample for cameras '
                   f'{tuple(camera_indices)}', protocol_dir)


def evaluate_lifter(predict: Callable[..., tf.Tensor],
                    protocol_dir: str, split: str = 'test',
                    camera_indices: Sequence[int] = ALL_CAMERAS,
                    noisy_2d: bool = False, batch_size: int = 1024,
                    limit: Optional[int] = None,
                    latents: Optional[np.ndarray] = None,
                    latent_out: Optional[list] = None) -> Dict:
  """Metrics of docs/design.md over every visible sample of a split.

  Args:
    predict: keypoints [B, 16, 2] px -> root-relative 3D [B, 16, 3] mm; with
      `latents`: (keypoints, their G [B, M, 3]) -> 3D.
    protocol_dir: prepared protocol.
    split: 'test' or 'train'.
    camera_indices: cameras evaluated (Protocol #3: the held-out one).
    noisy_2d: evaluate on the noisy 2D.
    batch_size: samples per prediction call.
    limit: evaluate only the first N samples (None: all).
    latents: the G of every evaluated sample, in order (a `LatentCache`
      entry).
    latent_out: when given, `predict` returns (3D, G) and each batch's G
      is appended to it (fills a `LatentCache` in the same pass).

  Returns:
    `metrics.summarize` output: count, mean, per_action, mean_over_actions
    (MPJPE, P-MPJPE, N-MPJPE in mm; 3DPCK@150 and AUC as fractions), plus
    'per_camera': {camera index: count}; on a protocol with bodies (the
    cross-body benchmark) also `per_body_summary`'s 'per_body' and
    'cross_body'.
  """
  if latents is not None and latent_out is not None:
    raise ValueError('latents and latent_out exclude each other')
  ds = _batches(protocol_dir, split, camera_indices, noisy_2d, batch_size,
                limit)
  values: Dict[str, list] = {}
  actions, cams, body_names = [], [], []
  metric_fn = tf.function(metrics.pose_metrics, reduce_retracing=True)
  offset = 0
  for batch in ds:
    kp = batch['keypoints_2d_px']
    if latent_out is not None:
      pred, g = predict(kp)
      latent_out.append(g.numpy())
    elif latents is None:
      pred = predict(kp)
    else:
      n = int(kp.shape[0])
      pred = predict(kp, latents[offset:offset + n])
      offset += n
    for k, v in metric_fn(pred, batch['pose_3d_mm']).items():
      values.setdefault(k, []).append(v.numpy())
    actions.append(batch['action'].numpy())
    cams.append(batch['camera'].numpy())
    body_names.append(batch['body'].numpy())
  if not actions:
    raise _no_samples(protocol_dir, split, camera_indices)
  if latents is not None and offset != len(latents):
    raise ValueError(f'{len(latents)} latents for {offset} samples')
  per_example = {k: np.concatenate(v) for k, v in values.items()}
  result = metrics.summarize(per_example, np.concatenate(actions))
  cam_ids, counts = np.unique(np.concatenate(cams), return_counts=True)
  result['per_camera'] = {str(c): int(n) for c, n in zip(cam_ids, counts)}
  body_names = np.concatenate(body_names)
  if (body_names != b'').any():
    result.update(per_body_summary(per_example, body_names))
  return result


def per_body_summary(per_example: Dict[str, np.ndarray],
                     body_names: np.ndarray) -> Dict:
  """'per_body' means, and 'cross_body' means over the held-out bodies.

  Args:
    per_example: metric -> [N] values.
    body_names: [N] body of each sample (bytes or str; 'own' is the clip's
      own body, `data.protocol.OWN_BODY`).

  Returns:
    {'per_body': {body: {'count', 'mean'}}, 'cross_body': {metric: mean
    over samples of every body but 'own'}} ('cross_body' only when there
    are such samples).
  """
  names = np.asarray([n.decode() if isinstance(n, bytes) else str(n)
                      for n in body_names])
  out = {'per_body': metrics.summarize(per_example, names)['per_action']}
  held = names != OWN_BODY
  if held.any():
    out['cross_body'] = {k: float(np.mean(np.asarray(v)[held]))
                         for k, v in per_example.items()}
  return out


def check_cameras(camera_indices: Sequence[int]) -> Tuple[int, ...]:
  """Distinct camera indices in 0..3, sorted, or ArgumentError."""
  cams = tuple(sorted(int(c) for c in camera_indices))
  if not cams or len(set(cams)) != len(cams) or not all(
      c in ALL_CAMERAS for c in cams):
    raise ArgumentError(f'cameras must be distinct values in 0..'
                        f'{len(ALL_CAMERAS) - 1}, got {tuple(camera_indices)}')
  return cams


def test_cameras_for(train_cameras: Sequence[int]) -> Tuple[int, ...]:
  """The cameras a model is tested on by default.

  A model trained on every camera is tested on every camera (Protocols #1,
  #2); one trained on a subset on the cameras it never saw (Protocol #3).
  """
  train = set(check_cameras(train_cameras))
  held_out = tuple(c for c in ALL_CAMERAS if c not in train)
  return held_out or ALL_CAMERAS


def protocol_names(train_cameras: Sequence[int],
                   test_cameras: Sequence[int]) -> str:
  """'#1/#2' (all cameras seen), '#3' (only unseen ones tested) or 'custom'."""
  train, test = set(train_cameras), set(test_cameras)
  if train == set(ALL_CAMERAS) and test == set(ALL_CAMERAS):
    return '#1/#2'
  if len(train) == len(ALL_CAMERAS) - 1 and not train & test:
    return '#3'
  return 'custom'

"""The regression stage: 2D (and G) -> 3D from N labelled samples."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Dict, Optional

import keras
import numpy as np
import tensorflow as tf

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import DataError
from geo_rep_tf.eval import evaluator, metrics
from geo_rep_tf.geometry import normalization
from geo_rep_tf.losses import pose as pose_losses
from geo_rep_tf.models.pose_lifter import MAP_MARGIN, REGRESSORS, pose_latent
from geo_rep_tf.models.view_synthesis import ViewSynthesis
from geo_rep_tf.runs.configs import RegressorConfig
from geo_rep_tf.runs.loading import build_pose_lifter, load_representation
from geo_rep_tf.training import summaries
from geo_rep_tf.training.trainer import Task
from geo_rep_tf.utils.files import load_cached_array, save_cached_array


def with_cached_latent(samples: tf.data.Dataset, representation: ViewSynthesis,
                       batch_size: int = 1024,
                       cache_dir: Optional[str] = None,
                       log=None) -> tf.data.Dataset:
  """`samples` with 'latent' (G of each sample's 2D) added, computed once.

  Runs the frozen encoder eagerly over the (finite) samples and returns an
  in-memory dataset of the same samples, in the same order. G is computed
  exactly as `PoseLifter` computes it (same map drawing, phi in inference
  mode), so a regressor trained on it sees the numbers it would see
  otherwise. `cache_dir` and `log`: see `encode_latents`.
  """
  parts = {'keypoints_2d_px': [], 'pose_3d_mm': []}
  for batch in samples.batch(batch_size):
    parts['keypoints_2d_px'].append(batch['keypoints_2d_px'].numpy())
    parts['pose_3d_mm'].append(batch['pose_3d_mm'].numpy())
  if not parts['keypoints_2d_px']:
    raise DataError('no labelled training samples to encode')
  arrays = {k: np.concatenate(v) for k, v in parts.items()}
  arrays['latent'] = encode_latents(representation, arrays['keypoints_2d_px'],
                                    batch_size, cache_dir, log)
  return tf.data.Dataset.from_tensor_slices(arrays)


# Training samples whose G gives the standardisation statistics.
LATENT_STATS_SAMPLES = 20_000


def latent_cache_path(cache_dir: str, representation: ViewSynthesis,
                      keypoints_px: np.ndarray) -> str:
  """The file that holds the G of these keypoints under this encoder."""
  digest = hashlib.sha256(
      evaluator.latent_fingerprint(representation, MAP_MARGIN).encode())
  keypoints = np.ascontiguousarray(keypoints_px, np.float32)
  digest.update(repr(keypoints.shape).encode())
  digest.update(keypoints.tobytes())
  return os.path.join(cache_dir, f'g_{digest.hexdigest()[:40]}.npy')


def encode_latents(representation: ViewSynthesis, keypoints_px: np.ndarray,
                   batch_size: int = 1024, cache_dir: Optional[str] = None,
                   log=None) -> np.ndarray:
  """G [N, M, 3] of keypoints [N, 16, 2] px, as `PoseLifter` computes it.

  With `cache_dir`, G is read from there when these exact keypoints were
  encoded before by an encoder with the same weights and map drawing (a
  digest of both names the file), and written there otherwise (atomically;
  a cache that cannot be written only costs the next run the encoding).
  Runs of one experiment on one representation (several N, regressor
  types, the statistics draw) then encode each sample set once. `log`
  (a callable) hears which happened.
  """
  path = (latent_cache_path(cache_dir, representation, keypoints_px)
          if cache_dir else None)
  if path:
    latents = load_cached_array(path, log, 'G cache', 'samples')
    if latents is not None and latents.shape[0] == len(keypoints_px):
      return latents
  encode = tf.function(lambda kp: pose_latent(representation, kp, MAP_MARGIN))
  latents = np.concatenate([
      encode(tf.constant(keypoints_px[i:i + batch_size])).numpy()
      for i in range(0, len(keypoints_px), batch_size)])
  if path:
    save_cached_array(path, latents, log, 'G cache', 'samples')
  return latents


def latent_statistics_keypoints(config: 'RegressorConfig',
                                count: int = LATENT_STATS_SAMPLES
                                ) -> np.ndarray:
  """2D keypoints [<=count, 16, 2] px of training samples (a seeded draw)."""
  ds = pipeline.sample_dataset(config.protocol_dir, 'train',
                               config.camera_indices, config.noisy_2d)
  ds = ds.map(lambda s: s['keypoints_2d_px'])
  ds = ds.shuffle(400_000, seed=1, reshuffle_each_iteration=False).take(count)
  batches = list(ds.batch(4096).as_numpy_iterator())
  if not batches:
    return np.zeros([0, 16, 2], np.float32)
  return np.concatenate(batches).astype(np.float32)


def latent_cache_dir(config: RegressorConfig) -> Optional[str]:
  """Where a run's G is kept between processes (None: nowhere).

  `config.latent_cache_dir` when set ('' turns it off), else the
  representation's `latent_cache/`; None for a regressor without one.
  """
  if config.latent_cache_dir is not None:
    return config.latent_cache_dir or None
  if not config.representation_dir:
    return None
  return os.path.join(config.representation_dir, 'latent_cache')


class RegressorTask(Task):
  """Trains a PoseLifter on N labelled (2D, 3D) samples."""

  name = 'regressor'

  def __init__(self, config: RegressorConfig):
    self.config = config

  @property
  def latent_cache_dir(self) -> Optional[str]:
    """Where training G is kept between runs (None: nowhere)."""
    return latent_cache_dir(self.config)

  def build_model(self) -> keras.Model:
    return build_pose_lifter(self.config)

  def initialize(self, model, log):
    """Sets the G standardisation statistics (a resume restores them)."""
    if getattr(model, 'standardizer', None) is None:
      return
    t0 = time.time()
    kp = latent_statistics_keypoints(self.config)
    if len(kp) < 2:
      raise DataError('too few training samples for the G statistics',
                      self.config.protocol_dir)
    model.standardizer.set_statistics(encode_latents(
        model.representation, kp, cache_dir=self.latent_cache_dir, log=log))
    log(f'G standardisation: statistics of {len(kp)} training samples\' 2D '
        f'({time.time() - t0:.0f} s)')

  def trainable_variables(self, model):
    return model.regressor.trainable_variables

  def dataset(self, context, split='train'):
    c = self.config
    batch = context.get_per_replica_batch_size(c.global_batch_size)
    ds = pipeline.sample_dataset(c.protocol_dir, split, c.camera_indices,
                                 c.noisy_2d)
    ds = ds.map(lambda s: {'keypoints_2d_px': s['keypoints_2d_px'],
                           'pose_3d_mm': s['pose_3d_mm']})
    if split != 'train':
      return ds.batch(batch).prefetch(tf.data.AUTOTUNE)
    # The N labelled samples: a seeded full shuffle, then the first N.
    ds = ds.shuffle(400_000, seed=c.label_seed, reshuffle_each_iteration=False)
    if c.num_labels:
      ds = ds.take(c.num_labels)
    if REGRESSORS[c.regressor][1] and c.cache_latent:
      ds = with_cached_latent(ds, load_representation(c.representation_dir),
                              cache_dir=self.latent_cache_dir, log=self.log)
    ds = ds.cache().repeat()
    ds = ds.shuffle(min(c.num_labels or 50_000, 50_000),
                    seed=c.seed * 1000 + context.input_pipeline_id)
    return ds.batch(batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)

  def compute_losses(self, model, batch, training):
    inputs = {k: batch[k] for k in ('keypoints_2d_px', 'latent') if k in batch}
    out = model(inputs, training=training)
    target = normalization.pose_to_target(batch['pose_3d_mm'])
    return {'total': pose_losses.pose_l2_loss(out['pose_3d'], target)}

  def eval_metrics(self, model, batch) -> Dict[str, tf.Tensor]:
    out = model(batch['keypoints_2d_px'], training=False)
    return {'mpjpe_mm': metrics.mpjpe(out['pose_3d_mm'], batch['pose_3d_mm']),
            'p_mpjpe_mm': metrics.p_mpjpe(out['pose_3d_mm'],
                                          batch['pose_3d_mm'])}

  def write_images(self, model, batch, step):
    out = model(batch['keypoints_2d_px'][:4], training=False)
    summaries.pose_images('poses/predicted_vs_true', out['pose_3d_mm'].numpy(),
                          batch['pose_3d_mm'][:4].numpy())


"""The regression stage: 2D (and G) -> 3D from N labelled samples."""

from __future__ import annotations

import time
from typing import Dict, Optional

import keras
import numpy as np
import tensorflow as tf

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import DataError
from geo_rep_tf.eval import metrics
from geo_rep_tf.geometry import normalization
from geo_rep_tf.losses import pose as pose_losses
from geo_rep_tf.models.pose_lifter import REGRESSORS
from geo_rep_tf.runs.configs import RegressorConfig
from geo_rep_tf.runs.latent_cache import (encode_latents, latent_cache_dir,
                                          with_cached_latent)
from geo_rep_tf.runs.loading import build_pose_lifter, load_representation
from geo_rep_tf.training import summaries
from geo_rep_tf.training.task import Task


# Training samples whose G gives the standardisation statistics.
LATENT_STATS_SAMPLES = 20_000


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
    model.standardizer.set_statistics(
        encode_latents(model.representation, kp,
                       cache_dir=self.latent_cache_dir, log=log),
        unit=self.config.latent_scale, gain=self.config.latent_gain)
    log(f'G standardisation ({self.config.latent_scale} unit, gain '
        f'{self.config.latent_gain:g}): statistics of '
        f'{len(kp)} training samples\' 2D ({time.time() - t0:.0f} s)')

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
      ds = with_cached_latent(ds, load_representation(c.representation_dir,
                                                        c.latent_encoders),
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


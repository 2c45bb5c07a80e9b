"""The regression stage: 2D (and G) -> 3D from N labelled samples."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Dict, Optional, Tuple

import keras
import numpy as np
import tensorflow as tf

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.eval import metrics
from geo_rep_tf.geometry import normalization
from geo_rep_tf.losses import pose as pose_losses
from geo_rep_tf.models.pose_lifter import (REGRESSORS, PoseLifter,
                                         regressor_kwargs)
from geo_rep_tf.models.view_synthesis import RUN_CONFIG_KEYS, ViewSynthesis
from geo_rep_tf.runs.latent_cache import (encode_latents, latent_cache_dir,
                                          with_cached_latent)
from geo_rep_tf.training import checkpoints, model_state, summaries
from geo_rep_tf.training.task import Task


@dataclasses.dataclass
class RegressorConfig:
  """What regressor is trained on how many labels.

  Attributes:
    protocol_dir: prepared protocol.
    regressor: a key of `pose_lifter.REGRESSORS`.
    num_labels: N labelled training samples, drawn once with `label_seed`
      (0: all).
    representation_dir: model_dir of a representation run (its config.json
      and latest checkpoint); needed by regressors that use G.
    hidden: regressor width (1024).
    dropout: regressor dropout (None: the regressor's default).
    latent_dropout: baseline1_g only: the rate at which training drops G's
      contribution whole, per sample (0: never).
    camera_indices: cameras whose samples train (Protocol #3: 3 of 4).
    noisy_2d: train and test on the noisy 2D.
    global_batch_size: samples per step.
    label_seed: which N samples are labelled.
    seed: data-order seed.
    latent_cache_dir: where the G of training samples is kept on disk
      between runs on the same representation (None: the representation
      run's `latent_cache/`; '': not kept).
    cache_latent: for regressors on G, encode the N labelled samples once
      (phi is frozen, so G of a sample never changes) and train on the
      cached G instead of drawing maps and running phi at every step; the
      same numbers reach the regressor, many times faster.
    standardize_latent: regressors on G see G centred per coordinate and
      scaled by one number (`pose_lifter.LatentStandardizer`), with
      statistics from the G of `LATENT_STATS_SAMPLES` training samples' 2D
      (no 3D labels: the same for every N), stored with the regressor. Runs
      written before this option load with it off.
  """
  protocol_dir: str
  regressor: str = 'regression1'
  num_labels: int = 0
  representation_dir: Optional[str] = None
  hidden: int = 1024
  dropout: Optional[float] = None
  latent_dropout: float = 0.0
  camera_indices: Tuple[int, ...] = (0, 1, 2, 3)
  noisy_2d: bool = False
  global_batch_size: int = 256
  label_seed: int = 0
  seed: int = 0
  cache_latent: bool = True
  latent_cache_dir: Optional[str] = None
  standardize_latent: bool = True

  def __post_init__(self):
    if self.regressor not in REGRESSORS:
      raise ArgumentError(f'regressor must be one of {sorted(REGRESSORS)}, '
                          f'got {self.regressor!r}')
    if self.num_labels < 0:
      raise ArgumentError(f'num_labels must be >= 0, got {self.num_labels}')
    if REGRESSORS[self.regressor][1] and not self.representation_dir:
      raise ArgumentError(f'regressor {self.regressor} uses G: give the '
                          'representation run (--representation_dir)')
    # ArgumentError on a latent_dropout out of range or for a wrong type.
    regressor_kwargs(self.regressor, self.hidden, self.dropout,
                     self.latent_dropout)
    self.camera_indices = tuple(self.camera_indices)


def read_run(model_dir: str, section: str) -> Tuple[Dict, str]:
  """A run's config.json section and its latest checkpoint, or DataError."""
  path = os.path.join(model_dir, 'config.json')
  try:
    with open(path) as fh:
      cfg = json.load(fh)[section]
  except OSError:
    raise DataError(f'not a {section} run (config.json missing)',
                    model_dir) from None
  except (KeyError, TypeError, json.JSONDecodeError):
    raise DataError(f'config.json has no {section} section', path) from None
  ckpt_path = checkpoints.latest_checkpoint(model_dir)
  if ckpt_path is None:
    raise DataError(f'{section} run has no checkpoint', model_dir)
  return cfg, ckpt_path


def load_representation(model_dir: str) -> ViewSynthesis:
  """A trained ViewSynthesis from a representation run's directory."""
  cfg, ckpt_path = read_run(model_dir, 'representation')
  # Keys a run of an older version lacks take the model's defaults.
  model = ViewSynthesis(**{k: cfg[k] for k in RUN_CONFIG_KEYS if k in cfg},
                        name='view_synthesis')
  size = model.map_size
  model.encode(tf.zeros([1, size, size, model.input_channels]), training=False)
  model({'source_map': tf.zeros([1, size, size, model.input_channels]),
         'target_map': tf.zeros([1, size, size, model.input_channels]),
         'R_rel': tf.eye(3, batch_shape=[1])}, training=False)
  model_state.restore_model(model, ckpt_path)
  return model


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
    c = self.config
    rep = (load_representation(c.representation_dir)
           if REGRESSORS[c.regressor][1] else None)
    return PoseLifter(c.regressor, rep,
                      regressor_kwargs(c.regressor, c.hidden, c.dropout,
                                       c.latent_dropout),
                      standardize_latent=c.standardize_latent,
                      name='pose_lifter')

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


def load_regressor_run(model_dir: str, protocol_dir: Optional[str] = None,
                       representation_dir: Optional[str] = None
                       ) -> Tuple[keras.Model, RegressorConfig]:
  """A trained PoseLifter and its config from a regressor run's directory.

  `representation_dir` overrides the run's own (e.g. already resolved by a
  caller that searches more places).
  """
  cfg, ckpt_path = read_run(model_dir, 'regressor')
  # Runs written before G standardisation existed trained on raw G.
  cfg.setdefault('standardize_latent', False)
  if protocol_dir:
    cfg['protocol_dir'] = protocol_dir
  if representation_dir:
    cfg['representation_dir'] = representation_dir
  rep_dir = cfg.get('representation_dir')
  if rep_dir and not os.path.isabs(rep_dir) and not os.path.isdir(rep_dir):
    # A packed run (e.g. models/pretrained) names its representation
    # relative to itself.
    beside = os.path.join(model_dir, rep_dir)
    if os.path.isdir(beside):
      cfg['representation_dir'] = beside
  config = RegressorConfig(**cfg)
  model = RegressorTask(config).build_model()
  model(tf.zeros([1, 16, 2]) + tf.random.uniform([1, 16, 2], 0, 100),
        training=False)
  model_state.restore_model(model, ckpt_path)
  return model, config

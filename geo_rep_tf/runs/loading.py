"""Trained models from run directories (config.json + checkpoint).

  representation = load_representation('work_dirs/rep_bl_dg_aug')
  lifter, config = load_regressor_run('work_dirs/main/regression1')
  hourglass = load_hourglass_run('work_dirs/hourglass')

Every loader builds the model from the run's config, then restores every
variable by path (`model_state`: `tf.train.Checkpoint(model=...)` would miss
list-held layers and batch-norm statistics).
"""

from __future__ import annotations

import os
from typing import Optional, Tuple

import keras
import tensorflow as tf

from geo_rep_tf.errors import DataError
from geo_rep_tf.models.pose_lifter import (REGRESSORS, PoseLifter,
                                         regressor_kwargs)
from geo_rep_tf.models.stacked_hourglass import StackedHourglass
from geo_rep_tf.models.view_synthesis import RUN_CONFIG_KEYS, ViewSynthesis
from geo_rep_tf.runs import model_state
from geo_rep_tf.runs.configs import RegressorConfig
from geo_rep_tf.runs.files import read_run, resolve_representation_dir

# Config keys of a hourglass run that size the model; a run of an older
# version may lack some, which then take the model's defaults.
HOURGLASS_KEYS = ('num_stacks', 'num_features', 'depth', 'input_size')


def load_representation(model_dir: str,
                        latent_encoders: str = 'phi') -> ViewSynthesis:
  """A trained ViewSynthesis from a representation run's directory, its
  `encode` using `latent_encoders` (see `view_synthesis.LATENT_ENCODERS`).

  Raises:
    DataError: not a representation run, or no checkpoint.
    ArgumentError: 'phi_mu' for a run that has no second encoder (from
      `ViewSynthesis`).
  """
  cfg, ckpt_path = read_run(model_dir, 'representation')
  # Keys a run of an older version lacks take the model's defaults.
  model = ViewSynthesis(**{k: cfg[k] for k in RUN_CONFIG_KEYS if k in cfg},
                        latent_encoders=latent_encoders,
                        name='view_synthesis')
  model(model.dummy_inputs(), training=False)
  model_state.restore_newest_readable(model, ckpt_path)
  return model


def build_pose_lifter(config: RegressorConfig) -> PoseLifter:
  """The (unbuilt) PoseLifter a regressor config describes.

  A regressor on G gets the trained, frozen encoder of
  `config.representation_dir`; the regressor's own weights are fresh.
  """
  c = config
  rep = (load_representation(c.representation_dir, c.latent_encoders)
         if REGRESSORS[c.regressor][1] else None)
  return PoseLifter(c.regressor, rep,
                    regressor_kwargs(c.regressor, c.hidden, c.dropout,
                                     c.latent_dropout),
                    standardize_latent=c.standardize_latent,
                    name='pose_lifter')


def load_regressor_run(model_dir: str, protocol_dir: Optional[str] = None,
                       representation_dir: Optional[str] = None
                       ) -> Tuple[keras.Model, RegressorConfig]:
  """A trained PoseLifter and its config from a regressor run's directory.

  Args:
    model_dir: the regressor run.
    protocol_dir: overrides the run's protocol (e.g. to evaluate another).
    representation_dir: overrides the run's representation run.

  A relative representation directory is found as
  `files.resolve_representation_dir` says (the working directory, beside
  the run, the package's parent directory).

  Raises:
    DataError: not a regressor run, no checkpoint, or a regressor on G
      whose representation run is nowhere to be found.
  """
  cfg, ckpt_path = read_run(model_dir, 'regressor')
  # Runs written before G standardisation existed trained on raw G.
  cfg.setdefault('standardize_latent', False)
  if protocol_dir:
    cfg['protocol_dir'] = protocol_dir
  if representation_dir:
    cfg['representation_dir'] = representation_dir
  rep_dir = cfg.get('representation_dir')
  if rep_dir:
    cfg['representation_dir'] = resolve_representation_dir(rep_dir, model_dir)
    uses_g = REGRESSORS.get(cfg.get('regressor'), (None, False))[1]
    if uses_g and not os.path.isfile(os.path.join(cfg['representation_dir'],
                                                  'config.json')):
      raise DataError(f'the regressor\'s representation run {rep_dir!r} was '
                      'not found (looked in the working directory, beside '
                      'the regressor run and in the directory above the '
                      'package)', os.path.join(model_dir, 'config.json'))
  config = RegressorConfig(**cfg)
  model = build_pose_lifter(config)
  model(tf.zeros([1, 16, 2]) + tf.random.uniform([1, 16, 2], 0, 100),
        training=False)
  model_state.restore_newest_readable(model, ckpt_path)
  return model, config


def load_hourglass_run(model_dir: str) -> keras.Model:
  """A trained StackedHourglass from a hourglass run's directory."""
  if not model_dir or not os.path.isdir(model_dir):
    raise DataError('hourglass run directory not found (train one with '
                    'tools/train_hourglass.py)', model_dir)
  cfg, ckpt_path = read_run(model_dir, 'hourglass')
  model = StackedHourglass(**{k: cfg[k] for k in HOURGLASS_KEYS if k in cfg},
                           name='hourglass')
  size = model.input_size
  model(tf.zeros([1, size, size, 3]), training=False)
  model_state.restore_newest_readable(model, ckpt_path)
  return model

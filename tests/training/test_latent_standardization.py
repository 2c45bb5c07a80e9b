"""Regressors on G see G standardised with statistics of training 2D."""

import dataclasses
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.runs import latent_cache
from geo_rep_tf.runs.configs import FEW_LABELS, RegressorConfig
from geo_rep_tf.runs.loading import load_regressor_run
from geo_rep_tf.training import regressor_task as rt
from geo_rep_tf.training.trainer import Trainer, TrainerConfig
from tests.training.conftest import train_tiny_representation


def _trainer(protocol_dir, rep_dir, model_dir, standardize, steps=2,
             **config):
  cfg = RegressorConfig(
      protocol_dir=protocol_dir, regressor=config.pop('regressor',
                                                      'regression1'),
      num_labels=64, representation_dir=rep_dir, hidden=32,
      global_batch_size=32, standardize_latent=standardize, **config)
  return Trainer(rt.RegressorTask(cfg),
                 TrainerConfig(model_dir=model_dir, train_steps=steps,
                               steps_per_loop=steps, global_batch_size=32,
                               log_every_s=0, image_summaries_every=0),
                 log=lambda s: None,
                 extra_config=dict(regressor=dataclasses.asdict(cfg)))


def test_statistics_come_from_training_2d_and_are_saved(tiny_protocol,
                                                        tmp_path):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=4)
  trainer = _trainer(tiny_protocol, rep_dir, str(tmp_path / 'reg'), True,
                     latent_scale='coordinate', latent_gain=1.0)
  layer = trainer.model.standardizer
  # The statistics standardise the G of the training samples' 2D.
  kp = rt.latent_statistics_keypoints(trainer.task.config)
  g = latent_cache.encode_latents(trainer.model.representation, kp)
  assert len(kp) > 100
  z = layer(g).numpy()
  np.testing.assert_allclose(z.mean(0), 0.0, atol=1e-3)
  np.testing.assert_allclose((z ** 2).mean(), 1.0, rtol=1e-3)
  assert np.abs(layer.mean.numpy()).max() > 1e-3  # not the identity
  trainer.train()

  # A loaded run carries the same statistics and predicts the same.
  model, config = load_regressor_run(str(tmp_path / 'reg'))
  assert config.standardize_latent
  np.testing.assert_allclose(model.standardizer.mean.numpy(),
                             layer.mean.numpy())
  np.testing.assert_allclose(model.standardizer.scale.numpy(),
                             layer.scale.numpy())
  probe = tf.constant(kp[:5])
  np.testing.assert_allclose(model(probe, training=False)['pose_3d'],
                             trainer.model(probe, training=False)['pose_3d'],
                             rtol=1e-4, atol=1e-5)


def test_vector_scale_and_gain_reach_the_statistics_and_are_checked(
    tiny_protocol, tmp_path):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=4)
  trainer = _trainer(tiny_protocol, rep_dir, str(tmp_path / 'reg'), True,
                     latent_scale='vector', latent_gain=0.5)
  layer = trainer.model.standardizer
  kp = rt.latent_statistics_keypoints(trainer.task.config)
  z = layer(latent_cache.encode_latents(trainer.model.representation,
                                        kp)).numpy()
  # The whole standardised G has unit RMS norm (the default unit but for
  # Regression#2 + G, whose 2D features are batch-normalised).
  for regressor, unit in (('baseline1', 'vector'), ('regression1', 'vector'),
                          ('baseline1_g', 'vector'),
                          ('regression2_g', 'coordinate')):
    assert RegressorConfig(protocol_dir=tiny_protocol, regressor=regressor,
                           representation_dir=rep_dir).latent_scale == unit
  assert RegressorConfig(protocol_dir=tiny_protocol, regressor='regression2_g',
                         representation_dir=rep_dir,
                         latent_scale='vector').latent_scale == 'vector'
  # Times the gain.
  np.testing.assert_allclose((z ** 2).sum((1, 2)).mean(), 0.25, rtol=1e-3)
  with pytest.raises(ArgumentError, match='latent_scale'):
    RegressorConfig(protocol_dir=tiny_protocol, regressor='regression1',
                    representation_dir=rep_dir, latent_scale='pixel')
  # Regression#1 reads G 10 times smaller with few labels only.
  for regressor, n, gain in (('regression1', 500, 0.1),
                             ('regression1', FEW_LABELS, 0.1),
                             ('regression1', FEW_LABELS + 1, 1.0),
                             ('regression1', 0, 1.0),
                             ('regression2_g', 500, 1.0),
                             ('baseline1_g', 500, 1.0)):
    assert RegressorConfig(
        protocol_dir=tiny_protocol, regressor=regressor, num_labels=n,
        representation_dir=rep_dir).latent_gain == gain, (regressor, n)
  assert RegressorConfig(protocol_dir=tiny_protocol, regressor='regression1',
                         representation_dir=rep_dir,
                         latent_gain=0.5).latent_gain == 0.5
  with pytest.raises(ArgumentError, match='latent_gain'):
    RegressorConfig(protocol_dir=tiny_protocol, regressor='regression1',
                    representation_dir=rep_dir, latent_gain=0.0)


def test_latent_dropout_run_trains_and_reloads_with_it(tiny_protocol,
                                                        tmp_path):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=2)
  run = str(tmp_path / 'b1g')
  _trainer(tiny_protocol, rep_dir, run, True, regressor='baseline1_g',
           latent_dropout=0.5).train()
  model, config = load_regressor_run(run)
  assert config.latent_dropout == 0.5
  assert model.regressor.latent_dropout == 0.5
  # The option is checked before any training, with the flag's name.
  with pytest.raises(ArgumentError, match='latent_dropout is for'):
    RegressorConfig(protocol_dir=tiny_protocol, regressor='regression2_g',
                       representation_dir=rep_dir, latent_dropout=0.5)
  with pytest.raises(ArgumentError, match='latent_dropout must be'):
    RegressorConfig(protocol_dir=tiny_protocol, regressor='baseline1_g',
                       representation_dir=rep_dir, latent_dropout=-0.1)


def test_runs_from_before_the_option_load_unstandardised(tiny_protocol,
                                                         tmp_path):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=2)
  run = str(tmp_path / 'old')
  _trainer(tiny_protocol, rep_dir, run, False).train()
  path = os.path.join(run, 'config.json')
  with open(path) as fh:
    cfg = json.load(fh)
  del cfg['regressor']['standardize_latent']
  with open(path, 'w') as fh:
    json.dump(cfg, fh)
  model, config = load_regressor_run(run)
  assert not config.standardize_latent and model.standardizer is None


def test_a_resumed_run_restores_the_statistics_without_recomputing(
    tiny_protocol, tmp_path, monkeypatch):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=2)
  run = str(tmp_path / 'reg')
  first = _trainer(tiny_protocol, rep_dir, run, True)
  first.train()

  def refuse(*args, **kwargs):
    raise AssertionError('statistics recomputed on resume')

  monkeypatch.setattr(rt, 'latent_statistics_keypoints', refuse)
  again = _trainer(tiny_protocol, rep_dir, run, True, steps=4)
  assert int(again.step.numpy()) == 2
  np.testing.assert_array_equal(again.model.standardizer.mean.numpy(),
                                first.model.standardizer.mean.numpy())
  np.testing.assert_array_equal(again.model.standardizer.scale.numpy(),
                                first.model.standardizer.scale.numpy())
  # A fresh run in another directory does compute them.
  with pytest.raises(AssertionError, match='recomputed'):
    _trainer(tiny_protocol, rep_dir, str(tmp_path / 'other'), True)

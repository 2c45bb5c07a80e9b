"""Tests of geo_rep_tf.models.pose_lifter (2D px -> map -> G -> 3D)."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import skeleton_maps
from geo_rep_tf.models.pose_lifter import (REGRESSORS, PoseLifter,
                                         make_regressor, regressor_kwargs)
from geo_rep_tf.models.view_synthesis import ViewSynthesis

TINY = dict(num_points=8, base_filters=4, depth=2, map_size=16)


def _keypoints(batch=3, seed=0):
  rng = np.random.default_rng(seed)
  return rng.uniform(200.0, 800.0, (batch, 16, 2)).astype(np.float32)


@pytest.mark.parametrize('regressor', ['baseline1', 'baseline1_g',
                                       'regression1', 'regression2',
                                       'regression2_g'])
def test_output_shapes_and_mm_scale(regressor):
  rep = ViewSynthesis('sg', **TINY)
  lifter = PoseLifter(regressor, representation=rep,
                      regressor_kwargs=dict(hidden=32) if regressor in (
                          'baseline1', 'baseline1_g', 'regression1') else dict(
                              width=32, num_blocks=1))
  out = lifter(_keypoints())
  assert out['pose_3d'].shape == (3, 16, 3)
  np.testing.assert_allclose(out['pose_3d_mm'], out['pose_3d'] * 1000.0,
                             rtol=1e-5)
  assert ('latent' in out) == REGRESSORS[regressor][1]


@pytest.mark.parametrize('sigma', [0.0, 1.5])
def test_lifter_draws_maps_as_its_representation_was_trained(sigma):
  rep = ViewSynthesis('sg', **TINY, map_sigma=sigma)
  lifter = PoseLifter('regression1', representation=rep,
                      regressor_kwargs=dict(hidden=32))
  kp = _keypoints()
  maps = skeleton_maps.skeleton_maps(kp, size=16, sigma=sigma)
  np.testing.assert_allclose(lifter(kp)['latent'],
                             rep.encode(maps, training=False), atol=1e-6)
  other = skeleton_maps.skeleton_maps(kp, size=16, sigma=0.0 if sigma else 1.5)
  assert not np.allclose(lifter(kp)['latent'],
                         rep.encode(other, training=False), atol=1e-4)


@pytest.mark.parametrize('regressor', sorted(REGRESSORS))
def test_regressor_kwargs_set_each_types_width_and_dropout(regressor):
  kwargs = regressor_kwargs(regressor, 24, 0.25)
  net = make_regressor(regressor, **kwargs)
  config = net.get_config()
  assert config[next(k for k in ('hidden', 'width') if k in kwargs)] == 24
  assert config['dropout'] == 0.25
  assert 'dropout' not in regressor_kwargs(regressor, 24)
  with pytest.raises(ArgumentError, match='regressor must be one of'):
    regressor_kwargs('regression9', 24)
  # G's whole-contribution dropout: Baseline#1 + G only.
  if regressor == 'baseline1_g':
    kwargs = regressor_kwargs(regressor, 24, latent_dropout=0.3)
    assert make_regressor(regressor, **kwargs).latent_dropout == 0.3
  else:
    with pytest.raises(ArgumentError, match='latent_dropout is for'):
      regressor_kwargs(regressor, 24, latent_dropout=0.3)


def test_representation_is_frozen_and_required():
  with pytest.raises(ArgumentError, match='representation'):
    PoseLifter('regression1')
  rep = ViewSynthesis('sg', **TINY)
  lifter = PoseLifter('regression1', representation=rep,
                      regressor_kwargs=dict(hidden=32))
  lifter(_keypoints())
  assert not rep.trainable
  trainable = {v.path for v in lifter.trainable_variables}
  assert trainable and not any('phi' in p for p in trainable)


def test_latent_standardizer_statistics_and_identity_default():
  from geo_rep_tf.models.pose_lifter import LatentStandardizer
  layer = LatentStandardizer(4)
  rng = np.random.default_rng(0)
  g = (rng.normal(size=(500, 4, 3)) * [1.0, 5.0, 0.1] + 40.0).astype(
      np.float32)
  np.testing.assert_allclose(layer(g), g)  # identity until set
  layer.set_statistics(g)
  z = layer(g).numpy()
  np.testing.assert_allclose(z.mean(0), 0.0, atol=1e-4)
  # One scale for all coordinates: unit mean square overall, and the
  # coordinates keep their relative spread (std 1 : 5 : 0.1).
  np.testing.assert_allclose((z ** 2).mean(), 1.0, rtol=1e-4)
  spread = z.std(0).mean(0)
  np.testing.assert_allclose(spread / spread[0], [1.0, 5.0, 0.1], rtol=0.15)
  # 'vector': the whole standardised G has unit RMS norm, the same
  # directions, sqrt(3M) times smaller.
  layer.set_statistics(g, unit='vector')
  v = layer(g).numpy()
  np.testing.assert_allclose((v ** 2).sum((1, 2)).mean(), 1.0, rtol=1e-4)
  np.testing.assert_allclose(v * np.sqrt(12.0), z, rtol=1e-3, atol=1e-5)
  # A gain multiplies the standardised G (folded into the stored scale).
  layer.set_statistics(g, unit='vector', gain=0.1)
  np.testing.assert_allclose(layer(g).numpy() * 10.0, v, rtol=1e-4, atol=1e-6)
  for gain in (0.0, -1.0, float('nan')):
    with pytest.raises(ArgumentError, match='gain'):
      layer.set_statistics(g, gain=gain)
  with pytest.raises(ArgumentError, match='unit'):
    layer.set_statistics(g, unit='pixel')
  with pytest.raises(ArgumentError, match=r'\[N, 4, 3\]'):
    layer.set_statistics(g[:, :3])
  with pytest.raises(ArgumentError, match='at least 2'):
    layer.set_statistics(g[:1])


def test_lifter_standardizes_g_for_the_regressor_only():
  rep = ViewSynthesis('sg', **TINY)
  lifter = PoseLifter('regression1', representation=rep,
                      regressor_kwargs=dict(hidden=32),
                      standardize_latent=True)
  kp = _keypoints(batch=8)
  raw = lifter(kp)['latent'].numpy()
  before = lifter(kp)['pose_3d'].numpy()
  lifter.standardizer.set_statistics(raw)
  out = lifter(kp)
  # 'latent' stays the raw G; the prediction changes with the statistics.
  np.testing.assert_allclose(out['latent'], raw, atol=1e-6)
  assert not np.allclose(out['pose_3d'], before, atol=1e-4)
  stats = [v for v in lifter.variables if 'latent_standardizer' in v.path]
  assert len(stats) == 2 and not any(v.trainable for v in stats)
  assert not any('latent_standardizer' in v.path
                 for v in lifter.trainable_variables)
  config = lifter.get_config()
  assert config['standardize_latent'] is True
  assert PoseLifter.from_config(config).standardizer is not None
  # 2D-only regressors have nothing to standardise.
  assert PoseLifter('baseline1', representation=rep,
                    regressor_kwargs=dict(hidden=32),
                    standardize_latent=True).standardizer is None

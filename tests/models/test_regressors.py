"""Tests of the 3D regressors: ShallowRegressor, ResidualLifter,
IntegralRegressor (tiny configurations) and soft_argmax_3d."""

import numpy as np
import pytest
import keras
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.losses import pose as pose_losses
from geo_rep_tf.models import integral_regressor as ir
from geo_rep_tf.models.integral_regressor import IntegralRegressor
from geo_rep_tf.models.regression1 import ShallowRegressor
from geo_rep_tf.models.residual_lifter import ResidualLifter

B, M = 3, 8  # Batch and latent points.
TINY_INTEGRAL = dict(depth_bins=8, heatmap_size=16, backbone='tiny',
                     input_size=64, head_filters=8)


def _dense(n_in, n_out, bias=True):
  return n_in * n_out + (n_out if bias else 0)


def _bn(c):
  return 4 * c  # gamma, beta, moving mean, moving variance.


def _random(shape, seed):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _latent(seed=0):
  return _random((B, M, 3), seed)


def _keypoints_2d(seed=1):
  return 0.3 * _random((B, 16, 2), seed)


def _image(seed=2):
  return np.random.default_rng(seed).uniform(
      size=(B, 64, 64, 3)).astype(np.float32)


def _assert_round_trip(model, inputs):
  """get_config -> from_config, copy weights, same outputs."""
  expected = model(inputs, training=False)
  clone = type(model).from_config(model.get_config())
  clone(inputs, training=False)
  clone.set_weights(model.get_weights())
  out = clone(inputs, training=False)
  assert sorted(out) == sorted(expected)
  for key in expected:
    np.testing.assert_allclose(out[key], expected[key], atol=1e-6)
  # The serialisation registry recreates it too.
  config = keras.saving.serialize_keras_object(model)
  again = keras.saving.deserialize_keras_object(config)
  assert type(again) is type(model)
  assert again.get_config() == model.get_config()


# ShallowRegressor (Regression#1 / Baseline#1).


@pytest.mark.parametrize('points, channels', [(M, 3), (16, 2)])
def test_shallow_shapes_and_parameter_count(points, channels):
  model = ShallowRegressor(hidden=32)
  out = model(_random((B, points, channels), 0))
  assert list(out) == ['pose_3d']
  assert out['pose_3d'].shape == (B, 16, 3)
  expected = _dense(points * channels, 32) + _dense(32, 16 * 3)
  assert model.count_params() == expected


def test_shallow_dict_input_uses_input_key():
  inputs = {'latent': _latent(), 'keypoints_2d': _keypoints_2d()}
  on_latent = ShallowRegressor(hidden=16)
  baseline = ShallowRegressor(hidden=16, input_key='keypoints_2d')
  on_latent(inputs)
  baseline(inputs)
  assert on_latent.count_params() == _dense(M * 3, 16) + _dense(16, 48)
  assert baseline.count_params() == _dense(16 * 2, 16) + _dense(16, 48)
  assert baseline.input_keys == ('keypoints_2d',)
  with pytest.raises(ArgumentError, match='input_key'):
    ShallowRegressor(hidden=16)({'keypoints_2d': _keypoints_2d()})
  with pytest.raises(ArgumentError, match=r'\[B, P, C\]'):
    ShallowRegressor(hidden=16)(_random((B, 48), 0))


def test_shallow_builds_from_shape_alone():
  model = ShallowRegressor(hidden=16)
  model.build((None, M, 3))
  assert model.count_params() == _dense(M * 3, 16) + _dense(16, 48)
  assert model(_latent())['pose_3d'].shape == (B, 16, 3)


def test_shallow_round_trip():
  model = ShallowRegressor(hidden=16, dropout=0.1, input_key='keypoints_2d',
                           name='baseline1')
  _assert_round_trip(model, {'keypoints_2d': _keypoints_2d()})
  assert model.get_config()['input_key'] == 'keypoints_2d'


def test_shallow_with_latent_adds_one_fc_of_g_before_the_relu():
  inputs = {'keypoints_2d': _keypoints_2d(), 'latent': _latent()}
  model = ShallowRegressor(hidden=16, input_key='keypoints_2d',
                           use_latent=True, name='baseline1_g')
  out = model(inputs)['pose_3d']
  assert out.shape == (B, 16, 3)
  assert model.input_keys == ('keypoints_2d', 'latent')
  assert model.count_params() == (_dense(16 * 2, 16) + _dense(M * 3, 16, False)
                                  + _dense(16, 48))
  # It is the hidden layer on [2D, G] concatenated, computed by hand.
  w1, b1, wg, w2, b2 = [w.numpy() for w in (
      model.fc1.kernel, model.fc1.bias, model.fc_latent.kernel,
      model.fc2.kernel, model.fc2.bias)]
  x = np.concatenate([inputs['keypoints_2d'].reshape(B, -1),
                      inputs['latent'].reshape(B, -1)], 1)
  hidden = np.maximum(x @ np.concatenate([w1, wg]) + b1, 0)
  np.testing.assert_allclose(out, (hidden @ w2 + b2).reshape(B, 16, 3),
                             atol=1e-5)
  # G matters, and a missing G or a G-only model with G added are errors.
  other = model({'keypoints_2d': inputs['keypoints_2d'],
                 'latent': _latent(5)})['pose_3d']
  assert np.abs(other - out).max() > 1e-4
  with pytest.raises(ArgumentError, match="'latent'"):
    model({'keypoints_2d': inputs['keypoints_2d']})
  with pytest.raises(ArgumentError, match='input_key'):
    ShallowRegressor(hidden=16, use_latent=True)
  _assert_round_trip(model, inputs)


def test_shallow_latent_dropout_drops_g_whole_per_sample_in_training():
  keras.utils.set_random_seed(0)
  n = 256
  inputs = {'keypoints_2d': np.random.RandomState(1).randn(n, 16, 2).astype(
      np.float32), 'latent': np.random.RandomState(2).randn(n, M, 3).astype(
          np.float32)}
  model = ShallowRegressor(hidden=16, input_key='keypoints_2d',
                           use_latent=True, latent_dropout=0.5)
  model(inputs)
  # Hidden pre-activations with G dropped (2D only) and with G kept.
  x2d = inputs['keypoints_2d'].reshape(n, -1) @ model.fc1.kernel.numpy() + (
      model.fc1.bias.numpy())
  xg = inputs['latent'].reshape(n, -1) @ model.fc_latent.kernel.numpy()
  w2, b2 = model.fc2.kernel.numpy(), model.fc2.bias.numpy()
  def head(h):
    return (np.maximum(h, 0) @ w2 + b2).reshape(-1, 16, 3)
  dropped, kept = head(x2d), head(x2d + 2 * xg)  # kept: scaled by 1/(1-0.5)
  out = model(inputs, training=True)['pose_3d'].numpy()
  is_dropped = np.all(np.isclose(out, dropped, atol=1e-4), axis=(1, 2))
  is_kept = np.all(np.isclose(out, kept, atol=1e-4), axis=(1, 2))
  # Every sample is one or the other, never a mix, and about half each.
  assert np.all(is_dropped ^ is_kept)
  assert 0.35 < is_dropped.mean() < 0.65
  # At inference G always counts, unscaled.
  np.testing.assert_allclose(model(inputs)['pose_3d'], head(x2d + xg),
                             atol=1e-4)
  assert model.get_config()['latent_dropout'] == 0.5
  _assert_round_trip(model, inputs)
  with pytest.raises(ArgumentError, match='latent_dropout needs use_latent'):
    ShallowRegressor(hidden=16, input_key='keypoints_2d', latent_dropout=0.5)
  with pytest.raises(ArgumentError, match='latent_dropout must be'):
    ShallowRegressor(hidden=16, input_key='keypoints_2d', use_latent=True,
                     latent_dropout=1.0)


def test_shallow_save_and_load(tmp_path):
  model = ShallowRegressor(hidden=16)
  x = _latent()
  expected = model(x)['pose_3d']
  path = str(tmp_path / 'shallow.keras')
  model.save(path)
  loaded = keras.saving.load_model(path)
  np.testing.assert_allclose(loaded(x)['pose_3d'], expected, atol=1e-6)


def test_shallow_fit_reduces_pose_l2_loss():
  keras.utils.set_random_seed(0)
  model = ShallowRegressor(hidden=64)
  x = tf.constant(_latent(3))
  target = tf.constant(0.2 * _random((B, 16, 3), 4))
  optimizer = keras.optimizers.Adam(1e-2)
  model(x)
  optimizer.build(model.trainable_variables)

  @tf.function
  def step():
    with tf.GradientTape() as tape:
      loss = tf.reduce_mean(
          pose_losses.pose_l2_loss(model(x, training=True)['pose_3d'],
                                   target))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply(grads, model.trainable_variables)
    return loss

  losses = [float(step()) for _ in range(30)]
  final = float(tf.reduce_mean(
      pose_losses.pose_l2_loss(model(x)['pose_3d'], target)))
  assert final < 0.1 * losses[0], (losses[0], final)


# ResidualLifter (Regression#2).


def _lifter_params(width, num_blocks, latent_points=None):
  n = _dense(32, width) + _bn(width)
  n += num_blocks * 2 * (_dense(width, width) + _bn(width))
  n += _dense(width, 48)
  if latent_points is not None:
    n += _dense(latent_points * 3, width)
  return n


@pytest.mark.parametrize('use_latent', [False, True])
def test_lifter_shapes_and_parameter_count(use_latent):
  model = ResidualLifter(width=32, num_blocks=2, use_latent=use_latent)
  inputs = {'keypoints_2d': _keypoints_2d()}
  if use_latent:
    inputs['latent'] = _latent()
  out = model(inputs, training=True)
  assert list(out) == ['pose_3d']
  assert out['pose_3d'].shape == (B, 16, 3)
  assert model.count_params() == _lifter_params(
      32, 2, M if use_latent else None)
  # BN moving statistics are the only non-trainable weights.
  non_trainable = sum(int(np.prod(w.shape))
                      for w in model.non_trainable_weights)
  assert non_trainable == 2 * 32 * (1 + 2 * 2)
  assert model.input_keys == (('keypoints_2d', 'latent') if use_latent else
                              ('keypoints_2d',))


def test_lifter_zero_blocks_and_bare_tensor():
  model = ResidualLifter(width=16, num_blocks=0)
  assert model(_keypoints_2d())['pose_3d'].shape == (B, 16, 3)
  assert model.count_params() == _lifter_params(16, 0)


def test_lifter_latent_changes_output():
  model = ResidualLifter(width=32, use_latent=True)
  kp = _keypoints_2d()
  a = model({'keypoints_2d': kp, 'latent': _latent(0)})['pose_3d']
  b = model({'keypoints_2d': kp, 'latent': _latent(5)})['pose_3d']
  assert np.abs(a - b).max() > 1e-3


def test_lifter_latent_mismatch_is_an_error():
  with pytest.raises(ArgumentError, match='use_latent=False'):
    ResidualLifter(width=16)({'keypoints_2d': _keypoints_2d(),
                              'latent': _latent()})
  with pytest.raises(ArgumentError, match="needs a 'latent'"):
    ResidualLifter(width=16, use_latent=True)(
        {'keypoints_2d': _keypoints_2d()})
  with pytest.raises(ArgumentError, match='dropout'):
    ResidualLifter(dropout=1.0)


def test_lifter_failed_first_call_leaves_model_usable():
  model = ResidualLifter(width=16, use_latent=True)
  with pytest.raises(ArgumentError, match="needs a 'latent'"):
    model({'keypoints_2d': _keypoints_2d()})
  assert not model.built
  inputs = {'keypoints_2d': _keypoints_2d(), 'latent': _latent()}
  assert model(inputs)['pose_3d'].shape == (B, 16, 3)
  assert model.count_params() == _lifter_params(16, 2, M)


def test_lifter_round_trip_and_tf_function():
  model = ResidualLifter(width=16, num_blocks=1, dropout=0.25,
                         use_latent=True)
  inputs = {'keypoints_2d': _keypoints_2d(), 'latent': _latent()}
  _assert_round_trip(model, inputs)
  signature = [{'keypoints_2d': tf.TensorSpec([None, 16, 2]),
                'latent': tf.TensorSpec([None, M, 3])}]
  traced = tf.function(lambda x: model(x, training=False),
                       input_signature=signature)(inputs)
  np.testing.assert_allclose(traced['pose_3d'],
                             model(inputs, training=False)['pose_3d'],
                             atol=1e-6)
  # Dropout is active in training mode only.
  assert np.abs(model(inputs, training=True)['pose_3d'] -
                model(inputs, training=False)['pose_3d']).max() > 0


# soft_argmax_3d.


def test_soft_argmax_on_delta_volumes_is_exact():
  h, w, d, j = 8, 16, 4, 3
  logits = np.full((2, h, w, d, j), -1e4, np.float32)
  voxels = [[(1, 5, 2), (7, 0, 3), (0, 15, 0)],
            [(4, 4, 1), (3, 9, 0), (6, 2, 3)]]

  def centre(i, n):
    return 2.0 * (i + 0.5) / n - 1.0

  expected = np.zeros((2, j, 3), np.float32)
  for b in range(2):
    for k, (yi, xi, zi) in enumerate(voxels[b]):
      logits[b, yi, xi, zi, k] = 0.0
      expected[b, k] = [centre(xi, w), centre(yi, h), centre(zi, d)]
  out = ir.soft_argmax_3d(logits).numpy()
  assert out.shape == (2, j, 3)
  np.testing.assert_array_equal(out, expected)


def test_soft_argmax_uniform_and_two_voxels():
  np.testing.assert_allclose(ir.soft_argmax_3d(np.zeros((4, 4, 4, 2))), 0.0,
                             atol=1e-6)
  logits = np.full((1, 2, 4, 2, 1), -1e4, np.float32)
  logits[0, 0, 0, 0, 0] = 0.0  # x = -0.75, y = -0.5, z = -0.5.
  logits[0, 1, 3, 1, 0] = 0.0  # x = 0.75, y = 0.5, z = 0.5.
  np.testing.assert_allclose(ir.soft_argmax_3d(logits), [[[0.0, 0.0, 0.0]]],
                             atol=1e-7)
  with pytest.raises(ArgumentError, match='volume_logits'):
    ir.soft_argmax_3d(np.zeros((4, 4, 4)))


# IntegralRegressor (Regression#3).


def _tiny_integral_params(use_latent):
  n, c_in = 0, 3
  for c in ir.TINY_CHANNELS:
    n += 3 * 3 * c_in * c + c
    c_in = c
  f = TINY_INTEGRAL['head_filters']
  for _ in range(3):
    n += 4 * 4 * c_in * f + _bn(f)  # Deconvolutions have no bias.
    c_in = f
  n += _dense(f, 16 * TINY_INTEGRAL['depth_bins'])
  if use_latent:
    n += _dense(M * 3, ir.TINY_CHANNELS[-1])
  return n


@pytest.mark.parametrize('use_latent', [False, True])
def test_integral_tiny_shapes_and_parameter_count(use_latent):
  model = IntegralRegressor(use_latent=use_latent, **TINY_INTEGRAL)
  inputs = {'image': _image()}
  if use_latent:
    inputs['latent'] = _latent()
  out = model(inputs, training=False)
  assert list(out) == ['pose_3d']
  assert out['pose_3d'].shape == (B, 16, 3)
  assert np.abs(out['pose_3d']).max() <= model.volume_extent
  assert model.count_params() == _tiny_integral_params(use_latent)


def test_integral_latent_changes_output_and_mismatch_errors():
  model = IntegralRegressor(use_latent=True, **TINY_INTEGRAL)
  image = _image()
  a = model({'image': image, 'latent': _latent(0)})['pose_3d']
  b = model({'image': image, 'latent': 10.0 * _latent(5)})['pose_3d']
  assert np.abs(a - b).max() > 1e-6
  with pytest.raises(ArgumentError, match='use_latent=False'):
    IntegralRegressor(**TINY_INTEGRAL)({'image': image, 'latent': _latent()})
  with pytest.raises(ArgumentError, match="needs a 'latent'"):
    model({'image': image})
  with pytest.raises(ArgumentError, match='image must have shape'):
    model({'image': np.zeros((1, 32, 32, 3), np.float32),
           'latent': _latent()})


def test_integral_round_trip_extent_and_tf_function():
  model = IntegralRegressor(volume_extent=0.5, **TINY_INTEGRAL)
  _assert_round_trip(model, _image())
  assert np.abs(model(_image())['pose_3d']).max() <= 0.5
  traced = tf.function(lambda x: model(x, training=False),
                       input_signature=[tf.TensorSpec([None, 64, 64, 3])])
  np.testing.assert_allclose(traced(_image())['pose_3d'],
                             model(_image(), training=False)['pose_3d'],
                             atol=1e-6)
  assert model.get_config()['volume_extent'] == 0.5


@pytest.mark.parametrize('kwargs, match', [
    (dict(heatmap_size=64, input_size=64), 'heatmap_size'),
    (dict(input_size=100), 'multiple of 32'),
    (dict(backbone='vgg'), 'backbone'),
])
def test_integral_rejects_bad_configs(kwargs, match):
  with pytest.raises(ArgumentError, match=match):
    IntegralRegressor(**kwargs)


def _resnet50_no_top_params():
  """ResNet-50 (keras.applications, include_top=False) by its layers."""
  n = _dense(7 * 7 * 3, 64) + _bn(64)  # Stem (convolutions have biases).
  c_in = 64
  for filters, blocks in ((64, 3), (128, 4), (256, 6), (512, 3)):
    for i in range(blocks):
      if i == 0:  # Projection shortcut.
        n += _dense(c_in, 4 * filters) + _bn(4 * filters)
      n += _dense(c_in, filters) + _bn(filters)
      n += _dense(9 * filters, filters) + _bn(filters)
      n += _dense(filters, 4 * filters) + _bn(4 * filters)
      c_in = 4 * filters
  return n


def test_integral_resnet50_builds_with_expected_parameters():
  model = IntegralRegressor(depth_bins=4, heatmap_size=16, input_size=64,
                            use_latent=True)
  model.build({'image': (None, 64, 64, 3), 'latent': (None, M, 3)})
  head = 4 * 4 * 2048 * 256 + _bn(256) + 2 * (4 * 4 * 256 * 256 + _bn(256))
  head += _dense(256, 16 * 4) + _dense(M * 3, 2048)
  assert model.count_params() == _resnet50_no_top_params() + head


@pytest.mark.slow
def test_integral_resnet50_forward_at_256():
  model = IntegralRegressor()
  out = model(np.zeros((1, 256, 256, 3), np.float32), training=False)
  assert out['pose_3d'].shape == (1, 16, 3)
  head = 4 * 4 * 2048 * 256 + _bn(256) + 2 * (4 * 4 * 256 * 256 + _bn(256))
  head += _dense(256, 16 * 64)
  assert model.count_params() == _resnet50_no_top_params() + head

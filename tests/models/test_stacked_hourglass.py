"""Tests of geo_rep_tf.models.stacked_hourglass (tiny configurations)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.models.stacked_hourglass import StackedHourglass

TINY = dict(num_stacks=2, num_features=16, depth=2, input_size=64)


def _images(batch=2, size=64, seed=0):
  return np.random.RandomState(seed).rand(batch, size, size, 3).astype(
      np.float32)


@pytest.fixture(scope='module')
def tiny():
  return StackedHourglass(**TINY)


def test_output_shapes(tiny):
  out = tiny(_images(), training=False)
  assert set(out) == {'heatmaps'}
  assert out['heatmaps'].shape == (2, 2, 16, 16, 16)
  assert tiny.compute_output_shape((2, 64, 64, 3)) == {
      'heatmaps': (2, 2, 16, 16, 16)}


def test_stacks_input_size_and_joint_count_are_parameters():
  model = StackedHourglass(num_stacks=3, num_features=8, num_joints=5,
                           depth=1, input_size=32)
  assert model(_images(1, 32))['heatmaps'].shape == (1, 3, 8, 8, 5)
  assert model.heatmap_size == 8


def test_stacks_predict_separately(tiny):
  heatmaps = tiny(_images())['heatmaps'].numpy()
  assert not np.allclose(heatmaps[:, 0], heatmaps[:, 1])


def test_parameter_counts(tiny):
  assert tiny.count_params() == 19828
  # Two stacks of the paper's width (256) and depth (4); Newell et al.'s
  # 8-stack model has about 25M parameters, 2 stacks about 6.6M.
  assert StackedHourglass(num_stacks=2).count_params() == 6601312


def test_config_round_trip(tiny):
  config = tiny.get_config()
  for key, value in TINY.items():
    assert config[key] == value
  assert config['num_joints'] == 16
  clone = StackedHourglass.from_config(dict(config, name='f2d'))
  assert clone.name == 'f2d'  # kwargs reach keras.Model.
  assert clone.get_config() == dict(config, name='f2d')
  clone.set_weights(tiny.get_weights())
  x = _images(seed=1)
  np.testing.assert_allclose(clone(x)['heatmaps'], tiny(x)['heatmaps'],
                             atol=1e-5)


def test_keras_save_and_load(tiny, tmp_path):
  path = str(tmp_path / 'hourglass.keras')
  tiny.save(path)
  loaded = keras.models.load_model(path)
  assert isinstance(loaded, StackedHourglass)
  x = _images(seed=2)
  np.testing.assert_allclose(loaded(x)['heatmaps'], tiny(x)['heatmaps'],
                             atol=1e-5)


def test_gradients_reach_every_variable(tiny):
  x = _images()
  with tf.GradientTape() as tape:
    heatmaps = tiny(x, training=True)['heatmaps']
    loss = tf.reduce_mean(tf.square(heatmaps - 0.5))
  grads = tape.gradient(loss, tiny.trainable_variables)
  assert len(grads) == len(tiny.trainable_variables) > 0
  for var, grad in zip(tiny.trainable_variables, grads):
    assert grad is not None, var.path
    assert np.all(np.isfinite(grad)), var.path


def test_traced_with_unknown_batch(tiny):
  fn = tf.function(lambda x: tiny(x, training=False)['heatmaps'],
                   input_signature=[tf.TensorSpec([None, 64, 64, 3])])
  x = _images(3)
  np.testing.assert_allclose(fn(x), tiny(x)['heatmaps'], atol=1e-5)


@pytest.mark.parametrize('kwargs', [
    dict(input_size=60),  # Not divisible by 4 * 2**depth = 16.
    dict(depth=0),
    dict(num_stacks=0),
    dict(num_features=2),
    dict(batch_norm_momentum=1.0),
])
def test_rejects_bad_arguments(kwargs):
  with pytest.raises(ArgumentError):
    StackedHourglass(**dict(TINY, **kwargs))

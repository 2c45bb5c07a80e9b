"""Tiny lifters and hourglasses for the export tests (random weights)."""

import keras
import pytest
import tensorflow as tf

from geo_rep_tf.models.pose_lifter import REGRESSORS, PoseLifter
from geo_rep_tf.models.stacked_hourglass import StackedHourglass
from geo_rep_tf.models.view_synthesis import ViewSynthesis

TINY_HOURGLASS = dict(num_stacks=1, num_features=8, depth=1, input_size=32)


def make_lifter(regressor='regression1', seed=0, map_sigma=0.0,
                medium='map', latent_encoders='phi'):
  """A built PoseLifter with base_filters=8 (or 64-wide MLPs for the
  'coords' medium) and a 64-wide regressor; G from phi, or with
  latent_encoders='phi_mu' from both encoders of a two-direction model."""
  keras.utils.set_random_seed(seed)
  rep = None
  if REGRESSORS[regressor][1]:
    rep_kwargs = dict(base_filters=8, depth=4, name='view_synthesis',
                      medium=medium, coords_hidden=64)
    if map_sigma:
      rep_kwargs['map_sigma'] = map_sigma
    rep = ViewSynthesis('sg' if latent_encoders == 'phi' else 'dg',
                        latent_encoders=latent_encoders, **rep_kwargs)
    rep(rep.dummy_inputs(), training=False)
  key = 'width' if regressor.startswith('regression2') else 'hidden'
  lifter = PoseLifter(regressor, rep, {key: 64}, name='pose_lifter')
  lifter(tf.random.uniform([1, 16, 2], 0, 100), training=False)
  return lifter


def make_hourglass():
  return StackedHourglass(**TINY_HOURGLASS, name='hourglass')


@pytest.fixture(scope='session')
def tiny_lifter():
  return make_lifter()


@pytest.fixture(scope='session')
def tiny_hourglass():
  return make_hourglass()


@pytest.fixture(scope='session')
def keypoints():
  from geo_rep_tf.export.verify import synthetic_keypoints
  return synthetic_keypoints(5, seed=3)


def one_line(message: str) -> bool:
  return '\n' not in str(message).strip()


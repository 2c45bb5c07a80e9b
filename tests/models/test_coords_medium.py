"""The 'coords' skeleton medium: shapes, config round trips, the rotation,
the stored 2D statistics and a loss that falls on real pairs."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.losses import representation_losses
from geo_rep_tf.models import ViewSynthesis
from geo_rep_tf.models.coords_codec import CoordsStandardizer

TINY = dict(medium='coords', num_points=8, coords_hidden=32)


def _rot_z(deg):
  a = np.deg2rad(deg)
  return np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0],
                   [0, 0, 1]], np.float32)


def _batch(batch=3, R=None, seed=0):
  rng = np.random.default_rng(seed)
  kp = lambda: (rng.normal(0, 40, (batch, 16, 2)) + 500).astype(np.float32)
  R = np.eye(3, dtype=np.float32) if R is None else R
  return {'keypoints_2d_px': kp(), 'target_keypoints_2d_px': kp(),
          'R_rel': np.tile(R[None], (batch, 1, 1))}


@pytest.mark.parametrize('variant', ['ae', 'sg', 'dg'])
def test_output_shapes_and_targets(variant):
  model = ViewSynthesis(variant, **TINY)
  out = model(_batch(), training=False)
  assert out['latent'].shape == (3, 8, 3)
  assert out['synthesized'].shape == (3, 16, 2)
  assert out['reconstruction_target'].shape == (3, 16, 2)
  assert ('synthesized_reverse' in out) == (variant == 'dg')
  assert ('reconstruction_target_reverse' in out) == (variant == 'dg')
  losses = representation_losses(out, {}, variant)
  assert losses['total'].shape == (3,)
  if variant == 'ae':
    # The auto-encoder redraws its own view, whatever the target pair.
    from geo_rep_tf.geometry import normalization
    src = normalization.normalize_keypoints_2d(_batch()['keypoints_2d_px'])
    np.testing.assert_allclose(out['reconstruction_target'], src, atol=1e-6)


@pytest.mark.parametrize('variant', ['sg', 'dg'])
def test_config_round_trip_keeps_medium_weights_and_statistics(variant):
  model = ViewSynthesis(variant, **TINY, name='vs')
  model(model.dummy_inputs(), training=False)
  model.coords_standardizer.set_statistics(
      np.random.default_rng(0).normal(0, 0.3, (20, 16, 2)))
  config = model.get_config()
  assert config['medium'] == 'coords' and config['coords_hidden'] == 32
  clone = ViewSynthesis.from_config(config)
  clone(clone.dummy_inputs(), training=False)
  clone.set_weights(model.get_weights())
  batch = _batch(R=_rot_z(40))
  out, out_clone = model(batch), clone(batch)
  for key in out:
    np.testing.assert_allclose(out[key], out_clone[key], atol=1e-5)
  # The map medium is unchanged and still the default.
  assert ViewSynthesis('sg', num_points=8, base_filters=4, depth=2,
                       map_size=16).get_config()['medium'] == 'map'


def test_rotation_turns_the_latent_the_decoder_reads():
  model = ViewSynthesis('dg', **TINY)
  R = _rot_z(90)
  base, turned = model(_batch()), model(_batch(R=R))
  np.testing.assert_allclose(base['latent'], turned['latent'])
  np.testing.assert_allclose(turned['latent_rotated'],
                             np.einsum('ij,bmj->bmi', R, turned['latent']),
                             atol=1e-5)
  assert np.abs(base['synthesized'] - turned['synthesized']).max() > 1e-4
  back = np.einsum('ji,bmj->bmi', R, turned['latent_target'])
  np.testing.assert_allclose(model.nu(back)['coords'],
                             turned['synthesized_reverse'], atol=1e-5)


def test_standardizer_statistics_and_errors():
  layer = CoordsStandardizer()
  coords = np.random.default_rng(2).normal(0.1, 0.3, (500, 16, 2))
  coords[:, 0] = 0.0  # The root is always at the origin.
  layer.set_statistics(coords)
  z = layer(tf.constant(coords, tf.float32)).numpy()
  np.testing.assert_allclose(z[:, 1:].mean(0), 0, atol=1e-4)
  np.testing.assert_allclose(z[:, 1:].std(0), 1, atol=0.01)
  assert np.all(z[:, 0] == 0)  # No division by a zero deviation.
  np.testing.assert_allclose(layer.inverse(z), coords, atol=1e-5)
  with pytest.raises(ArgumentError, match='16, 2'):
    layer.set_statistics(np.zeros((5, 17, 2)))
  with pytest.raises(ArgumentError, match='non-finite'):
    layer.set_statistics(np.full((5, 16, 2), np.nan))


def test_invalid_medium_and_sizes():
  with pytest.raises(ArgumentError, match='medium must be one of'):
    ViewSynthesis('sg', medium='points')
  with pytest.raises(ArgumentError, match='image_sg'):
    ViewSynthesis('image_sg', medium='coords')
  with pytest.raises(ArgumentError, match='coords_hidden'):
    ViewSynthesis('sg', medium='coords', coords_hidden=0)


@pytest.fixture(scope='module')
def bandai_coord_pairs(tmp_path_factory, samples_dir):
  from geo_rep_tf.data import pipeline, protocol
  out = tmp_path_factory.mktemp('coords') / 'protocol'
  protocol.build_protocol(str(samples_dir / 'bandai_namco'), str(out),
                          protocol.ProtocolConfig(num_workers=1))
  config = pipeline.PairConfig(batch_size=64, draw_maps=False,
                               virtual_fraction=0.5)
  return pipeline.pair_dataset(str(out), 'train', config, seed=0)


def test_dg_loss_falls_within_30_steps_on_real_pairs(bandai_coord_pairs):
  tf.keras.utils.set_random_seed(0)
  batches = list(bandai_coord_pairs.take(30))
  assert 'source_map' not in batches[0]  # No maps drawn for this medium.
  model = ViewSynthesis('dg', medium='coords', num_points=16,
                        coords_hidden=128)
  model(model.dummy_inputs(), training=False)
  from geo_rep_tf.geometry import normalization
  model.coords_standardizer.set_statistics(np.concatenate([
      normalization.normalize_keypoints_2d(b['keypoints_2d_px']).numpy()
      for b in batches]))
  optimizer = keras.optimizers.Adam(3e-3)
  optimizer.build(model.trainable_variables)

  @tf.function
  def step(batch):
    with tf.GradientTape() as tape:
      losses = representation_losses(model(batch, training=True), batch, 'dg',
                                     consistency_weight=0.1)
      loss = tf.reduce_mean(losses['total'])
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply(grads, model.trainable_variables)
    return {k: tf.reduce_mean(v) for k, v in losses.items()}

  history = [step(b) for b in batches]
  series = {k: np.array([h[k].numpy() for h in history]) for k in history[0]}
  first, last = ({k: v[s].mean() for k, v in series.items()}
                 for s in (slice(0, 5), slice(-5, None)))
  assert all(np.all(np.isfinite(v)) for v in series.values())
  # Standardised 2D: drawing the mean pose scores about 1 (batches of half
  # virtual pairs vary, hence means over five steps).
  assert last['reconstruction'] < 0.75 * first['reconstruction'], series
  assert last['reconstruction'] < 0.7
  assert last['reconstruction_reverse'] < 0.75 * first['reconstruction_reverse']
  assert last['consistency'] < 0.3 * first['consistency']


def test_latent_from_both_encoders_is_their_mean_and_round_trips():
  model = ViewSynthesis('dg', **TINY, latent_encoders='phi_mu', name='vs')
  model(model.dummy_inputs(), training=False)
  view = tf.random.normal([5, 16, 2])
  std = model._standardize(view)
  want = 0.5 * (model.phi(std)['latent'] + model.mu(std)['latent'])
  np.testing.assert_allclose(model.encode(view), want, atol=1e-6)
  # Unlike phi alone: the two encoders start from different weights.
  assert np.abs(model.encode(view) - model.phi(std)['latent']).max() > 1e-3
  clone = ViewSynthesis.from_config(model.get_config())
  clone(clone.dummy_inputs(), training=False)
  clone.set_weights(model.get_weights())
  assert clone.latent_encoders == 'phi_mu'
  np.testing.assert_allclose(clone.encode(view), model.encode(view),
                             atol=1e-6)


@pytest.mark.parametrize('variant,encoders', [('sg', 'phi_mu'),
                                              ('dg', 'mu')])
def test_latent_encoders_refused_where_they_do_not_exist(variant, encoders):
  with pytest.raises(ArgumentError, match='latent_encoders'):
    ViewSynthesis(variant, **TINY, latent_encoders=encoders)

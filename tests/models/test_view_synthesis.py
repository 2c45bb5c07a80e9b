"""Tests of the skeleton encoder/decoder and ViewSynthesis (tiny configs)."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf import variants
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.losses import representation_losses
from geo_rep_tf.models import SkeletonDecoder, SkeletonEncoder, ViewSynthesis

TINY = dict(num_points=8, base_filters=4, depth=2, map_size=16)
VARIANTS = list(variants.MODEL_VARIANTS)


def _rot_z(deg):
  a = np.deg2rad(deg)
  return np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0],
                   [0, 0, 1]], np.float32)


def _batch(channels=15, size=16, batch=2, R=None, seed=0):
  rng = np.random.default_rng(seed)
  maps = lambda: (rng.random((batch, size, size, channels)) < 0.2).astype(
      np.float32)
  R = np.eye(3, dtype=np.float32) if R is None else R
  return {'source_map': maps(), 'target_map': maps(),
          'R_rel': np.tile(R[None], (batch, 1, 1))}


# Parameter counts from the layer formulas. Batch norm counts its 4 vectors
# (gamma, beta and the two moving statistics); a conv followed by batch norm
# has no bias.
def _conv(k, cin, cout, bias):
  return k * k * cin * cout + (cout if bias else 0)


def _unit(cin, cout, bn):
  return _conv(3, cin, cout, not bn) + (4 * cout if bn else 0)


def _dense(n_in, n_out):
  return n_in * n_out + n_out


def _encoder_params(m, bf, depth, c, size, bn, **_):
  total, cin = 0, c
  for k in range(depth + 1):
    f = bf * 2**k
    total += _unit(cin, f, bn) + _unit(f, f, bn)
    cin = f
  side = size // 2**depth
  return total + _dense(side * side * bf * 2**depth, 3 * m)


def _decoder_params(m, bf, depth, c, size, bn, upsample='transpose'):
  side = size // 2**depth
  total = _dense(3 * m, side * side * bf * 2**depth)
  for k in reversed(range(depth)):
    f = bf * 2**k
    if upsample == 'transpose':
      total += _conv(2, 2 * f, f, True) + _unit(f, f, bn)
    else:
      total += _unit(2 * f, f, bn)
    total += _unit(f, f, bn)
  return total + _conv(1, bf, c, True)


@pytest.mark.parametrize('variant', VARIANTS)
def test_output_keys_and_shapes(variant):
  model = ViewSynthesis(variant, **TINY)
  channels = 3 if variant == 'image_sg' else 15
  assert model.input_channels == channels
  out = model(_batch(channels), training=False)
  expected = {'latent', 'latent_rotated', 'synthesized'}
  if variant == 'dg':
    expected |= {'latent_target', 'synthesized_reverse'}
  assert set(out) == expected
  for key in expected:
    if key.startswith('latent'):
      assert out[key].shape == (2, 8, 3), key
    else:
      assert out[key].shape == (2, 16, 16, channels), key
      assert np.all((out[key] >= 0) & (out[key] <= 1)), key
  np.testing.assert_allclose(model.encode(_batch(channels)['source_map']),
                             out['latent'])


def test_default_map_size_shapes():
  enc = SkeletonEncoder(8, base_filters=4, depth=4)
  dec = SkeletonDecoder(8, base_filters=4, depth=4)
  latent = enc(np.zeros((1, 64, 64, 15), np.float32))['latent']
  assert latent.shape == (1, 8, 3)
  assert dec(latent)['map'].shape == (1, 64, 64, 15)


@pytest.mark.parametrize('bn', [True, False])
@pytest.mark.parametrize('downsample', ['max_pool', 'strided_conv'])
@pytest.mark.parametrize('upsample', ['transpose', 'resize'])
def test_parameter_counts(bn, downsample, upsample):
  kw = dict(TINY, batch_norm=bn, downsample=downsample, upsample=upsample)
  enc = _encoder_params(8, 4, 2, 15, 16, bn)
  dec = _decoder_params(8, 4, 2, 15, 16, bn, upsample)
  assert ViewSynthesis('sg', **kw).count_params() == enc + dec
  assert ViewSynthesis('dg', **kw).count_params() == 2 * (enc + dec)
  assert ViewSynthesis('image_sg', **kw).count_params() == (
      _encoder_params(8, 4, 2, 3, 16, bn) +
      _decoder_params(8, 4, 2, 3, 16, bn, upsample))


def test_paper_size_encoder_channels():
  # U-Net 64-128-256-512-1024 halved; 4 x 4 bottleneck at 64 x 64.
  enc = SkeletonEncoder(32)
  convs = [l for l in enc.body if isinstance(l, keras.layers.Conv2D)]
  assert [c.filters for c in convs[::2]] == [32, 64, 128, 256, 512]
  assert enc.count_params() == _encoder_params(32, 32, 4, 15, 64, True)


@pytest.mark.parametrize('variant', ['sg', 'dg'])
def test_config_round_trip_same_outputs(variant):
  model = ViewSynthesis(variant, **TINY, upsample='resize', map_sigma=1.5,
                        name='vs')
  config = model.get_config()
  assert config['variant'] == variant and config['upsample'] == 'resize'
  assert config['map_sigma'] == 1.5
  clone = ViewSynthesis.from_config(config)
  clone.set_weights(model.get_weights())
  batch = _batch(R=_rot_z(30))
  out, out_clone = model(batch), clone(batch)
  for key in out:
    np.testing.assert_allclose(out[key], out_clone[key], atol=1e-6)
  enc = SkeletonEncoder(8, 4, 2, map_size=16, downsample='strided_conv')
  enc_clone = SkeletonEncoder.from_config(enc.get_config())
  assert enc_clone.get_config() == enc.get_config()


@pytest.mark.parametrize('variant', ['ae', 'sg', 'dg'])
def test_rotation_is_applied(variant):
  # A zero output bias keeps the sigmoid away from its flat tail.
  model = ViewSynthesis(variant, **TINY, output_bias=0.0)
  R = _rot_z(90)
  base = model(_batch(), training=False)
  turned = model(_batch(R=R), training=False)
  # The latent itself does not depend on R.
  np.testing.assert_allclose(base['latent'], turned['latent'])
  if variant == 'ae':
    np.testing.assert_allclose(turned['latent_rotated'], turned['latent'])
    np.testing.assert_allclose(base['synthesized'], turned['synthesized'])
    return
  np.testing.assert_allclose(
      turned['latent_rotated'],
      np.einsum('ij,bmj->bmi', R, turned['latent']), atol=1e-5)
  assert np.abs(base['synthesized'] - turned['synthesized']).max() > 1e-4
  if variant == 'dg':
    np.testing.assert_allclose(base['latent_target'],
                               turned['latent_target'])
    # nu draws S_i from R^T G~_j.
    back = np.einsum('ji,bmj->bmi', R, turned['latent_target'])
    np.testing.assert_allclose(
        model.nu(back, training=False)['map'],
        turned['synthesized_reverse'], atol=1e-5)
    assert np.abs(base['synthesized_reverse'] -
                  turned['synthesized_reverse']).max() > 1e-4


def test_save_and_load_model(tmp_path):
  model = ViewSynthesis('dg', **TINY)
  batch = _batch(R=_rot_z(45))
  out = model(batch, training=False)
  path = os.path.join(tmp_path, 'view_synthesis.keras')
  model.save(path)
  loaded = keras.models.load_model(path)
  assert isinstance(loaded, ViewSynthesis) and loaded.variant == 'dg'
  out_loaded = loaded(batch, training=False)
  for key in out:
    np.testing.assert_allclose(out[key], out_loaded[key], atol=1e-6)


def test_invalid_arguments():
  with pytest.raises(ArgumentError, match='variant'):
    ViewSynthesis('sg_aug', **TINY)
  with pytest.raises(ArgumentError, match='divisible'):
    ViewSynthesis('sg', num_points=8, base_filters=4, depth=3, map_size=20)
  with pytest.raises(ArgumentError, match='num_points'):
    SkeletonEncoder(0)
  with pytest.raises(ArgumentError, match='downsample'):
    SkeletonEncoder(8, downsample='avg')
  with pytest.raises(ArgumentError, match='upsample'):
    SkeletonDecoder(8, upsample='bilinear')
  with pytest.raises(ArgumentError, match='output_activation'):
    SkeletonDecoder(8, output_activation='tanh')


def test_output_bias_starts_maps_nearly_empty():
  sg = ViewSynthesis('sg', **TINY)
  np.testing.assert_allclose(sg.output_bias, np.log(0.01 / 0.99))
  out = sg(_batch(), training=False)['synthesized']
  assert 0.001 < np.mean(out) < 0.05
  assert ViewSynthesis('image_sg', **TINY).output_bias == 0.0
  explicit = ViewSynthesis('sg', **TINY, output_bias=0.0)
  np.testing.assert_allclose(
      np.mean(explicit(_batch(), training=False)['synthesized']), 0.5,
      atol=0.15)
  assert ViewSynthesis.from_config(explicit.get_config()).output_bias == 0.0


def test_linear_output_for_images():
  model = ViewSynthesis('image_sg', **TINY, output_activation='linear')
  batch = _batch(3)
  batch['source_map'] = batch['source_map'] * 50.0
  out = model(batch, training=False)['synthesized']
  assert out.shape == (2, 16, 16, 3)
  assert np.min(out) < 0 or np.max(out) > 1


@pytest.fixture(scope='module')
def bandai_pairs(tmp_path_factory, samples_dir):
  from geo_rep_tf.data import pipeline, protocol
  out = tmp_path_factory.mktemp('vs') / 'protocol'
  protocol.build_protocol(str(samples_dir / 'bandai_namco'), str(out),
                          protocol.ProtocolConfig(num_workers=1))
  # 32 x 32 maps keep the test short; the model is the same code at 64.
  config = pipeline.PairConfig(batch_size=8, map_size=32)
  return pipeline.pair_dataset(str(out), 'train', config, seed=0)


def test_dg_loss_falls_on_bandai_pairs(bandai_pairs):
  tf.keras.utils.set_random_seed(0)
  model = ViewSynthesis('dg', num_points=8, base_filters=4, depth=2,
                        map_size=32)
  optimizer = keras.optimizers.Adam(3e-3)
  optimizer.build(model.trainable_variables)

  @tf.function
  def step(batch):
    with tf.GradientTape() as tape:
      losses = representation_losses(model(batch, training=True), batch,
                                     'dg')
      loss = tf.reduce_mean(losses['total'])
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply(grads, model.trainable_variables)
    out = {k: tf.reduce_mean(v) for k, v in losses.items()}
    # MSE of an empty drawing = lit fraction: it varies between batches.
    out['vs_empty'] = out['reconstruction'] / tf.reduce_mean(
        batch['target_map'])
    return out

  history = [step(b) for b in bandai_pairs.take(30)]
  series = {k: np.array([h[k].numpy() for h in history]) for k in history[0]}
  first, last = ({k: v[s].mean() for k, v in series.items()}
                 for s in (slice(0, 5), slice(-5, None)))
  assert all(np.all(np.isfinite(v)) for v in series.values())
  assert last['total'] < 0.5 * first['total'], series['total']
  assert last['consistency'] < 0.1 * first['consistency']
  # The decoders start at an almost empty map (output bias) and within 30
  # steps draw better than an empty map.
  assert last['vs_empty'] < min(first['vs_empty'], 1.0), series['vs_empty']
  assert last['reconstruction_reverse'] < first['reconstruction_reverse']


@pytest.mark.parametrize('variant', ['sg', 'dg'])
def test_normalized_latent_has_unit_rms_and_round_trips(variant):
  model = ViewSynthesis(variant, **TINY, normalize_latent=True)
  out = model(_batch(R=_rot_z(40)))
  M = TINY['num_points']
  for key in ('latent', 'latent_rotated'):
    rms = np.sqrt(np.sum(np.square(out[key]), axis=(1, 2)) / M)
    np.testing.assert_allclose(rms, 1.0, rtol=1e-5)
  clone = ViewSynthesis.from_config(model.get_config())
  assert clone.phi.normalize_latent
  clone.set_weights(model.get_weights())
  np.testing.assert_allclose(clone(_batch(R=_rot_z(40)))['latent'],
                             out['latent'], atol=1e-5)

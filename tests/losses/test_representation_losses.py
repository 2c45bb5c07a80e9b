"""Tests of geo_rep_tf.losses.representation on hand-computed cases."""

import numpy as np
import pytest

from geo_rep_tf import variants
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.losses import representation as rl


def _rot_z(deg):
  a = np.deg2rad(deg)
  return np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0],
                   [0, 0, 1]], np.float32)


def _points(seed, batch=3, m=8):
  return np.random.default_rng(seed).normal(size=(batch, m, 3)).astype(
      np.float32)


def test_reconstruction_zero_for_identical_maps():
  maps = (np.random.default_rng(0).random((2, 8, 8, 15)) < 0.1).astype(
      np.float32)
  loss = rl.map_reconstruction_loss(maps, maps)
  assert loss.shape == (2,)
  np.testing.assert_array_equal(loss, 0.0)


def test_reconstruction_is_mean_over_pixels_and_channels():
  pred = np.full((2, 4, 4, 3), 0.5, np.float32)
  target = np.zeros_like(pred)
  target[1, 0, 0, 0] = 1.0  # one of the 48 elements of example 1 is lit
  loss = rl.map_reconstruction_loss(pred, target).numpy()
  # Example 0: every (0.5 - 0)^2 = 0.25. Example 1: 47 * 0.25 + 1 * 0.25.
  np.testing.assert_allclose(loss, [0.25, 0.25], rtol=1e-6)
  pred[1, 0, 0, 0] = 1.0
  loss = rl.map_reconstruction_loss(pred, target).numpy()
  np.testing.assert_allclose(loss, [0.25, 47 * 0.25 / 48], rtol=1e-6)


def test_reconstruction_rejects_mismatched_shapes():
  with pytest.raises(ArgumentError, match='pred_map'):
    rl.map_reconstruction_loss(np.zeros((1, 4, 4, 15)),
                               np.zeros((1, 4, 4, 3)))


def test_consistency_hand_made_pairs():
  # Orthogonal unit points: ||(1,0,0) - (0,1,0)||^2 = 2.
  a = np.array([[[1.0, 0, 0]]], np.float32)
  b = np.array([[[0, 1.0, 0]]], np.float32)
  np.testing.assert_allclose(rl.consistency_loss(a, b), [2.0], rtol=1e-6)
  # Opposite sets: the maximum, 4.
  np.testing.assert_allclose(rl.consistency_loss(a, -a), [4.0], rtol=1e-6)
  # n(b) = [[1/sqrt2, 0, 0], [0, 1/sqrt2, 0]]; the difference is
  # [[1 - 1/sqrt2, 0, 0], [0, -1/sqrt2, 0]]: (1 - 1/sqrt2)^2 + 1/2 = 2 - sqrt2.
  a2 = np.array([[[1.0, 0, 0], [0, 0, 0]]], np.float32)
  b2 = np.array([[[2.0, 0, 0], [0, 2.0, 0]]], np.float32)
  np.testing.assert_allclose(rl.consistency_loss(a2, b2), [2 - np.sqrt(2)],
                             rtol=1e-6)


def test_consistency_zero_for_rotated_and_scaled_copies():
  g = _points(1)
  R = _rot_z(70)
  rotated = np.einsum('ij,bmj->bmi', R, g)
  loss = rl.consistency_loss(rotated, rotated.copy())
  assert loss.shape == (3,)
  np.testing.assert_allclose(loss, 0.0, atol=1e-6)
  # n(.) removes the scale.
  np.testing.assert_allclose(rl.consistency_loss(rotated, 3.5 * rotated),
                             0.0, atol=1e-6)
  # The loss does not depend on the frame both sets are expressed in.
  h = _points(2)
  np.testing.assert_allclose(
      rl.consistency_loss(np.einsum('ij,bmj->bmi', R, g),
                          np.einsum('ij,bmj->bmi', R, h)),
      rl.consistency_loss(g, h), rtol=1e-5)


def test_centred_consistency_ignores_translating_either_set():
  g = _points(1)
  R = _rot_z(40)
  rotated = np.einsum('ij,bmj->bmi', R, g)
  target = rotated + 0.05 * _points(7)
  base = rl.consistency_loss(rotated, target, centred=True)
  moved = rl.consistency_loss(rotated + np.array([300., -20., 5.]),
                              target + np.array([-7., 90., 400.]),
                              centred=True)
  np.testing.assert_allclose(moved, base, rtol=1e-4, atol=1e-6)
  assert np.all(base.numpy() > 0)
  # The paper's scale-only n(.) is dominated by such a shared offset: the
  # same shape mismatch all but vanishes under a large common translation.
  offset = np.array([0., 0., 1000.])
  plain = rl.consistency_loss(rotated + offset, target + offset)
  assert np.all(plain.numpy() < 0.01 * base.numpy())
  # Centred, a rotated copy still costs nothing.
  np.testing.assert_allclose(
      rl.consistency_loss(rotated + 3.0, rotated.copy(), centred=True), 0.0,
      atol=1e-6)


def _fake_outputs_and_batch():
  rng = np.random.default_rng(3)
  maps = lambda: (rng.random((2, 8, 8, 15)) < 0.1).astype(np.float32)
  outputs = {'synthesized': np.full((2, 8, 8, 15), 0.25, np.float32),
             'synthesized_reverse': np.full((2, 8, 8, 15), 0.5, np.float32),
             'latent': _points(4, 2), 'latent_rotated': _points(5, 2),
             'latent_target': _points(6, 2)}
  batch = {'source_map': maps(), 'target_map': maps()}
  return outputs, batch


@pytest.mark.parametrize('variant', variants.MODEL_VARIANTS)
def test_representation_losses_terms(variant):
  outputs, batch = _fake_outputs_and_batch()
  losses = rl.representation_losses(outputs, batch, variant,
                                    consistency_weight=0.5)
  recon_target = batch['source_map'] if variant == 'ae' else batch[
      'target_map']
  expected_recon = rl.map_reconstruction_loss(outputs['synthesized'],
                                              recon_target)
  np.testing.assert_allclose(losses['reconstruction'], expected_recon)
  if variant == 'dg':
    assert set(losses) == {'reconstruction', 'reconstruction_reverse',
                           'consistency', 'total'}
    np.testing.assert_allclose(
        losses['reconstruction_reverse'],
        rl.map_reconstruction_loss(outputs['synthesized_reverse'],
                                   batch['source_map']))
    np.testing.assert_allclose(
        losses['consistency'],
        rl.consistency_loss(outputs['latent_rotated'],
                            outputs['latent_target']))
    np.testing.assert_allclose(
        losses['total'], losses['reconstruction'] +
        losses['reconstruction_reverse'] + 0.5 * losses['consistency'],
        rtol=1e-6)
  else:
    assert set(losses) == {'reconstruction', 'total'}
    np.testing.assert_allclose(losses['total'], losses['reconstruction'])
  for v in losses.values():
    assert v.shape == (2,)


def test_representation_losses_rejects_unknown_variant():
  outputs, batch = _fake_outputs_and_batch()
  with pytest.raises(ArgumentError, match='variant'):
    rl.representation_losses(outputs, batch, 'sg+aug')


def test_lit_weight_scales_only_lit_pixels():
  import numpy as np
  from geo_rep_tf.losses.representation import map_reconstruction_loss
  target = np.zeros((1, 2, 2, 1), np.float32)
  target[0, 0, 0, 0] = 1.0
  pred = np.full((1, 2, 2, 1), 0.5, np.float32)
  # Errors 0.25 everywhere; the lit pixel counts 20x: (20 + 3) * 0.25 / 4.
  np.testing.assert_allclose(map_reconstruction_loss(pred, target, 20.0),
                             [23 * 0.25 / 4], rtol=1e-6)
  np.testing.assert_allclose(map_reconstruction_loss(pred, target), [0.25])

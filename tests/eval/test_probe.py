"""Linear probes on synthetic data where the answer is known."""

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval import probe


def _linear_data(n, d=10, joints=16, seed=0):
  rng = np.random.default_rng(seed)
  x = rng.normal(size=(n, d)) * rng.uniform(0.1, 50, size=d) + rng.normal(
      size=d) * 100
  w = rng.normal(size=(d, joints * 3))
  b = rng.normal(size=joints * 3) * 300
  return x, (x @ w + b).reshape(n, joints, 3)


def test_plain_least_squares_recovers_a_linear_map_exactly():
  x, y = _linear_data(350)
  x, y, x_new, y_new = x[:300], y[:300], x[300:], y[300:]
  fit = probe.ridge_fit(x, y.reshape(300, -1), ridge=0.0)
  np.testing.assert_allclose(fit.predict(x_new).reshape(50, 16, 3), y_new,
                             atol=1e-6)
  assert probe.ridge_mpjpe(x, y, x_new, y_new, ridge=0.0) < 1e-6
  # The default penalty shrinks the fit a little, but not far.
  err = probe.ridge_mpjpe(x, y, x_new, y_new)
  assert 0 < err < 0.01 * np.linalg.norm(y_new, axis=-1).mean()


def test_the_score_is_on_held_out_samples():
  rng = np.random.default_rng(2)
  y = rng.normal(size=(80, 16, 3)) * 100
  x = rng.normal(size=(80, 200))  # more features than samples: memorises
  fit = probe.ridge_fit(x[:40], y[:40].reshape(40, -1), ridge=0.0)
  train_err = probe.mpjpe(fit.predict(x[:40]).reshape(40, 16, 3), y[:40])
  assert train_err < 1e-6
  # Held out, pure-noise features predict nothing: about the error of the
  # mean pose, far above the training error.
  held_out = probe.ridge_mpjpe(x[:40], y[:40], x[40:], y[40:], ridge=1.0)
  mean_pose = probe.mpjpe(np.broadcast_to(y[:40].mean(0), y[40:].shape),
                          y[40:])
  assert held_out == pytest.approx(mean_pose, rel=0.1)


def test_features_are_standardised_with_training_statistics():
  x, y = _linear_data(200)
  fit = probe.ridge_fit(x, y.reshape(200, -1))
  np.testing.assert_allclose(fit.mean, x.mean(0))
  np.testing.assert_allclose(fit.std, x.std(0) + 1e-8)
  assert fit.weights.shape == (11, 48)  # D + bias, 16 joints x 3


def test_mpjpe_and_normalised_2d():
  a = np.zeros((2, 16, 3))
  b = a.copy()
  b[:, :, 0] = 3.0
  b[:, :, 1] = 4.0
  assert probe.mpjpe(a, b) == pytest.approx(5.0)
  kp = np.random.default_rng(3).uniform(0, 1000, size=(4, 16, 2))
  f = probe.normalised_2d(kp)
  assert f.shape == (4, 32)
  np.testing.assert_allclose(np.linalg.norm(f, axis=1), 1.0)
  np.testing.assert_allclose(f.reshape(4, 16, 2)[:, 0], 0.0)
  # Position and scale in the image do not matter.
  np.testing.assert_allclose(probe.normalised_2d(kp * 3 + 50), f, atol=1e-12)


def test_map_fit():
  rng = np.random.default_rng(4)
  target = rng.uniform(size=(8, 4, 4, 2))
  perfect = probe.map_fit(target, target)
  assert perfect['rec_mse'] == 0 and perfect['explained'] == 1
  assert perfect['syn_var_over_tgt_var'] == pytest.approx(1.0)
  mean = probe.map_fit(np.broadcast_to(target.mean(0), target.shape), target)
  assert mean['explained'] == pytest.approx(0.0, abs=1e-12)
  assert mean['syn_var_over_tgt_var'] == pytest.approx(0.0, abs=1e-12)
  assert mean['meanmap_mse'] == pytest.approx(mean['rec_mse'])


def test_shapes_are_checked():
  with pytest.raises(ArgumentError, match='x must be'):
    probe.ridge_fit(np.zeros(5), np.zeros((5, 3)))
  with pytest.raises(ArgumentError, match=r'\[N, J, 3\]'):
    probe.ridge_mpjpe(np.zeros((5, 2)), np.zeros((5, 48)), np.zeros((2, 2)),
                      np.zeros((2, 16, 3)))
  with pytest.raises(ArgumentError, match='same number'):
    probe.ridge_mpjpe(np.zeros((5, 2)), np.zeros((4, 16, 3)),
                      np.zeros((2, 2)), np.zeros((2, 16, 3)))
  fit = probe.ridge_fit(np.ones((5, 2)), np.zeros((5, 3)))
  with pytest.raises(ArgumentError, match='features'):
    fit.predict(np.zeros((1, 3)))
  with pytest.raises(ArgumentError, match='ridge'):
    probe.ridge_fit(np.ones((5, 2)), np.zeros((5, 3)), ridge=-1)
  with pytest.raises(ArgumentError, match='one shape'):
    probe.map_fit(np.zeros((2, 4, 4, 1)), np.zeros((2, 4, 4, 2)))


def test_latent_diagnostics_find_rotation_consistent_and_offset_latents():
  rng = np.random.default_rng(0)
  poses = rng.normal(0, 300, (400, 16, 3))
  w = rng.normal(0, 1, (8, 16))
  consistent = np.einsum('mj,njc->nmc', w, poses)
  d = probe.latent_diagnostics(consistent, poses)
  assert d['rotation_consistent_share'] == pytest.approx(1.0, abs=1e-9)
  assert sum(d['axis_variance_share']) == pytest.approx(1.0)
  # A large constant on the vertical axis is no function of the pose that
  # turns with it: the share falls below 0 and the mean dwarfs the spread.
  offset = consistent + np.array([0.0, 1e5, 0.0])
  d = probe.latent_diagnostics(offset, poses)
  assert d['rotation_consistent_share'] < 0
  assert d['mean_norm'] > 10 * d['deviation_rms']
  # Variance only along y: its share is 1.
  flat = np.zeros((400, 8, 3))
  flat[..., 1] = rng.normal(size=(400, 8))
  assert probe.latent_diagnostics(flat, poses)['axis_variance_share'][1] == (
      pytest.approx(1.0))
  with pytest.raises(ArgumentError, match='latents must be'):
    probe.latent_diagnostics(np.zeros((3, 8, 2)), poses[:3])

"""A 'coords' representation run through the run layer: trained by the
Trainer (its 2D statistics from the training split), reloaded, regressed
on, evaluated, probed and served by the one Lifter."""

import numpy as np
import pytest

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import probe
from geo_rep_tf.geometry import normalization
from geo_rep_tf.runs import latent_cache
from geo_rep_tf.runs.evaluation import evaluate_run
from geo_rep_tf.runs.lifter import load_lifter
from geo_rep_tf.runs.loading import load_regressor_run, load_representation
from tests.eval import tiny_runs


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
  protocol_dir = tiny_runs.tiny_protocol(tmp_path_factory)
  rep = tiny_runs.representation(tmp_path_factory, medium='coords')
  reg = tiny_runs.regressor(tmp_path_factory, 'regression1', 'BL+DG+AUG',
                            medium='coords')
  return protocol_dir, rep, reg


def test_reloaded_representation_keeps_medium_and_training_statistics(runs):
  protocol_dir, rep_dir, _ = runs
  rep = load_representation(rep_dir)
  assert rep.medium == 'coords' and rep.coords_standardizer is not None
  kp = np.concatenate([b['keypoints_2d_px'] for b in pipeline.sample_dataset(
      protocol_dir, 'train').batch(4096).as_numpy_iterator()])
  coords = normalization.normalize_keypoints_2d(kp).numpy()
  np.testing.assert_allclose(rep.coords_standardizer.mean.numpy(),
                             coords.mean(0), atol=1e-5)
  np.testing.assert_allclose(rep.coords_standardizer.std.numpy(),
                             coords.std(0) + 1e-3, atol=1e-5)


def test_regressor_on_coords_g_evaluates_and_lifts(runs):
  protocol_dir, _, reg_dir = runs
  model, config = load_regressor_run(reg_dir)
  assert model.representation.medium == 'coords'
  result = evaluate_run(model, config, reg_dir, limit=50)
  assert 0 < result['results']['exact']['mean']['mpjpe'] < 2000
  kp = next(pipeline.sample_dataset(protocol_dir, 'test').batch(8)
            .as_numpy_iterator())['keypoints_2d_px']
  lifter = load_lifter(reg_dir)
  want = model(kp, training=False)['pose_3d_mm'].numpy()
  # The Lifter is root-relative; XLA may round differently.
  np.testing.assert_allclose(lifter(kp), want - want[:, :1], atol=0.05)


def test_probe_reads_coords_views(runs):
  protocol_dir, rep_dir, _ = runs
  config = probe.ProbeConfig(train_samples=120, train_stride=2,
                             test_samples=60, test_stride=2, map_pairs=8,
                             encode_batch=32)
  out = probe.probe_representation(rep_dir, protocol_dir, config)
  assert 0 < out['probe_G_mpjpe'] < 1000
  assert np.isfinite(out['rec_mse']) and out['meanmap_mse'] > 0
  assert len(out['diagnostics']['axis_variance_share']) == 3


def test_regressor_on_both_encoders_reloads_with_its_own_g(runs,
                                                           tmp_path_factory):
  protocol_dir, rep_dir, reg_dir = runs
  both_dir = tiny_runs.cached_run(
      tmp_path_factory, 'reg_regression1_coords_phi_mu',
      tiny_runs.train_regressor, regressor='regression1',
      representation_dir=rep_dir, latent_encoders='phi_mu')
  model, config = load_regressor_run(both_dir)
  assert config.latent_encoders == 'phi_mu'
  assert model.representation.latent_encoders == 'phi_mu'
  phi_only, _ = load_regressor_run(reg_dir)
  # Cached G of one never answers for the other.
  assert (latent_cache.latent_fingerprint(model.representation, 0.1) !=
          latent_cache.latent_fingerprint(phi_only.representation, 0.1))
  kp = next(pipeline.sample_dataset(protocol_dir, 'test').batch(8)
            .as_numpy_iterator())['keypoints_2d_px']
  rep = model.representation
  view = rep.encoder_input(kp, model.map_margin)
  std = rep._standardize(view)
  want = 0.5 * (rep.phi(std)['latent'] + rep.mu(std)['latent'])
  np.testing.assert_allclose(model(kp, training=False)['latent'], want,
                             atol=1e-5)


def test_both_encoders_need_a_two_direction_representation(tmp_path_factory):
  rep_dir = tiny_runs.representation(tmp_path_factory, 'BL+SG+AUG',
                                     medium='coords')
  with pytest.raises(ArgumentError, match="variant 'dg'"):
    load_representation(rep_dir, 'phi_mu')

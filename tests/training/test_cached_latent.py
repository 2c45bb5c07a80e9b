"""Regressors on G train on G cached once (phi is frozen)."""

import os

import numpy as np
import tensorflow as tf

from geo_rep_tf.models.pose_lifter import pose_latent
from geo_rep_tf.runs import latent_cache
from geo_rep_tf.runs.configs import RegressorConfig
from geo_rep_tf.runs.loading import load_representation
from geo_rep_tf.training import regressor_task as rt
from geo_rep_tf.training.trainer import Trainer, TrainerConfig
from tests.training.conftest import train_tiny_representation


def _task(protocol_dir, rep_dir, cache):
  return rt.RegressorTask(RegressorConfig(
      protocol_dir=protocol_dir, regressor='regression1', num_labels=96,
      representation_dir=rep_dir, hidden=32, global_batch_size=32,
      dropout=0.0, cache_latent=cache))


def test_cached_latent_is_what_the_lifter_computes(tiny_protocol, tmp_path):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=4)
  context = tf.distribute.InputContext(1, 0, 1)
  batch = next(iter(_task(tiny_protocol, rep_dir, True).dataset(context)))
  assert set(batch) == {'keypoints_2d_px', 'pose_3d_mm', 'latent'}
  expected = pose_latent(load_representation(rep_dir),
                         batch['keypoints_2d_px'])
  np.testing.assert_allclose(batch['latent'], expected, rtol=1e-4, atol=1e-4)
  # Not all equal: G depends on the pose.
  assert np.ptp(batch['latent'].numpy(), axis=0).max() > 1e-3

  # Training on the cached G follows the uncached run step for step (same
  # samples, same order, same numbers into the regressor). Both start from
  # the same regressor weights (loading phi for the cache draws from the
  # global RNG, so fresh initialisations would differ).
  trainers = {}
  for cache in (True, False):
    trainers[cache] = Trainer(
        _task(tiny_protocol, rep_dir, cache),
        TrainerConfig(model_dir=str(tmp_path / f'r{cache}'), train_steps=3,
                      steps_per_loop=3, global_batch_size=32, log_every_s=0,
                      image_summaries_every=0, deterministic=True),
        log=lambda s: None)
  trainers[False].model.regressor.set_weights(
      trainers[True].model.regressor.get_weights())
  losses = {cache: t.train()['total'] for cache, t in trainers.items()}
  np.testing.assert_allclose(losses[True], losses[False], rtol=1e-4)


def test_training_g_is_kept_on_disk_per_encoder_and_keypoints(
    tiny_protocol, tmp_path, monkeypatch):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=2)
  rep = load_representation(rep_dir)
  cache = str(tmp_path / 'cache')
  rng = np.random.default_rng(0)
  kp = rng.uniform(100, 900, [40, 16, 2]).astype(np.float32)
  lines = []
  first = latent_cache.encode_latents(rep, kp, batch_size=16,
                                      cache_dir=cache, log=lines.append)
  np.testing.assert_allclose(first, latent_cache.encode_latents(rep, kp, 16),
                             rtol=1e-5, atol=1e-6)
  assert len(os.listdir(cache)) == 1 and 'wrote 40 samples' in lines[-1]

  # A hit never runs the encoder.
  def no_encoding(*args, **kwargs):
    raise AssertionError('encoded although cached')
  with monkeypatch.context() as m:
    m.setattr(latent_cache, 'pose_latent', no_encoding)
    np.testing.assert_array_equal(
        latent_cache.encode_latents(rep, kp, 16, cache, lines.append), first)
  assert 'from' in lines[-1]

  # Other keypoints, or the same keypoints through a changed phi, miss.
  latent_cache.encode_latents(rep, kp[:39], 16, cache)
  phi_weight = rep.phi.weights[0]
  phi_weight.assign(phi_weight + 0.01)
  changed = latent_cache.encode_latents(rep, kp, 16, cache)
  assert len(os.listdir(cache)) == 3
  assert np.abs(changed - first).max() > 1e-6

  # A damaged file is encoded again (and rewritten), not trusted.
  path = latent_cache.latent_cache_path(cache, rep, kp)
  with open(path, 'wb') as fh:
    fh.write(b'not an array')
  np.testing.assert_array_equal(
      latent_cache.encode_latents(rep, kp, 16, cache, lines.append), changed)
  assert 'unreadable' in lines[-2]
  np.testing.assert_array_equal(np.load(path), changed)


def test_regressor_runs_share_the_training_g_of_their_representation(
    tiny_protocol, tmp_path):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=2)
  context = tf.distribute.InputContext(1, 0, 1)
  lines = []
  task = rt.RegressorTask(RegressorConfig(
      protocol_dir=tiny_protocol, regressor='regression1', num_labels=96,
      representation_dir=rep_dir, hidden=32, global_batch_size=32))
  task.log = lines.append  # what a Trainer does with its own log
  assert task.latent_cache_dir == os.path.join(rep_dir, 'latent_cache')
  first = next(iter(task.dataset(context)))['latent'].numpy()
  second = next(iter(task.dataset(context)))['latent'].numpy()
  np.testing.assert_array_equal(first, second)
  assert ['wrote' in lines[0], 'from' in lines[1]] == [True, True]
  off = rt.RegressorTask(RegressorConfig(
      protocol_dir=tiny_protocol, regressor='regression1', num_labels=96,
      representation_dir=rep_dir, latent_cache_dir=''))
  assert off.latent_cache_dir is None

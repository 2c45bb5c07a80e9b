"""Regressors on G train on G cached once (phi is frozen)."""

import numpy as np
import tensorflow as tf

from geo_rep_tf.models.pose_lifter import pose_latent
from geo_rep_tf.training import regressor_task as rt
from geo_rep_tf.training.trainer import Trainer, TrainerConfig
from tests.training.conftest import train_tiny_representation


def _task(protocol_dir, rep_dir, cache):
  return rt.RegressorTask(rt.RegressorConfig(
      protocol_dir=protocol_dir, regressor='regression1', num_labels=96,
      representation_dir=rep_dir, hidden=32, global_batch_size=32,
      dropout=0.0, cache_latent=cache))


def test_cached_latent_is_what_the_lifter_computes(tiny_protocol, tmp_path):
  rep_dir = str(tmp_path / 'rep')
  train_tiny_representation(tiny_protocol, rep_dir, steps=4)
  context = tf.distribute.InputContext(1, 0, 1)
  batch = next(iter(_task(tiny_protocol, rep_dir, True).dataset(context)))
  assert set(batch) == {'keypoints_2d_px', 'pose_3d_mm', 'latent'}
  expected = pose_latent(rt.load_representation(rep_dir),
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

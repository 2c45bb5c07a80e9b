"""RepresentationConfig: the latent's constraints reach the pairs and the loss."""

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import virtual_cameras as vc
from geo_rep_tf.training import representation_task as rt


def test_defaults_are_the_papers_band_and_scale_only_consistency():
  cfg = rt.RepresentationConfig(protocol_dir='p')
  assert cfg.virtual_cameras() == vc.VirtualCameraConfig()
  assert cfg.centred_consistency is False


def test_wide_sphere_reaches_the_pair_pipeline(monkeypatch):
  cfg = rt.RepresentationConfig(protocol_dir='p',
                                virtual_elevation_deg=[-45, 75],
                                virtual_roll_deg=30.0)
  assert cfg.virtual_elevation_deg == (-45.0, 75.0)
  seen = {}
  monkeypatch.setattr(
      rt.pipeline, 'pair_dataset',
      lambda d, split, config, seed: seen.setdefault('c', config))

  class Context:
    input_pipeline_id = 0

    def get_per_replica_batch_size(self, n):
      return n

  rt.RepresentationTask(cfg).dataset(Context())
  assert seen['c'].virtual.elevation_deg == (-45.0, 75.0)
  assert seen['c'].virtual.roll_deg == 30.0


@pytest.mark.parametrize('kw', [dict(virtual_elevation_deg=(50, 10)),
                                dict(virtual_elevation_deg=(-95, 10)),
                                dict(virtual_roll_deg=95.0)])
def test_bad_virtual_ranges_are_refused(kw):
  with pytest.raises(ArgumentError):
    rt.RepresentationConfig(protocol_dir='p', **kw)


def test_centred_consistency_reaches_the_loss():
  rng = np.random.default_rng(0)
  g = rng.normal(size=(2, 8, 3)).astype(np.float32)
  outputs = {'synthesized': np.zeros((2, 8, 8, 15), np.float32),
             'synthesized_reverse': np.zeros((2, 8, 8, 15), np.float32),
             'latent_rotated': g + 100.0, 'latent_target': g + 0.1 * (
                 rng.normal(size=g.shape).astype(np.float32)) - 50.0}
  batch = {'source_map': np.zeros((2, 8, 8, 15), np.float32),
           'target_map': np.zeros((2, 8, 8, 15), np.float32)}
  losses = {}
  for centred in (False, True):
    task = rt.RepresentationTask(rt.RepresentationConfig(
        protocol_dir='p', centred_consistency=centred))

    class Model:
      def __call__(self, b, training=None):
        return outputs
    losses[centred] = float(np.mean(
        task.compute_losses(Model(), batch, False)['consistency']))
  # Opposite offsets dominate the scale-only loss; centring removes them.
  assert losses[True] < 0.1 * losses[False]

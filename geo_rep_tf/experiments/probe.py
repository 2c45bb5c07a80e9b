"""Does a representation run's G carry the pose? Linear probes and map fit.

The probe tables of docs/skeleton_media.md come from here (tools/probe_representation.py):
- probe_G_mpjpe: MPJPE (mm) of a ridge regression (`eval.probe`) from G
  (flattened) to the root-relative 3D pose, fitted on 8,000 training
  samples (every 25th) and scored on 3,000 test samples (every 20th);
  probe_2D_mpjpe: the same probe on normalised 2D keypoints, for scale;
  probe_G_2D_mpjpe: both together (below probe_2D_mpjpe: G carries
  something linear 2D does not). A linear probe, so a lower bound on what a
  trained regressor gets from G.
- noisy: the same three probes with the protocol's noisy 2D (sigma 5 px at
  1000 px, fitted and scored on noisy 2D): how much 2D noise costs each.
- rec_mse / meanmap_mse / explained / syn_var_over_tgt_var: the decoder's
  views (maps, or standardised 2D for the 'coords' medium) on 256 test
  pairs (same-view pairs for BL+AE, else half virtual), see
  `eval.probe.map_fit`.
- diagnostics: `eval.probe.latent_diagnostics` of the test samples' G
  (per-axis variance, mean against deviation, the share of G a
  rotation-consistent linear function of the 3D explains).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Tuple

import numpy as np

from geo_rep_tf.data import pipeline
from geo_rep_tf.eval import probe
from geo_rep_tf.models.pose_lifter import pose_latent
from geo_rep_tf.runs.loading import load_representation


@dataclasses.dataclass(frozen=True)
class ProbeConfig:
  """Which samples the probes read (the published figures: the defaults).

  Attributes:
    train_samples, train_stride: fit on this many training samples, every
      train_stride-th of the split.
    test_samples, test_stride: score on this many test samples, every
      test_stride-th.
    ridge: the ridge penalty (`eval.probe.ridge_fit`).
    map_pairs: test pairs of the map fit.
    map_seed: seed of those pairs.
    encode_batch: samples encoded at once.
  """
  train_samples: int = 8000
  train_stride: int = 25
  test_samples: int = 3000
  test_stride: int = 20
  ridge: float = probe.DEFAULT_RIDGE
  map_pairs: int = 256
  map_seed: int = 7
  encode_batch: int = 500


def samples(protocol_dir: str, split: str, n: int, stride: int,
            noisy_2d: bool = False) -> Tuple[np.ndarray, np.ndarray]:
  """Keypoints [n, 16, 2] (px) and root-relative 3D poses [n, 16, 3] (mm)
  of n samples, every stride-th, of a split (fewer if the split is short)."""
  ds = pipeline.sample_dataset(protocol_dir, split,
                               noisy_2d=noisy_2d).shard(stride, 0)
  kp, pose = [], []
  for b in ds.take(n).batch(1000):
    kp.append(b['keypoints_2d_px'].numpy())
    pose.append(b['pose_3d_mm'].numpy())
  return np.concatenate(kp), np.concatenate(pose)


def latents(representation, keypoints_px, batch: int = 500) -> np.ndarray:
  """G of keypoints [N, 16, 2], [N, M, 3]."""
  return np.concatenate([
      pose_latent(representation, keypoints_px[i:i + batch]).numpy()
      for i in range(0, len(keypoints_px), batch)])


def probes(representation, protocol_dir: str, noisy_2d: bool = False,
           config: ProbeConfig = ProbeConfig(),
           diagnostics: bool = False) -> Dict:
  """Linear probes of G, normalised 2D and both (held-out MPJPE, mm), and
  with `diagnostics` the test G's `eval.probe.latent_diagnostics`."""
  kp_train, y_train = samples(protocol_dir, 'train', config.train_samples,
                              config.train_stride, noisy_2d)
  kp_test, y_test = samples(protocol_dir, 'test', config.test_samples,
                            config.test_stride, noisy_2d)
  g_test3 = latents(representation, kp_test, config.encode_batch)
  g_train = latents(representation, kp_train, config.encode_batch).reshape(
      len(kp_train), -1)
  g_test = g_test3.reshape(len(kp_test), -1)
  d_train, d_test = probe.normalised_2d(kp_train), probe.normalised_2d(kp_test)

  def score(x_train, x_test):
    return probe.ridge_mpjpe(x_train, y_train, x_test, y_test, config.ridge)

  out = {'probe_G_mpjpe': score(g_train, g_test),
         'probe_2D_mpjpe': score(d_train, d_test),
         'probe_G_2D_mpjpe': score(np.c_[g_train, d_train],
                                   np.c_[g_test, d_test])}
  if diagnostics:
    out['diagnostics'] = probe.latent_diagnostics(g_test3, y_test)
  return out


def map_fit(representation, protocol_dir: str,
            config: ProbeConfig = ProbeConfig()) -> Dict[str, float]:
  """`eval.probe.map_fit` of the decoder on test pairs drawn as it trained:
  same-view pairs for an auto-encoder, else half virtual pairs."""
  ae = representation.variant == 'ae'
  maps = representation.medium == 'map'
  pairs = pipeline.PairConfig(batch_size=config.map_pairs, autoencode=ae,
                              virtual_fraction=0.0 if ae else 0.5,
                              bone_sigma=representation.map_sigma,
                              draw_maps=maps, shuffle_buffer=5000)
  batch = next(iter(pipeline.pair_dataset(protocol_dir, 'test', pairs,
                                          seed=config.map_seed)))
  out = representation(batch, training=False)
  target = batch['target_map'] if maps else out['reconstruction_target']
  return probe.map_fit(out['synthesized'].numpy(), np.asarray(target))


def probe_representation(run_dir: str, protocol_dir: str,
                         config: ProbeConfig = ProbeConfig()) -> Dict:
  """Every measure of the module docstring for a representation run.

  Args:
    run_dir: the representation run (its latest checkpoint).
    protocol_dir: prepared protocol whose samples are probed.
    config: sample counts and ridge penalty.

  Returns:
    {'probe_G_mpjpe', 'probe_2D_mpjpe', 'probe_G_2D_mpjpe', 'noisy': {the
     same three on noisy 2D}, 'rec_mse', 'meanmap_mse', 'explained',
     'syn_var_over_tgt_var', 'diagnostics'}.
  """
  representation = load_representation(run_dir)
  out = probes(representation, protocol_dir, config=config, diagnostics=True)
  out['noisy'] = probes(representation, protocol_dir, noisy_2d=True,
                        config=config)
  out.update(map_fit(representation, protocol_dir, config))
  return out

"""Diagnostic: does a representation run's G carry the pose yet?

  .venv/bin/python scripts/probe_representation.py RUN_DIR [PROTOCOL_DIR]

Prints one JSON line:
- probe_G_mpjpe: MPJPE (mm) of a ridge regression from G (flattened) to the
  root-relative 3D pose, fitted on 8,000 training samples (every 25th) and
  scored on 3,000 test samples (every 20th); probe_2D_mpjpe: the same probe
  on normalised 2D keypoints, for scale; probe_G_2D_mpjpe: both together
  (below probe_2D_mpjpe: G carries something linear 2D does not). A linear
  probe, so a lower bound on what a trained regressor gets from G.
- noisy: the same three probes with the protocol's noisy 2D (sigma 5 px at
  1000 px, fitted and scored on noisy 2D): how much 2D noise costs each.
- rec_mse / meanmap_mse / explained: the decoder's map L2 on 256 test pairs
  (same-view pairs for BL+AE, else half virtual), the L2 of drawing the mean
  test map for every pair, and 1 - rec/meanmap (0: the decoder draws the
  mean skeleton whatever the input; 1: perfect maps).
- syn_var_over_tgt_var: per-pixel variance of the synthesised maps over
  the pairs relative to that of the true maps (near 0 = mean-map collapse).
"""

import json
import sys

import numpy as np

from geo_rep_tf.data import pipeline
from geo_rep_tf.models.pose_lifter import pose_latent
from geo_rep_tf.runs.loading import load_representation


def samples(protocol_dir, split, n, stride, noisy_2d=False):
  """Keypoints and 3D poses of n samples, every stride-th, of a split."""
  ds = pipeline.sample_dataset(protocol_dir, split,
                               noisy_2d=noisy_2d).shard(stride, 0)
  kp, pose = [], []
  for b in ds.take(n).batch(1000):
    kp.append(b['keypoints_2d_px'].numpy())
    pose.append(b['pose_3d_mm'].numpy())
  return np.concatenate(kp), np.concatenate(pose)


def latents(model, kp):
  """G of keypoints [N, 16, 2], flattened to [N, 3M]."""
  return np.concatenate([
      pose_latent(model, kp[i:i + 500]).numpy().reshape(len(kp[i:i + 500]),
                                                        -1)
      for i in range(0, len(kp), 500)])


def ridge_mpjpe(x_train, y_train, x_test, y_test, lam=1e-3):
  """MPJPE of a ridge regression (standardised inputs, bias) x -> pose."""
  mu, sd = x_train.mean(0), x_train.std(0) + 1e-8
  a = np.c_[(x_train - mu) / sd, np.ones(len(x_train))]
  b = np.c_[(x_test - mu) / sd, np.ones(len(x_test))]
  w = np.linalg.solve(a.T @ a + lam * len(a) * np.eye(a.shape[1]),
                      a.T @ y_train.reshape(len(y_train), -1))
  pred = (b @ w).reshape(y_test.shape)
  return float(np.linalg.norm(pred - y_test, axis=-1).mean())


def normalised_2d(kp):
  c = kp - kp[:, :1]
  return (c / np.linalg.norm(c, axis=(1, 2), keepdims=True)).reshape(
      len(kp), -1)


def probes(model, protocol_dir, noisy_2d=False):
  """Linear probes of G, normalised 2D and both (MPJPE, mm)."""
  kp_train, y_train = samples(protocol_dir, 'train', 8000, 25, noisy_2d)
  kp_test, y_test = samples(protocol_dir, 'test', 3000, 20, noisy_2d)
  g_train, g_test = latents(model, kp_train), latents(model, kp_test)
  d_train, d_test = normalised_2d(kp_train), normalised_2d(kp_test)
  return {'probe_G_mpjpe': ridge_mpjpe(g_train, y_train, g_test, y_test),
          'probe_2D_mpjpe': ridge_mpjpe(d_train, y_train, d_test, y_test),
          'probe_G_2D_mpjpe': ridge_mpjpe(np.c_[g_train, d_train], y_train,
                                          np.c_[g_test, d_test], y_test)}


def main(run_dir, protocol_dir='work_dirs/bandai_h36m_full'):
  model = load_representation(run_dir)
  out = probes(model, protocol_dir)
  out['noisy'] = probes(model, protocol_dir, noisy_2d=True)
  ae = model.variant == 'ae'
  config = pipeline.PairConfig(batch_size=256, autoencode=ae,
                               virtual_fraction=0.0 if ae else 0.5,
                               bone_sigma=model.map_sigma, shuffle_buffer=5000)
  batch = next(iter(pipeline.pair_dataset(protocol_dir, 'test', config,
                                          seed=7)))
  synthesized = model(batch, training=False)['synthesized'].numpy()
  target = batch['target_map'].numpy()
  out['rec_mse'] = float(((synthesized - target)**2).mean())
  out['meanmap_mse'] = float(((target.mean(0) - target)**2).mean())
  out['explained'] = 1 - out['rec_mse'] / out['meanmap_mse']
  out['syn_var_over_tgt_var'] = float(synthesized.var(0).mean() /
                                      target.var(0).mean())
  print(json.dumps(out))


if __name__ == '__main__':
  main(*sys.argv[1:3])

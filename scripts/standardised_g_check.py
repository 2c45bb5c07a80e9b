"""Check behind G standardisation (`pose_lifter.LatentStandardizer`):
Regression#1's network on 2D, raw G, G standardised per coordinate and G
centred and scaled by one number, for several N.

  .venv/bin/python scripts/standardised_g_check.py [RUN_DIR] [PROTOCOL_DIR]

Defaults: work_dirs/rep_long on work_dirs/bandai_h36m_full. 40,000 training
samples (every 5th; N of them drawn with seed 0 are labelled) and 5,000 test
samples (every 17th); FC 1024 -> 48 fitted for about 2,000 steps of batch
min(256, N) with Adam 1e-3, seed 0; the statistics use all 40,000 training
samples' G (2D only). Prints the test MPJPE of each. A diagnostic (no flags,
no checkpoints), sharing the probe's helpers; about 30 minutes on 2 busy
cores.
"""

import sys

import keras
import numpy as np

from geo_rep_tf.geometry import normalization
from geo_rep_tf.runs.loading import load_representation
from probe_representation import latents, normalised_2d, samples


def inputs(kp_train, kp_test, g_train, g_test):
  """{name: (train, test)} features of each input variant."""
  mu, sd = g_train.mean(0), g_train.std(0) + 1e-6
  scale = float(np.sqrt(((g_train - mu) ** 2).mean()))
  return {'2d': (normalised_2d(kp_train), normalised_2d(kp_test)),
          'raw G': (g_train, g_test),
          'G per-coordinate std': ((g_train - mu) / sd, (g_test - mu) / sd),
          'G one scale': ((g_train - mu) / scale, (g_test - mu) / scale)}


def main(run_dir='work_dirs/rep_long',
         protocol_dir='work_dirs/bandai_h36m_full', steps=2000):
  model = load_representation(run_dir)
  kp_train, y_train = samples(protocol_dir, 'train', 40000, 5)
  kp_test, y_test = samples(protocol_dir, 'test', 5000, 17)
  variants = inputs(kp_train, kp_test, latents(model, kp_train),
                    latents(model, kp_test))
  target = normalization.pose_to_target(y_train).numpy().reshape(
      len(y_train), -1)
  order = np.random.default_rng(0).permutation(len(kp_train))
  for n in (50, 500, 5000, 40000):
    idx = order[:n]
    batch = min(256, n)
    for name, (a, b) in variants.items():
      a = a.reshape(len(a), -1)
      b = b.reshape(len(b), -1)
      keras.utils.set_random_seed(0)
      net = keras.Sequential([keras.Input((a.shape[1],)),
                              keras.layers.Dense(1024, activation='relu'),
                              keras.layers.Dense(48)])
      net.compile(keras.optimizers.Adam(1e-3), 'mse')
      net.fit(a[idx], target[idx], batch_size=batch,
              epochs=max(1, steps * batch // n), verbose=0)
      pred = normalization.target_to_pose(
          net.predict(b, verbose=0).reshape(-1, 16, 3)).numpy()
      print(f'N={n} {name}: MPJPE '
            f'{float(np.linalg.norm(pred - y_test, axis=-1).mean()):.1f} mm',
            flush=True)


if __name__ == '__main__':
  main(*sys.argv[1:3])

"""Check behind the README note "standardising G": Regression#1's network on
raw vs standardised G of a representation run.

  .venv/bin/python scripts/standardised_g_check.py [RUN_DIR] [PROTOCOL_DIR]

Defaults: work_dirs/rep_long on work_dirs/bandai_h36m_full. 40,000 training
samples (every 5th) and 5,000 test samples (every 17th); FC 1024 -> 48 fitted
for 8 epochs of batch 256 with Adam 1e-3, seed 0; standardisation uses the
training samples' mean and std per coordinate. Prints the test MPJPE of each.
A one-off diagnostic (no flags, no checkpoints), sharing the probe's helpers.
"""

import sys

import keras
import numpy as np

from geo_rep_tf.geometry import normalization
from geo_rep_tf.training.regressor_task import load_representation
from probe_representation import latents, samples


def main(run_dir='work_dirs/rep_long',
         protocol_dir='work_dirs/bandai_h36m_full'):
  model = load_representation(run_dir)
  kp_train, y_train = samples(protocol_dir, 'train', 40000, 5)
  kp_test, y_test = samples(protocol_dir, 'test', 5000, 17)
  g_train, g_test = latents(model, kp_train), latents(model, kp_test)
  target = normalization.pose_to_target(y_train).numpy().reshape(
      len(y_train), -1)
  mu, sd = g_train.mean(0), g_train.std(0) + 1e-6
  for name, a, b in (('raw', g_train, g_test),
                     ('standardised', (g_train - mu) / sd, (g_test - mu) / sd)):
    keras.utils.set_random_seed(0)
    net = keras.Sequential([keras.Input((a.shape[1],)),
                            keras.layers.Dense(1024, activation='relu'),
                            keras.layers.Dense(48)])
    net.compile(keras.optimizers.Adam(1e-3), 'mse')
    net.fit(a, target, batch_size=256, epochs=8, verbose=0)
    pred = normalization.target_to_pose(
        net.predict(b, verbose=0).reshape(-1, 16, 3)).numpy()
    print(name, 'MPJPE', float(np.linalg.norm(pred - y_test, axis=-1).mean()))


if __name__ == '__main__':
  main(*sys.argv[1:3])

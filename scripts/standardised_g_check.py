"""Check behind the README note "standardising G": Regression#1's network on
raw vs standardised G of work_dirs/rep_long (40,000 training samples, every 5th;
5,000 test samples, every 17th; 8 epochs of batch 256, Adam 1e-3; seed 0).

  .venv/bin/python scripts/standardised_g_check.py

A one-off diagnostic, not the experiment runner (no flags, no checkpoints).
"""
import numpy as np, keras, tensorflow as tf
from geo_rep_tf.training.regressor_task import load_representation
from geo_rep_tf.models.pose_lifter import pose_latent
from geo_rep_tf.data import pipeline
from geo_rep_tf.geometry import normalization
m = load_representation('work_dirs/rep_long')
def get(split, n, stride):
  kp, y = [], []
  for b in pipeline.sample_dataset('work_dirs/bandai_h36m_full', split).shard(stride, 0).take(n).batch(1000):
    kp.append(b['keypoints_2d_px'].numpy()); y.append(b['pose_3d_mm'].numpy())
  kp, y = np.concatenate(kp), np.concatenate(y)
  g = np.concatenate([pose_latent(m, kp[i:i+1000]).numpy() for i in range(0, len(kp), 1000)])
  return g.reshape(len(g), -1), normalization.pose_to_target(y).numpy().reshape(len(y), -1), y
gtr, ttr, _ = get('train', 40000, 5); gte, tte, yte = get('test', 5000, 17)
for std in (False, True):
  keras.utils.set_random_seed(0)
  a, b = gtr, gte
  if std:
    mu, sd = gtr.mean(0), gtr.std(0) + 1e-6; a, b = (gtr - mu) / sd, (gte - mu) / sd
  net = keras.Sequential([keras.Input((a.shape[1],)), keras.layers.Dense(1024, activation='relu'), keras.layers.Dense(48)])
  net.compile(keras.optimizers.Adam(1e-3), 'mse')
  net.fit(a, ttr, batch_size=256, epochs=8, verbose=0)
  p = normalization.target_to_pose(net.predict(b, verbose=0).reshape(-1, 16, 3)).numpy()
  print('standardised' if std else 'raw', 'MPJPE', np.linalg.norm(p - yte, axis=-1).mean())

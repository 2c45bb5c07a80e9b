r"""Skeleton-map rasterisation speed (keypoints in image pixels -> 64x64x15).

  .venv/bin/python bench/bench_skeleton_maps.py [--batch_sizes=64,256]

Prints JSON and writes bench/results/skeleton_maps.json with, per batch
size, maps/s eagerly, in tf.function and through tf.data (map with
AUTOTUNE parallel calls, as the pair pipeline runs it), the process CPU
seconds per 1,000 maps (steadier than wall time on a shared machine), and
(batch 64) a baseline that compares per-pixel squared point-to-segment
distances.
Goal (2 cores, 64x64): >= 4,000 maps/s (2,000 pairs/s, two maps each).
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from bench import common  # noqa: E402
from geo_rep_tf.geometry import skeleton_maps as sm  # noqa: E402
from geo_rep_tf.geometry.joints import BONES  # noqa: E402


def distance_baseline(keypoints_px, size=64, width=2.0):
  """The obvious vectorised rasteriser, for comparison only."""
  center, side = sm.crop_square(keypoints_px)
  kp = tf.cast(sm.normalize_to_crop(keypoints_px, center, side, size),
               tf.float32)
  a = tf.gather(kp, [p for p, _ in BONES], axis=-2)[:, None, None]
  d = tf.gather(kp, [c for _, c in BONES], axis=-2)[:, None, None] - a
  c = tf.range(size, dtype=tf.float32) + 0.5
  grid = tf.stack(tf.meshgrid(c, c), -1)[None, :, :, None]  # [1, y, x, 1, 2]
  rel = grid - a
  t = tf.clip_by_value(tf.math.divide_no_nan(
      tf.reduce_sum(rel * d, -1), tf.reduce_sum(d * d, -1)), 0.0, 1.0)
  dist_sq = tf.reduce_sum(tf.square(rel - t[..., None] * d), -1)
  return tf.cast(dist_sq <= (width / 2) ** 2, tf.float32)


def _cpu_s():
  times = os.times()
  return times.user + times.system


def _rate(fn, keypoints, windows, calls):
  fn(keypoints).numpy()
  rates, cpu = [], []
  n = int(keypoints.shape[0])
  for _ in range(windows):
    t, c = time.perf_counter(), _cpu_s()
    for _ in range(calls):
      out = fn(keypoints)
    out.numpy()
    rates.append(calls * n / (time.perf_counter() - t))
    cpu.append((_cpu_s() - c) / (calls * n) * 1000)
  return dict(maps_per_s=round(statistics.median(rates)),
              cpu_s_per_1k_maps=round(statistics.median(cpu), 3))


def _dataset_rate(keypoints, windows, batches):
  ds = tf.data.Dataset.from_tensors(keypoints).repeat().map(
      sm.skeleton_maps, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)
  it = iter(ds)
  for _ in range(5):
    next(it)
  rates, cpu = [], []
  n = int(keypoints.shape[0])
  for _ in range(windows):
    t, c = time.perf_counter(), _cpu_s()
    for _ in range(batches):
      next(it)
    rates.append(batches * n / (time.perf_counter() - t))
    cpu.append((_cpu_s() - c) / (batches * n) * 1000)
  return dict(maps_per_s=round(statistics.median(rates)),
              cpu_s_per_1k_maps=round(statistics.median(cpu), 3))


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument('--batch_sizes', default='64,256')
  ap.add_argument('--windows', type=int, default=5)
  ap.add_argument('--maps_per_window', type=int, default=2048)
  ap.add_argument('--out', default=os.path.join(common.REPO, 'bench',
                                                'results',
                                                'skeleton_maps.json'))
  args = ap.parse_args()
  rng = np.random.default_rng(0)
  result = dict(machine=common.machine(), load_avg_before=os.getloadavg(),
                map_size=64, width_px=2.0, goal_maps_per_s=4000, runs={})
  for batch in (int(b) for b in args.batch_sizes.split(',')):
    kp = tf.constant(rng.uniform(0, 1000, (batch, 16, 2)).astype(np.float32))
    calls = max(2, args.maps_per_window // batch)
    result['runs'][str(batch)] = dict(
        eager=_rate(sm.skeleton_maps, kp, args.windows, calls),
        tf_function=_rate(tf.function(sm.skeleton_maps), kp, args.windows,
                          calls),
        tf_data=_dataset_rate(kp, args.windows, calls))
  # The baseline is slow: one batch size, fewer calls.
  kp = tf.constant(rng.uniform(0, 1000, (64, 16, 2)).astype(np.float32))
  result['distance_baseline_tf_function_batch_64'] = _rate(
      tf.function(distance_baseline), kp, 3, 4)
  result['load_avg_after'] = os.getloadavg()
  text = json.dumps(result, indent=2)
  print(text)
  os.makedirs(os.path.dirname(args.out), exist_ok=True)
  with open(args.out, 'w') as fh:
    fh.write(text + '\n')


if __name__ == '__main__':
  main()

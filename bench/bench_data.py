r"""Data benchmarks: protocol preparation and the pair pipeline.

  .venv/bin/python bench/bench_data.py [--data_dir=../shared/data]

Prints JSON and writes bench/results/data.json with
  prepare_data.wall_s / .peak_rss_gib   all 3,076 Bandai clips -> TFRecords
  pair_pipeline.pairs_per_s             maps + virtual cameras, batch 64,
                                        as the trainer consumes it (median
                                        over windows)
and the machine and versions. Goals (2 cores): <= 300 s, <= 4 GiB,
>= 2,000 pairs/s.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import common  # noqa: E402


def bench_pairs(protocol_dir, windows=7, steps=40, batch_size=64,
                virtual_fraction=0.5):
  from geo_rep_tf.data import pipeline
  cfg = pipeline.PairConfig(batch_size=batch_size,
                            virtual_fraction=virtual_fraction)
  it = iter(pipeline.pair_dataset(protocol_dir, 'train', cfg, seed=0))
  for _ in range(30):  # fill the cache, shuffle buffer and prefetch
    next(it)
  rates = []
  for _ in range(windows):
    t = time.perf_counter()
    for _ in range(steps):
      next(it)
    rates.append(steps * batch_size / (time.perf_counter() - t))
  return dict(pairs_per_s=round(statistics.median(rates), 1),
              pairs_per_s_windows=[round(r, 1) for r in rates],
              batch_size=batch_size, virtual_fraction=virtual_fraction,
              map_size=cfg.map_size)


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument('--data_dir', default=common.shared_data_dir())
  ap.add_argument('--out', default=os.path.join(common.REPO, 'bench',
                                                'results', 'data.json'))
  args = ap.parse_args()
  source = os.path.join(args.data_dir, 'mocap', 'bandai_namco')
  if not os.path.isdir(source):
    sys.exit(f'error: {source}: not found (give --data_dir)')
  with tempfile.TemporaryDirectory() as tmp:
    out_dir = os.path.join(tmp, 'protocol')
    r = common.run_and_measure([
        sys.executable, os.path.join(common.REPO, 'tools', 'prepare_data.py'),
        f'--source={source}', f'--out_dir={out_dir}'])
    if r['returncode'] != 0:
      sys.exit('error: prepare_data failed: ' + r['stderr'][-2000:])
    with open(os.path.join(out_dir, 'manifest.json')) as fh:
      manifest = json.load(fh)
    clips = sum(c['clips'] for c in manifest['counts'].values())
    result = {
        'prepare_data': dict(wall_s=round(r['wall_s'], 1),
                             peak_rss_gib=round(r['peak_rss_gib'], 3),
                             clips=clips, counts=manifest['counts'],
                             goal=dict(wall_s=300, peak_rss_gib=4.0)),
        'pair_pipeline': dict(bench_pairs(out_dir), goal_pairs_per_s=2000),
    }
  common.finish(args.out, result)


if __name__ == '__main__':
  main()

r"""Collects data_efficiency experiments of both media into one records file.

  python tools/collect_data_efficiency.py \
      --source=coords:noisy:work_dirs/exp/de_coords_noisy \
      --source=map:noisy:work_dirs/exp/de_map_noisy \
      --out=docs/results/data_efficiency.json

Each --source is MEDIUM:INPUT:DIR, DIR a `run_experiment.py
--experiment=data_efficiency` output directory (INPUT noisy for one run
with --noisy_2d). Writes --out (a list `records` of {medium, input, n,
model, mpjpe_mm, p_mpjpe_mm}, each pair's gains, the paper's Fig. 5 rows)
and the figure beside it (.png), atomically; refuses to replace an
existing --out without --overwrite.
"""

import os

from absl import flags

from geo_rep_tf import cli
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import media
from geo_rep_tf.utils.files import write_json

FLAGS = flags.FLAGS
flags.DEFINE_multi_string('source', [], 'MEDIUM:INPUT:DIR of one '
                          'data_efficiency experiment (repeatable).')
flags.DEFINE_string('out', 'docs/results/data_efficiency.json',
                    'Records JSON written; its .png beside it.')
flags.DEFINE_boolean('overwrite', False, 'Replace an existing --out.')


def main(argv):
  del argv
  if not FLAGS.source:
    raise ArgumentError('--source: give at least one MEDIUM:INPUT:DIR')
  if os.path.exists(FLAGS.out) and not FLAGS.overwrite:
    raise ArgumentError(f'--out={FLAGS.out} exists; pass --overwrite to '
                        'replace it')
  collected = media.collect([media.parse_source(s) for s in FLAGS.source])
  write_json(FLAGS.out, collected)
  media.plot(collected, os.path.splitext(FLAGS.out)[0] + '.png')
  for r in collected['records']:
    print(f"{r['medium']:>6} {r['input']:>5} N={r['n']:>6} {r['model']:>12} "
          f"MPJPE {r['mpjpe_mm']:6.1f} P-MPJPE {r['p_mpjpe_mm']:6.1f}")
  print(f'wrote {FLAGS.out}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

r"""Collects cross-body evaluations into one records file and figure.

  python tools/collect_cross_body.py \
      --evaluation=before:work_dirs/exp/cross_body_committed.json \
      --protocol_dir=work_dirs/bandai_h36m_bodies \
      --out=docs/results/cross_body.json

Each --evaluation is STAGE:PATH, PATH a `tools/evaluate.py --out` JSON of
lifters evaluated on the cross-body protocol (`tools/prepare_data.py
--cross_body`). Writes --out (a list `records` of {stage, lifter, default,
input, in_domain_mpjpe_mm, cross_body_mpjpe_mm, ...} and, with
--protocol_dir, the per-body floor of a lifter that is right up to size)
and the noisy-2D figure beside it (.png), atomically; refuses to replace
an existing --out without --overwrite.
"""

import os

from absl import flags

from geo_rep_tf import cli
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import cross_body
from geo_rep_tf.runs.committed import DEFAULT_LIFTER_DIR
from geo_rep_tf.utils.files import write_json

FLAGS = flags.FLAGS
flags.DEFINE_multi_string('evaluation', [], 'STAGE:PATH of one evaluate.py '
                          '--out JSON on the cross-body protocol '
                          '(repeatable).')
flags.DEFINE_string('protocol_dir', None, 'The cross-body protocol, for the '
                    'size floor (optional).')
flags.DEFINE_string('out', 'docs/results/cross_body.json',
                    'Records JSON written; its .png beside it.')
flags.DEFINE_boolean('overwrite', False, 'Replace an existing --out.')
flags.DEFINE_string('default_stage', None, 'The stage whose lifters are the '
                    'ones installed now (their records get default=true when '
                    'they are the lifter infer uses by default); the last '
                    '--evaluation\'s stage when not given.')


def main(argv):
  del argv
  if not FLAGS.evaluation:
    raise ArgumentError('--evaluation: give at least one STAGE:PATH')
  if os.path.exists(FLAGS.out) and not FLAGS.overwrite:
    raise ArgumentError(f'--out={FLAGS.out} exists; pass --overwrite to '
                        'replace it')
  parsed = [cross_body.parse_evaluation(t) for t in FLAGS.evaluation]
  stages = [stage for stage, _ in parsed]
  default_stage = FLAGS.default_stage or stages[-1]
  if default_stage not in stages:
    raise ArgumentError(f'--default_stage={default_stage}: not one of the '
                        f'--evaluation stages {stages}')
  recs, sources = [], {}
  for stage, path in parsed:
    # An older evaluation of the same folder held other weights then.
    recs += cross_body.records(
        cross_body.read_evaluation(path), stage,
        DEFAULT_LIFTER_DIR if stage == default_stage else None)
    sources[stage] = path
  if not recs:
    raise ArgumentError('--evaluation: no lifter has results on the own '
                        'body (evaluate on a --cross_body protocol)')
  out = dict(records=recs, evaluations=sources)
  floor = None
  if FLAGS.protocol_dir:
    floor = cross_body.scale_floor(FLAGS.protocol_dir)
    out['size_floor_mpjpe_mm'] = floor
  write_json(FLAGS.out, out)
  cross_body.plot(recs, os.path.splitext(FLAGS.out)[0] + '.png',
                  floor=floor)
  for r in recs:
    print(f"{r['stage']:>8} {r['lifter']:>20} {r['input']:>5} "
          f"{'default' if r['default'] else '':>7} in-domain "
          f"{r['in_domain_mpjpe_mm']:6.1f} cross-body "
          f"{r['cross_body_mpjpe_mm']:6.1f} (x{r['ratio']:.2f}; N-MPJPE "
          f"x{r['n_mpjpe_ratio']:.2f})")
  if floor:
    print(f"size floor over the held-out bodies: "
          f"{floor['(held-out bodies)']:.1f} mm")
  print(f'wrote {FLAGS.out}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

r"""Evaluates trained regressors on the test split: MPJPE table + JSON.

  python tools/evaluate.py --model_dirs=work_dirs/reg1,work_dirs/baseline1 \
      --protocol_dir=work_dirs/bandai_h36m --out=work_dirs/eval.json

For each regressor run: MPJPE, P-MPJPE, N-MPJPE (mm), 3DPCK@150 and AUC over
every visible test sample (exact 2D, and noisy 2D with --noisy_2d), overall
and per action. Prints a table and writes the JSON atomically.
"""

import os

from absl import flags

from geo_rep_tf.eval.evaluator import evaluate_lifter
from geo_rep_tf.training.regressor_task import load_regressor_run
from geo_rep_tf.utils import cli
from geo_rep_tf.utils.files import write_json

FLAGS = flags.FLAGS
flags.DEFINE_list('model_dirs', None, 'Regressor runs to evaluate.')
flags.DEFINE_string('protocol_dir', None, 'Prepared protocol (default: the '
                    "one each run trained on).")
flags.DEFINE_enum('split', 'test', ['train', 'test'], 'Split evaluated.')
flags.DEFINE_list('cameras', ['0', '1', '2', '3'], 'Cameras evaluated.')
flags.DEFINE_boolean('noisy_2d', False, 'Evaluate on the noisy 2D.')
flags.DEFINE_string('out', None, 'JSON output path.')
flags.DEFINE_integer('limit', 0, 'Evaluate the first N samples (0: all).',
                     lower_bound=0)
flags.mark_flag_as_required('model_dirs')


def format_table(rows) -> str:
  head = (f'{"model":<28} {"regressor":<14} {"N":>7} {"MPJPE":>7} '
          f'{"P-MPJPE":>8} {"N-MPJPE":>8} {"PCK150":>7} {"AUC":>6}')
  lines = [head, '-' * len(head)]
  for r in rows:
    m = r['result']['mean']
    lines.append(
        f'{r["name"]:<28} {r["regressor"]:<14} {r["num_labels"] or "all":>7} '
        f'{m["mpjpe"]:7.1f} {m["p_mpjpe"]:8.1f} {m["n_mpjpe"]:8.1f} '
        f'{m["pck3d"]:7.3f} {m["auc"]:6.3f}')
  return '\n'.join(lines)


def main(argv):
  del argv
  rows = []
  cameras = tuple(int(c) for c in FLAGS.cameras)
  for d in FLAGS.model_dirs:
    model, cfg = load_regressor_run(d, FLAGS.protocol_dir)
    predict = lambda kp, m=model: m(kp, training=False)['pose_3d_mm']
    result = evaluate_lifter(predict, cfg.protocol_dir, FLAGS.split, cameras,
                             FLAGS.noisy_2d, limit=FLAGS.limit or None)
    rows.append(dict(name=os.path.basename(os.path.normpath(d)), model_dir=d,
                     regressor=cfg.regressor, num_labels=cfg.num_labels,
                     noisy_2d=FLAGS.noisy_2d, split=FLAGS.split,
                     cameras=list(cameras), result=result))
  print(f'{FLAGS.split} split, {"noisy" if FLAGS.noisy_2d else "exact"} 2D, '
        f'{rows[0]["result"]["count"]} samples; errors in mm')
  print(format_table(rows))
  if FLAGS.out:
    write_json(FLAGS.out, dict(rows=rows))
    print(f'wrote {FLAGS.out}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

r"""Runs one of the paper's experiments end to end, resumably.

  python tools/run_experiment.py --flagfile=flags/exp_data_efficiency.cfg \
      --representation_dir=work_dirs/rep_bl_dg_aug --out_dir=work_dirs/exp_fig5

Experiments (geo_rep_tf/experiments/, by name in registry.EXPERIMENTS):
  data_efficiency  Fig. 5: Regression#1 on G ("OursShallow") vs Baseline#1
                   for each N of --num_labels -> <out_dir>/data_efficiency.json
                   and .png (MPJPE and P-MPJPE vs N, relative gains).
  ablation         Fig. 6: BL (Regression#2) and Regression#2 + G on each
                   variant of --representation_dirs=BL+AE=dir,BL+SG=dir,...
                   (--ablation_regressor=regression1: BL is Baseline#1 and
                   the rows Regression#1 on G) -> ablation.json and .png.
                   BL+I_SG is not run (it needs multi-view images).
  table1           Table 1: Regression#1, Regression#2, Regression#2 + G
                   under Protocols #1, #2 and #3; trains the Protocol #3
                   representation (3 cameras) itself -> table1.json.
Each run trains with tools/train_regressor.py / train_representation.py in a
child process (log: <out_dir>/runs/<name>/train.log), is evaluated on the
whole test split and its result is written atomically to
<out_dir>/results/<name>.json. Re-running skips finished runs and resumes a
killed one from its last checkpoint.
"""

import os

from absl import flags

from geo_rep_tf import cli, variants
from geo_rep_tf.cli import flags as cli_flags
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import ablation, registry, runner, table1
from geo_rep_tf.experiments.spec import ExperimentOptions
from geo_rep_tf.models.pose_lifter import REGRESSORS
from geo_rep_tf.utils.files import check_output_dir

FLAGS = flags.FLAGS
flags.DEFINE_enum('experiment', None, list(registry.EXPERIMENTS),
                  'Which experiment.')
flags.DEFINE_string('out_dir', None, 'Experiment directory (runs, results, '
                    'JSON, PNG); re-running resumes it.')
flags.DEFINE_string('protocol_dir', 'work_dirs/bandai_h36m_full',
                    'Prepared protocol (tools/prepare_data.py).')
flags.DEFINE_string('representation_dir', None, 'Representation run trained '
                    'on all cameras (data_efficiency, table1).')
flags.DEFINE_list('representation_dirs', [], 'ablation: VARIANT=DIR pairs, '
                  f'VARIANT in {", ".join(variants.ABLATION[1:])}.')
flags.DEFINE_list('num_labels', ['50', '500', '2500', '5000', '25000', 'all'],
                  'Labelled samples N (data_efficiency: each; ablation, '
                  'table1: exactly one).')
flags.DEFINE_integer('label_seed', 0, 'Which N samples are labelled.')
flags.DEFINE_integer('holdout_camera', 3, 'table1: the Protocol #3 test '
                     'camera (the others train).', lower_bound=0,
                     upper_bound=3)
flags.DEFINE_list('protocols', list(table1.PROTOCOLS),
                  'table1: column groups run: P1 (Protocols #1 and #2) and/or '
                  'P3 (trains the 3-camera representation first).')
flags.DEFINE_boolean('noisy_2d', False, 'Train and evaluate on the noisy 2D '
                     '(default: exact 2D).')
flags.DEFINE_string('regressor_flagfile', None, 'Flagfile for every '
                    'train_regressor run (its --model_dir, --protocol_dir, '
                    '--regressor, ... are overridden).')
flags.DEFINE_multi_string('regressor_flag', [], 'Extra flag for every '
                          'train_regressor run, repeatable, e.g. '
                          '--regressor_flag=--train_steps=5000.')
flags.DEFINE_multi_string('regressor_type_flag', [], 'Extra flag for the '
                          'train_regressor runs of one regressor type, '
                          'TYPE:FLAG, repeatable, e.g. '
                          '--regressor_type_flag=regression2_g:'
                          '--latent_scale=vector.')
flags.DEFINE_string('representation_flagfile', 'flags/rep_bl_dg_aug.cfg',
                    'table1: flagfile of the Protocol #3 representation run.')
flags.DEFINE_multi_string('representation_flag', [], 'table1: extra flag of '
                          'the Protocol #3 representation run, repeatable.')
flags.DEFINE_enum('ablation_regressor', 'regression2',
                  sorted(ablation.REGRESSOR_PAIRS), 'ablation: BL is '
                  'Regression#2 and the rows Regression#2 + G, or BL is '
                  'Baseline#1 and the rows Regression#1 on G (regression1).')
flags.DEFINE_integer('eval_limit', 0, 'Evaluate the first N test samples '
                     'only (0: all; for smoke tests).', lower_bound=0)
flags.mark_flags_as_required(['experiment', 'out_dir'])


def _num_labels():
  out = []
  for text in FLAGS.num_labels:
    text = text.strip().lower()
    try:
      n = 0 if text == 'all' else int(text)
    except ValueError:
      raise ArgumentError(f"--num_labels: {text!r} is not an int or 'all'")
    if n < 0:
      raise ArgumentError(f'--num_labels must be >= 0, got {n}')
    out.append(n)
  return tuple(out)


def _shared_args(flagfile, extra):
  args = [f'--flagfile={flagfile}'] if flagfile else []
  args += list(extra)
  if FLAGS.noisy_2d:
    args.append('--noisy_2d')
  return args


def _regressor_type_args():
  out = {}
  for text in FLAGS.regressor_type_flag:
    kind, sep, flag = text.partition(':')
    kind = kind.strip()
    if not sep or not flag.startswith('--'):
      raise ArgumentError(f'--regressor_type_flag: {text!r} is not '
                          'TYPE:--FLAG=VALUE')
    if kind not in REGRESSORS:
      raise ArgumentError(f'--regressor_type_flag: regressor type {kind!r} '
                          f'is not one of {sorted(REGRESSORS)}')
    out.setdefault(kind, []).append(flag)
  return out


def main(argv):
  del argv
  type_args = _regressor_type_args()
  check_output_dir(FLAGS.out_dir, '--out_dir')
  options = ExperimentOptions(
      representation_dir=FLAGS.representation_dir,
      representation_dirs=cli_flags.name_value_pairs(
          FLAGS.representation_dirs, 'representation_dirs', 'VARIANT=DIR'),
      num_labels=_num_labels(), label_seed=FLAGS.label_seed,
      holdout_camera=FLAGS.holdout_camera,
      protocols=tuple(p.strip().upper() for p in FLAGS.protocols),
      noisy_2d=FLAGS.noisy_2d, eval_limit=FLAGS.eval_limit,
      ablation_regressor=FLAGS.ablation_regressor)
  # The training binaries lie beside this one, in a checkout and installed.
  train = runner.subprocess_trainer(
      os.path.dirname(os.path.abspath(__file__)), FLAGS.protocol_dir,
      _shared_args(FLAGS.regressor_flagfile, FLAGS.regressor_flag),
      _shared_args(FLAGS.representation_flagfile, FLAGS.representation_flag),
      regressor_type_args=type_args)
  runner.run_experiment(registry.get(FLAGS.experiment), options,
                        FLAGS.out_dir, FLAGS.protocol_dir, train)


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

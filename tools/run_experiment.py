r"""Runs one of the paper's experiments end to end, resumably.

  python tools/run_experiment.py --flagfile=flags/exp_data_efficiency.cfg \
      --representation_dir=work_dirs/rep_bl_dg_aug --out_dir=work_dirs/exp_fig5

Experiments (see geo_rep_tf/eval/experiments.py):
  data_efficiency  Fig. 5: Regression#1 on G ("OursShallow") vs Baseline#1
                   for each N of --num_labels -> <out_dir>/data_efficiency.json
                   and .png (MPJPE and P-MPJPE vs N, relative gains).
  ablation         Fig. 6: BL (Regression#2) and Regression#2 + G on each
                   variant of --representation_dirs=BL+AE=dir,BL+SG=dir,...
                   -> ablation.json and .png. BL+I_SG is not run (it needs
                   multi-view images).
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
import keras

try:
  from geo_rep_tf_tools import _common
except ImportError:  # run as a script from tools/
  import _common

from geo_rep_tf.data.manifest import load_manifest
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval import experiment_results, experiments, plots
from geo_rep_tf.runs.evaluation import evaluate_run
from geo_rep_tf.runs.latent_cache import LatentCache, latent_cache_dir
from geo_rep_tf.training.regressor_task import load_regressor_run
from geo_rep_tf.utils import cli
from geo_rep_tf.utils.files import write_json

FLAGS = flags.FLAGS
flags.DEFINE_enum('experiment', None, list(experiments.EXPERIMENTS),
                  'Which experiment.')
flags.DEFINE_string('out_dir', None, 'Experiment directory (runs, results, '
                    'JSON, PNG); re-running resumes it.')
flags.DEFINE_string('protocol_dir', 'work_dirs/bandai_h36m_full',
                    'Prepared protocol (tools/prepare_data.py).')
flags.DEFINE_string('representation_dir', None, 'Representation run trained '
                    'on all cameras (data_efficiency, table1).')
flags.DEFINE_list('representation_dirs', [], 'ablation: VARIANT=DIR pairs, '
                  'VARIANT in BL+AE, BL+SG, BL+SG+AUG, BL+DG+AUG.')
flags.DEFINE_list('num_labels', ['50', '500', '2500', '5000', '25000', 'all'],
                  'Labelled samples N (data_efficiency: each; ablation, '
                  'table1: exactly one).')
flags.DEFINE_integer('label_seed', 0, 'Which N samples are labelled.')
flags.DEFINE_integer('holdout_camera', 3, 'table1: the Protocol #3 test '
                     'camera (the others train).', lower_bound=0,
                     upper_bound=3)
flags.DEFINE_list('protocols', list(experiments.TABLE1_PROTOCOLS),
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
flags.DEFINE_string('representation_flagfile', 'flags/rep_bl_dg_aug.cfg',
                    'table1: flagfile of the Protocol #3 representation run.')
flags.DEFINE_multi_string('representation_flag', [], 'table1: extra flag of '
                          'the Protocol #3 representation run, repeatable.')
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
  return out


def _single_num_labels():
  ns = _num_labels()
  if len(ns) != 1:
    raise ArgumentError(f'--experiment={FLAGS.experiment} takes one '
                        f'--num_labels value, got {FLAGS.num_labels}')
  return ns[0]


def _representation_dirs():
  out = _common.name_value_pairs(FLAGS.representation_dirs,
                                 'representation_dirs', 'VARIANT=DIR')
  if not out:
    raise ArgumentError('ablation needs --representation_dirs=VARIANT=DIR,..')
  return out


def _plan():
  if FLAGS.experiment == 'data_efficiency':
    return experiments.data_efficiency_plan(FLAGS.representation_dir,
                                            _num_labels())
  if FLAGS.experiment == 'ablation':
    return experiments.ablation_plan(_representation_dirs(),
                                     _single_num_labels())
  return experiments.table1_plan(FLAGS.representation_dir,
                                 FLAGS.holdout_camera,
                                 num_labels=_single_num_labels(),
                                 protocols=[p.strip().upper()
                                            for p in FLAGS.protocols])


def _shared_args(flagfile, extra):
  args = [f'--flagfile={flagfile}'] if flagfile else []
  args += list(extra)
  if FLAGS.noisy_2d:
    args.append('--noisy_2d')
  return args


def main(argv):
  del argv
  manifest = load_manifest(FLAGS.protocol_dir)
  inputs = 'noisy' if FLAGS.noisy_2d else 'exact'
  plan = _plan()
  for spec in plan:
    if spec.kind == 'regressor':
      spec.flags['label_seed'] = str(FLAGS.label_seed)
  train = experiments.subprocess_trainer(
      os.path.dirname(os.path.abspath(__file__)), FLAGS.protocol_dir,
      _shared_args(FLAGS.regressor_flagfile, FLAGS.regressor_flag),
      _shared_args(FLAGS.representation_flagfile, FLAGS.representation_flag))

  # Runs on one representation encode the test split once between them.
  latent_cache = LatentCache(log=print)

  def evaluate(spec, model_dir):
    # Keras names dropout seed generators from a process-wide counter, and
    # checkpoints hold variables by path: load each run as in a fresh process.
    keras.backend.clear_session()
    model, cfg = load_regressor_run(model_dir)
    return evaluate_run(model, cfg, model_dir, (inputs,), spec.test_cameras,
                        limit=FLAGS.eval_limit or None,
                        latent_cache=latent_cache,
                        latent_dir=latent_cache_dir(cfg))

  os.makedirs(FLAGS.out_dir, exist_ok=True)
  done = experiments.run_plan(plan, FLAGS.out_dir, train, evaluate)
  results = done['results']
  name = FLAGS.experiment
  if name == 'data_efficiency':
    summary = experiment_results.data_efficiency(
        results, inputs, manifest['counts']['train']['samples_visible'])
    text = experiment_results.format_data_efficiency(summary)
    plots.plot_data_efficiency(summary, os.path.join(FLAGS.out_dir,
                                                     name + '.png'))
  elif name == 'ablation':
    summary = experiment_results.ablation(results, inputs)
    text = experiment_results.format_ablation(summary)
    plots.plot_ablation(summary, os.path.join(FLAGS.out_dir, name + '.png'))
  else:
    summary = experiment_results.table1(results, inputs)
    text = experiment_results.format_table1(summary)
  print(text)
  out = os.path.join(FLAGS.out_dir, name + '.json')
  write_json(out, dict(experiment=name, summary=summary,
                       protocol_dir=FLAGS.protocol_dir,
                       trained_now=done['trained'],
                       skipped=done['skipped'], runs=results))
  print(f'trained {len(done["trained"])} runs now, {len(done["skipped"])} '
        f'were done before; wrote {out}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

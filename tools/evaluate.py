r"""Evaluates trained regressors: MPJPE / P-MPJPE / N-MPJPE / 3DPCK / AUC.

  python tools/evaluate.py --model_dirs=work_dirs/reg1,work_dirs/baseline1 \
      --out=work_dirs/eval.json [--inputs=exact,noisy] [--cameras=3] \
      [--bvh_dir=data/samples/bandai_namco/dataset-1 --rig=auto]

For each regressor run (any type), over every visible sample of the test
split, overall and per action: MPJPE (Protocol #1), P-MPJPE (Protocol #2),
N-MPJPE in mm, 3DPCK@150 and AUC, on exact and noisy 2D. A run trained on 3
cameras is tested on the 4th only (Protocol #3) unless --cameras says
otherwise. --bvh_dir adds the same evaluation on any BVH clips, seen by the
Human3.6M test cameras exactly as the test split is. An exported lifter
(export directory, SavedModel or .tflite file; `geo_rep_tf.runs.lifter`)
is evaluated the same way on all four cameras of --protocol_dir, which it
needs. Prints the tables and writes the JSON atomically.
"""

import dataclasses
import os
import tempfile

from absl import flags
import keras

from geo_rep_tf import cli
from geo_rep_tf.cli import flags as cli_flags
from geo_rep_tf.data import protocol
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval import evaluator, tables
from geo_rep_tf.runs.evaluation import evaluate_loaded_lifter, evaluate_run
from geo_rep_tf.runs.latent_cache import LatentCache, latent_cache_dir
from geo_rep_tf.runs.lifter import load_lifter
from geo_rep_tf.runs.loading import load_regressor_run
from geo_rep_tf.utils.files import check_output_file, write_json

FLAGS = flags.FLAGS
flags.DEFINE_list('model_dirs', None, 'Lifters to evaluate: regressor runs, '
                  'export directories, SavedModels or .tflite files.')
flags.DEFINE_string('protocol_dir', None, 'Prepared protocol (default: the '
                    'one each run trained on).')
flags.DEFINE_enum('split', 'test', ['train', 'test'], 'Split evaluated.')
flags.DEFINE_list('cameras', [], 'Cameras tested (default: all 4 for a run '
                  'trained on all 4, else the ones it never saw: Protocol '
                  '#3).')
flags.DEFINE_list('inputs', ['exact', 'noisy'], '2D inputs evaluated: exact '
                  'and/or noisy.')
flags.DEFINE_string('bvh_dir', None, 'Also evaluate on these BVH clips (a '
                    'directory, .bvh file or archive), projected through '
                    'the Human3.6M test cameras (S9/S11).')
flags.DEFINE_string('rig', 'auto', "Skeleton rig of --bvh_dir: 'auto', a "
                    'built-in rig name or a rig JSON path.')
flags.DEFINE_string('bvh_protocol_dir', None, 'Keep the protocol built from '
                    '--bvh_dir here (default: a temporary directory).')
flags.DEFINE_boolean('per_action', True, 'Print the per-action MPJPE table.')
flags.DEFINE_string('out', None, 'JSON output path.')
flags.DEFINE_integer('limit', 0, 'Evaluate the first N samples (0: all).',
                     lower_bound=0)
flags.DEFINE_integer('batch_size', 1024, 'Samples per prediction call.',
                     lower_bound=1)
flags.mark_flag_as_required('model_dirs')


def _lifters(protocol_dir):
  """(path, loaded regressor run or None, protocol) per --model_dirs entry.

  The protocol is --protocol_dir, else the one a regressor run trained on
  (None for a packed lifter that names none, and for exported lifters).
  """
  out = []
  for d in FLAGS.model_dirs:
    if not os.path.exists(d):
      raise ArgumentError(f'--model_dirs={d}: no such file or directory')
    if not os.path.isfile(os.path.join(d, 'config.json')):
      out.append((d, None, protocol_dir))  # export dir, SavedModel, .tflite
      continue
    # Keras names dropout seed generators from a process-wide counter, and
    # checkpoints hold variables by path: load each run as in a fresh process.
    keras.backend.clear_session()
    model, cfg = load_regressor_run(d, protocol_dir)
    own = cfg.protocol_dir if cfg.protocol_dir and os.path.isdir(
        cfg.protocol_dir) else None
    out.append((d, (model, cfg), protocol_dir or own))
  return out


def _evaluate_all(lifters, split, dataset, protocol_dir=None):
  """Evaluates every lifter on `protocol_dir` (None: each one's own)."""
  records = []
  cameras = (list(cli_flags.cameras_flag_value(','.join(FLAGS.cameras)))
             if FLAGS.cameras else None)
  # Runs sharing a representation encode each split once, and later calls
  # read that G from the representation's latent_cache/.
  latent_cache = LatentCache(log=print)
  for d, run, own_protocol in lifters:
    where = protocol_dir or own_protocol
    if run is None:
      record = evaluate_loaded_lifter(load_lifter(d), where,
                                      FLAGS.inputs, cameras, split,
                                      FLAGS.limit or None, FLAGS.batch_size)
    else:
      model, cfg = run
      cfg = dataclasses.replace(cfg, protocol_dir=where)
      record = evaluate_run(model, cfg, d, FLAGS.inputs, cameras, split,
                            FLAGS.limit or None, FLAGS.batch_size,
                            latent_cache, latent_cache_dir(cfg))
    record['dataset'] = dataset
    records.append(record)
  return records


def _print(title, records):
  print(f'\n{title}; errors in mm, PCK/AUC as fractions')
  print(tables.format_table(records))
  per_body = tables.format_per_body(records)
  if per_body:
    print('\nCross-body benchmark: the same test frames, cameras and 2D noise '
          'on each held-out body; x own = MPJPE over the own body\'s')
    print(per_body)
  if FLAGS.per_action:
    print()
    print(tables.format_per_action(records))


def main(argv):
  del argv
  for name in FLAGS.inputs:
    if name not in evaluator.INPUTS:
      raise ArgumentError(
          f'--inputs must be among {evaluator.INPUTS}, got {name!r}')
  if FLAGS.out:
    check_output_file(FLAGS.out, '--out')
  lifters = _lifters(FLAGS.protocol_dir)
  without = [(d, run) for d, run, p in lifters if not p]
  if without and not FLAGS.bvh_dir:
    d, run = without[0]
    what = ('a regressor run whose protocol is not on this machine' if run
            else 'not a regressor run (no config.json), so it is read as an '
            'exported lifter')
    raise ArgumentError(f'--model_dirs={d} is {what}; evaluating it needs '
                        '--protocol_dir (or --bvh_dir for BVH clips only)')
  without = [d for d, _ in without]
  out = dict(records=[])
  if without:
    print(f'{", ".join(without)}: no prepared protocol (--protocol_dir); '
          'every lifter is evaluated on the --bvh_dir clips only')
  on_protocol = [l for l in lifters if l[2]]
  if on_protocol and not without:
    records = _evaluate_all(on_protocol, FLAGS.split, 'protocol')
    _print(f'{FLAGS.split} split of {records[0]["protocol_dir"]}', records)
    out['records'] = records
  if FLAGS.bvh_dir:
    with tempfile.TemporaryDirectory() as tmp:
      bvh_dir = FLAGS.bvh_protocol_dir or os.path.join(tmp, 'protocol')
      manifest = protocol.bvh_protocol(FLAGS.bvh_dir, bvh_dir, FLAGS.rig)
      counts = manifest['counts']['test']
      bvh_records = _evaluate_all(lifters, 'test', f'bvh:{FLAGS.bvh_dir}',
                                  bvh_dir)
    for r in bvh_records:
      r['protocol_dir'] = FLAGS.bvh_protocol_dir
    _print(f'BVH clips {FLAGS.bvh_dir} ({counts["clips"]} clips, '
           f'{counts["samples_visible"]} of {counts["samples"]} (frame, camera)'
           ' samples visible, Human3.6M test cameras)', bvh_records)
    out['bvh'] = dict(source=os.path.abspath(FLAGS.bvh_dir), rig=FLAGS.rig,
                      counts=counts, records=bvh_records)
  if FLAGS.out:
    write_json(FLAGS.out, out)
    print(f'wrote {FLAGS.out}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

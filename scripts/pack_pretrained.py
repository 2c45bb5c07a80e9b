"""Packs a trained representation + regressor into models/pretrained/.

  .venv/bin/python scripts/pack_pretrained.py --regressor_dir=L \
      [--representation_dir=R] [--out_dir=models/pretrained]

Writes out_dir/lifter (and out_dir/representation when the regressor uses
G; give --representation_dir then): each its config.json and
one checkpoint of the model variables only (no optimizer slots, no data
state), so the committed weights stay small; the lifter's config names its
representation as '../representation' (resolved beside it). The result
loads with load_regressor_run / load_lifter / tools/infer.py like any run.
The committed ones: models/pretrained (the full method, infer's default)
and models/baseline1 (--out_dir=models/baseline1; no representation).

An existing out_dir is replaced only with --overwrite, and then its
README.md (the model card) is kept: only the weights change. A new out_dir
gets a short README naming the runs and the licence.
"""

import json
import os
import shutil
import sys
import tempfile

from absl import flags

from geo_rep_tf import cli
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.runs import model_dir, model_state
from geo_rep_tf.runs.loading import load_regressor_run, load_representation
from geo_rep_tf.utils.files import write_json

FLAGS = flags.FLAGS
flags.DEFINE_string('representation_dir', None, 'Representation run.')
flags.DEFINE_string('regressor_dir', None, 'Regressor run using it.')
flags.DEFINE_string('out_dir', 'models/pretrained', 'Output folder.')
flags.DEFINE_string('licence_note', 'Trained on the Bandai-Namco Research '
                    'Motion Dataset (CC BY-NC 4.0): these weights are for '
                    'non-commercial use only.', 'README line.')
flags.DEFINE_boolean('overwrite', False, 'Replace the weights in an existing '
                     '--out_dir (its README.md is kept).')


def _save(model, config, out):
  import tensorflow as tf
  os.makedirs(out)
  write_json(os.path.join(out, 'config.json'), config)
  ckpt = tf.train.Checkpoint(
      model_variables=model_state.variables_by_path(model))
  manager = tf.train.CheckpointManager(ckpt, out, max_to_keep=1)
  manager.save(checkpoint_number=0)


def main(argv):
  del argv
  if not FLAGS.regressor_dir:
    raise ArgumentError('--regressor_dir: required (a train_regressor.py '
                        '--model_dir)')
  if os.path.exists(FLAGS.out_dir) and not FLAGS.overwrite:
    raise ArgumentError(f'--out_dir={FLAGS.out_dir} exists; pass --overwrite '
                        'to replace its weights (its README.md is kept)')
  for flag, run, task in (
      ('regressor_dir', FLAGS.regressor_dir, 'regressor'),
      ('representation_dir', FLAGS.representation_dir, 'representation')):
    if run and model_dir.run_kind(run) != task:
      raise ArgumentError(f'--{flag}={run}: not a {task} run (no config.json '
                          f'with task {task!r} there)')
  with open(os.path.join(FLAGS.regressor_dir, 'config.json')) as fh:
    reg_cfg = json.load(fh)
  lifter, _ = load_regressor_run(FLAGS.regressor_dir)
  os.makedirs(os.path.dirname(os.path.abspath(FLAGS.out_dir)), exist_ok=True)
  tmp = tempfile.mkdtemp(prefix='.pack_', dir=os.path.dirname(
      os.path.abspath(FLAGS.out_dir)) or '.')
  reg_cfg.pop('trainer', None)
  reg_cfg['regressor']['protocol_dir'] = None
  reg_cfg['source'] = dict(representation_run=FLAGS.representation_dir,
                           regressor_run=FLAGS.regressor_dir)
  if reg_cfg['regressor'].get('representation_dir'):
    if not FLAGS.representation_dir:
      raise ArgumentError('--representation_dir: required, the regressor '
                          f'{FLAGS.regressor_dir} reads G')
    with open(os.path.join(FLAGS.representation_dir, 'config.json')) as fh:
      rep_cfg = json.load(fh)
    rep_cfg.pop('trainer', None)
    rep_cfg['representation']['protocol_dir'] = None
    reg_cfg['regressor']['representation_dir'] = '../representation'
    _save(load_representation(FLAGS.representation_dir), rep_cfg,
          os.path.join(tmp, 'representation'))
  _save(lifter, reg_cfg, os.path.join(tmp, 'lifter'))
  card = os.path.join(FLAGS.out_dir, 'README.md')
  if os.path.isfile(card):
    shutil.copy2(card, os.path.join(tmp, 'README.md'))
  else:
    with open(os.path.join(tmp, 'README.md'), 'w') as fh:
      fh.write('# Pretrained geo_rep_tf weights\n\n'
               f'- lifter: from `{FLAGS.regressor_dir}` '
               f'(`{reg_cfg["regressor"]["regressor"]}`)\n'
               f'- representation: from `{FLAGS.representation_dir}`\n\n'
               f'{FLAGS.licence_note}\n')
  if os.path.exists(FLAGS.out_dir):
    # The new folder is complete before the old one goes; a crash in
    # between leaves both (the old one renamed), never neither.
    old = tmp + '_old'
    os.rename(FLAGS.out_dir, old)
    os.rename(tmp, FLAGS.out_dir)
    shutil.rmtree(old)
  else:
    os.rename(tmp, FLAGS.out_dir)
  print(f'wrote {FLAGS.out_dir}')


if __name__ == '__main__':
  cli.run(main)

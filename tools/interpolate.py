r"""Fig. 4: interpolates the latent G between two test poses; one PNG strip.

  python tools/interpolate.py \
      --representation_dirs=work_dirs/rep_bl_dg_aug,work_dirs/rep_bl_sg_aug \
      --regressor_dirs=work_dirs/reg_regression1,none \
      --out=work_dirs/pictures/interpolation.png

For each representation run (one row each; e.g. with and without the
consistency loss): encodes poses A and B of the test split with phi, walks
G_t = (1 - t) G_A + t G_B in --steps steps, and draws psi(G_t) (the decoded
skeleton map) and, when that row has a regressor run on G (regression1 or
regression2_g, trained on that representation), its 3D pose from G_t.
Poses: --indices=A,B (test-split sample indices), default sample 0 and the
sample most different from it among the first --search samples.
"""

import json
import os

from absl import flags
import keras
import numpy as np

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf import cli
from geo_rep_tf.experiments import interpolation
from geo_rep_tf.runs.files import read_run
from geo_rep_tf.runs.loading import load_regressor_run, load_representation

FLAGS = flags.FLAGS
flags.DEFINE_list('representation_dirs', None, 'Representation runs, one '
                  'row each.')
flags.DEFINE_list('regressor_dirs', [], "Per row, a regressor run on G or "
                  "'none' (default: none).")
flags.DEFINE_list('labels', [], 'Row labels (default: the runs\' variants).')
flags.DEFINE_string('protocol_dir', None, 'Prepared protocol (default: the '
                    'first representation\'s).')
flags.DEFINE_enum('split', 'test', ['train', 'test'], 'Split of the poses.')
flags.DEFINE_integer('camera', 0, 'Camera whose view of the poses is used.',
                     lower_bound=0, upper_bound=3)
flags.DEFINE_list('indices', [], 'Sample indices A,B of the split (default: '
                  '0 and the most different of the first --search).')
flags.DEFINE_integer('search', 2000, 'Samples searched for the default B.',
                     lower_bound=2)
flags.DEFINE_integer('steps', 8, 'Interpolation steps K (ends included).',
                     lower_bound=2, upper_bound=32)
flags.DEFINE_string('out', None, 'PNG written.')
flags.mark_flags_as_required(['representation_dirs', 'out'])


def _samples(protocol_dir):
  indices = [int(i) for i in FLAGS.indices]
  if indices and (len(indices) != 2 or indices[0] == indices[1] or
                  min(indices) < 0):
    raise ArgumentError(f'--indices must be two distinct indices >= 0, got '
                        f'{FLAGS.indices}')
  n = max(indices) + 1 if indices else FLAGS.search
  ds = pipeline.sample_dataset(protocol_dir, FLAGS.split, (FLAGS.camera,))
  batch = next(iter(ds.take(n).batch(n)), None)
  count = 0 if batch is None else int(batch['pose_3d_mm'].shape[0])
  if count < (n if indices else 2):
    raise DataError(f'split {FLAGS.split!r} camera {FLAGS.camera} has only '
                    f'{count} samples', protocol_dir)
  if not indices:
    indices = [0, interpolation.most_different(batch['pose_3d_mm'].numpy())]
  kp = batch['keypoints_2d_px'].numpy()[indices]
  actions = [batch['action'].numpy()[i].decode() for i in indices]
  return indices, kp, actions


def _label(rep_dir, i):
  if i < len(FLAGS.labels) and FLAGS.labels[i]:
    return FLAGS.labels[i]
  cfg = _run_config(rep_dir)
  rep = cfg['representation']
  name = cfg.get('variant') or rep.get('variant', '?')
  if rep.get('variant') == 'dg':
    name += f' (lambda={rep.get("consistency_weight", 1.0):g})'
  return name


def _run_config(model_dir):
  """config.json of a representation run (checked to be one)."""
  read_run(model_dir, 'representation')
  with open(os.path.join(model_dir, 'config.json')) as fh:
    return json.load(fh)


def main(argv):
  del argv
  rep_dirs = FLAGS.representation_dirs
  reg_dirs = list(FLAGS.regressor_dirs)
  if len(reg_dirs) > len(rep_dirs):
    raise ArgumentError('--regressor_dirs has more entries than '
                        '--representation_dirs')
  reg_dirs += ['none'] * (len(rep_dirs) - len(reg_dirs))
  protocol_dir = (FLAGS.protocol_dir or
                  _run_config(rep_dirs[0])['representation']['protocol_dir'])
  indices, kp, actions = _samples(protocol_dir)
  print(f'poses: {FLAGS.split} samples {indices} ({", ".join(actions)}), '
        f'camera {FLAGS.camera}')
  rows = []
  for i, (rep_dir, reg_dir) in enumerate(zip(rep_dirs, reg_dirs)):
    # Variable paths of seed generators count per process: load each row's
    # runs as in a fresh one (rows are plain arrays once computed).
    keras.backend.clear_session()
    rep = load_representation(rep_dir)
    lifter = None
    if reg_dir and reg_dir.lower() != 'none':
      lifter, cfg = load_regressor_run(reg_dir, protocol_dir)
      if os.path.realpath(cfg.representation_dir or '') != os.path.realpath(
          rep_dir):
        raise ArgumentError(f'regressor run {reg_dir} was trained on G of '
                            f'{cfg.representation_dir}, not {rep_dir}')
    row = interpolation.interpolation_row(rep, kp, FLAGS.steps, lifter,
                                          _label(rep_dir, i))
    step = np.linalg.norm(np.diff(row['latents'], axis=0), axis=-1).mean()
    print(f'row {i}: {row["label"]}: mean latent step {step:.4f}')
    rows.append(row)
  interpolation.plot_interpolation(rows, FLAGS.out)
  print(f'wrote {FLAGS.out}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

r"""Pictures of a representation run: training curves and synthesised maps.

  python tools/report_representation.py --model_dir=work_dirs/rep_bl_dg_aug \
      [--out_dir=DIR] [--num_pairs=4] [--virtual_fraction=0]

Writes into --out_dir (default: MODEL_DIR/report):
  curves.png  every loss term over the steps, training and test pairs (read
              back from the run's TensorBoard event files);
  maps.png    test pairs: source map | true target | the map the model draws
              from its rotated latent (both directions for BL+DG).
"""

import os

from absl import flags

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf import cli
from geo_rep_tf.geometry.rotations import rotation_angle_deg
from geo_rep_tf.runs.files import read_run, read_scalars
from geo_rep_tf.runs.loading import load_representation
from geo_rep_tf.viz import figures

FLAGS = flags.FLAGS
flags.DEFINE_string('model_dir', None, 'Representation run directory.')
flags.DEFINE_string('protocol_dir', None, 'Prepared protocol (default: the '
                    'one the run trained on).')
flags.DEFINE_string('out_dir', None, 'Output folder (default: '
                    'MODEL_DIR/report).')
flags.DEFINE_integer('num_pairs', 4, 'Test pairs drawn.', lower_bound=1,
                     upper_bound=16)
flags.DEFINE_float('virtual_fraction', 0.0, 'Share of virtual-camera test '
                   'pairs drawn (0: real Human3.6M camera pairs).',
                   lower_bound=0.0, upper_bound=1.0)
flags.DEFINE_integer('seed', 0, 'Seed of the drawn pairs.')
flags.mark_flag_as_required('model_dir')

CURVE_TAGS = ('loss/total', 'loss/reconstruction',
              'loss/reconstruction_reverse', 'loss/consistency')


def _curves(model_dir):
  train = read_scalars(os.path.join(model_dir, 'train'))
  test = read_scalars(os.path.join(model_dir, 'eval'))
  # Eval tags are 'eval/<term>'; plot them on the training panels.
  test = {'loss/' + k.split('/', 1)[1]: v for k, v in test.items()}
  if not train:
    raise ArgumentError(f'--model_dir: no TensorBoard events in '
                        f'{os.path.join(model_dir, "train")}')
  return {'training pairs': train, 'test pairs': test}


def main(argv):
  del argv
  cfg, _ = read_run(FLAGS.model_dir, 'representation')
  protocol_dir = FLAGS.protocol_dir or cfg['protocol_dir']
  if not os.path.isfile(os.path.join(protocol_dir, 'manifest.json')):
    raise ArgumentError(f'--protocol_dir: {protocol_dir} is not a prepared '
                        'protocol (no manifest.json)')
  out_dir = FLAGS.out_dir or os.path.join(FLAGS.model_dir, 'report')
  os.makedirs(out_dir, exist_ok=True)
  name = os.path.basename(os.path.normpath(FLAGS.model_dir))
  fig = figures.plot_training_curves(_curves(FLAGS.model_dir), CURVE_TAGS,
                                     title=f'{name}: losses')
  figures.save_figure(fig, os.path.join(out_dir, 'curves.png'))

  model = load_representation(FLAGS.model_dir)
  pair_config = pipeline.PairConfig(
      batch_size=FLAGS.num_pairs, virtual_fraction=FLAGS.virtual_fraction,
      autoencode=model.variant == 'ae',
      camera_indices=tuple(cfg.get('camera_indices', (0, 1, 2, 3))),
      bone_sigma=model.map_sigma, shuffle_buffer=5000)
  batch = next(iter(pipeline.pair_dataset(protocol_dir, 'test', pair_config,
                                          seed=FLAGS.seed)))
  out = model(batch, training=False)
  R = batch['R_rel'].numpy()
  angles = [rotation_angle_deg(r) for r in R]
  source, target = batch['source_map'].numpy(), batch['target_map'].numpy()
  fig = figures.plot_map_triplets(source, target, out['synthesized'].numpy(),
                                  angles, title=f'{name}: view synthesis '
                                  'on test pairs (i -> j)')
  figures.save_figure(fig, os.path.join(out_dir, 'maps.png'))
  if 'synthesized_reverse' in out:
    fig = figures.plot_map_triplets(
        target, source, out['synthesized_reverse'].numpy(), angles,
        title=f'{name}: the reverse direction (j -> i)')
    figures.save_figure(fig, os.path.join(out_dir, 'maps_reverse.png'))
  print(f'wrote {out_dir}/curves.png and maps.png')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

r"""Learns the geometry-aware representation G by view synthesis (no 3D labels).

  python tools/train_representation.py --flagfile=flags/bl_dg_aug.cfg \
      --model_dir=work_dirs/rep_dg_aug

Variants (`geo_rep_tf.variants`): --variant=BL+AE | BL+SG | BL+SG+AUG |
BL+DG+AUG (the full method; default) | BL+DG; each on either skeleton
medium, --medium=map (the paper's skeleton maps) or coords (normalised 2D
coordinates). Writes checkpoints, TensorBoard summaries (loss terms,
learning rate, examples/s, source/target/synthesised maps or drawn 2D
skeletons, latent point clouds), flags.txt and config.json into
--model_dir, and resumes from it.
"""

import dataclasses

from absl import flags

from geo_rep_tf import cli, variants
from geo_rep_tf.cli import flags as cli_flags
from geo_rep_tf.cli import trainer_flags
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.models import coords_codec
from geo_rep_tf.training import launch
from geo_rep_tf.training import representation_task as rt

FLAGS = flags.FLAGS
trainer_flags.define_trainer_flags(steps=3000, batch_size=64, learning_rate=1e-3)
flags.DEFINE_enum('variant', 'BL+DG+AUG', list(variants.VARIANTS),
                  'Representation variant of the paper.')
flags.DEFINE_enum('medium', 'map', list(rt.MEDIA), 'Skeleton medium: map '
                  '(15-channel skeleton maps, U-Net; the paper) or coords '
                  '(normalised 2D coordinates, MLP encoder and decoder).')
flags.DEFINE_integer('coords_hidden', coords_codec.DEFAULT_HIDDEN,
                     'Hidden width of the coords medium\'s MLPs.',
                     lower_bound=1)
flags.DEFINE_float('virtual_fraction', None, 'Share of virtual-camera pairs '
                   '(default: the variant\'s, 0.5 with AUG).', lower_bound=0,
                   upper_bound=1)
flags.DEFINE_integer('num_points', rt.DEFAULT_NUM_POINTS,
                     'M, points of the latent G.', lower_bound=1)
flags.DEFINE_integer('base_filters', 32, 'Channels of the first encoder '
                     'level (32 = U-Net halved).', lower_bound=1)
flags.DEFINE_integer('depth', 4, 'Encoder/decoder levels.', lower_bound=1,
                     upper_bound=6)
flags.DEFINE_float('consistency_weight', 1.0, 'lambda of the consistency '
                   'loss.', lower_bound=0)
flags.DEFINE_boolean('centred_consistency', False, 'The consistency loss '
                     'centres each point set before scaling it (the paper '
                     'only scales, which lets a constant offset of G '
                     'dominate the loss).')
flags.DEFINE_list('virtual_elevation_deg', ['-5', '30'], 'LOW,HIGH elevation '
                  'band of the virtual cameras, degrees (a wide sphere: '
                  '-45,75).')
flags.DEFINE_float('virtual_roll_deg', 5.0, 'Maximum roll of the virtual '
                   'cameras, degrees (wide: 30).', lower_bound=0.0,
                   upper_bound=89.0)
flags.DEFINE_float('lit_weight', 1.0, 'Weight of lit pixels in the map L2 '
                   '(1: the paper\'s plain L2; ~20 makes the sparse bones '
                   'count).', lower_bound=1.0)
flags.DEFINE_float('map_sigma', 0.0, 'Skeleton-map bones: 0 = binary lines '
                   '2 px wide (the paper); > 0 = soft lines '
                   'exp(-d^2 / 2 sigma^2), sigma in map pixels.',
                   lower_bound=0.0, upper_bound=16.0)
flags.DEFINE_boolean('normalize_latent', False, 'Scale each latent point set '
                     'G to unit RMS per point (keeps view synthesis from '
                     'shrinking G to 0; the paper uses the raw G).')
flags.DEFINE_enum('output_activation', 'sigmoid', ['sigmoid', 'linear'],
                  'Decoder output: sigmoid (maps in [0, 1]) or linear (plain '
                  'regression of the map; the L2 gradient does not vanish '
                  'where the sigmoid saturates).')
flags.DEFINE_string('init_from', None, 'Warm start: a representation run '
                    '(model_dir) of the same size whose encoders/decoders '
                    'start this run (a one-direction run also starts mu/nu '
                    'of BL+DG).')
flags.DEFINE_list('cameras', ['0', '1', '2', '3'], 'Rig cameras used for real '
                  'pairs (Protocol #3: 0,1,2).')
flags.DEFINE_boolean('noisy_2d', False, 'Learn from the noisy 2D.')


def _elevation_band():
  text = ','.join(FLAGS.virtual_elevation_deg)
  try:
    low, high = (float(x) for x in FLAGS.virtual_elevation_deg)
  except ValueError:
    raise ArgumentError(f'--virtual_elevation_deg={text}: expected LOW,HIGH '
                        'in degrees') from None
  if not -89.0 <= low <= high <= 89.0:
    raise ArgumentError(f'--virtual_elevation_deg={text}: expected -89 <= '
                        'LOW <= HIGH <= 89')
  return low, high


def main(argv):
  del argv
  variant = variants.get(FLAGS.variant)
  virtual = (FLAGS.virtual_fraction if FLAGS.virtual_fraction is not None
             else variant.virtual_fraction)
  rep = rt.RepresentationConfig(
      protocol_dir=FLAGS.protocol_dir, variant=variant.model_variant,
      medium=FLAGS.medium, coords_hidden=FLAGS.coords_hidden,
      virtual_fraction=virtual, num_points=FLAGS.num_points,
      base_filters=FLAGS.base_filters, depth=FLAGS.depth,
      consistency_weight=FLAGS.consistency_weight,
      centred_consistency=FLAGS.centred_consistency,
      virtual_elevation_deg=_elevation_band(),
      virtual_roll_deg=FLAGS.virtual_roll_deg,
      lit_weight=FLAGS.lit_weight, map_sigma=FLAGS.map_sigma,
      normalize_latent=FLAGS.normalize_latent,
      output_activation=FLAGS.output_activation, init_from=FLAGS.init_from,
      camera_indices=cli_flags.cameras_flag_value(','.join(FLAGS.cameras)),
      noisy_2d=FLAGS.noisy_2d, global_batch_size=FLAGS.batch_size,
      seed=FLAGS.seed)
  launch.train_and_evaluate(
      rt.RepresentationTask(rep), trainer_flags.trainer_config(),
      trainer_flags.make_strategy(), cli_flags.flags_text(),
      dict(representation=dataclasses.asdict(rep), variant=FLAGS.variant))


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

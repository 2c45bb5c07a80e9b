r"""Trains the stacked hourglass (image -> 2D heatmaps) on MPII or COCO.

  python tools/train_hourglass.py \
      --annotations=../shared/data/images/mpii/annotations.json \
      --model_dir=work_dirs/hourglass

MPII json (list of {image, center, scale, joints, joints_vis}) or a COCO
keypoints json; images are read from --image_dir (default: beside the json).
Reports PCKh@0.5 on --eval_annotations (default: the training json).
"""

import dataclasses

from absl import flags

from geo_rep_tf.cli import flags as cli_flags
from geo_rep_tf.cli import trainer_flags
from geo_rep_tf.training import hourglass_task as ht
from geo_rep_tf import cli
from geo_rep_tf.training import launch

FLAGS = flags.FLAGS
trainer_flags.define_trainer_flags(steps=1000, batch_size=16, learning_rate=1e-3,
                               steps_per_loop=25, checkpoint_every=250)
flags.DEFINE_string('annotations', None, 'MPII or COCO keypoint json.')
flags.DEFINE_string('image_dir', None, 'Image folder (default: the json\'s).')
flags.DEFINE_string('eval_annotations', None, 'Held-out json.')
flags.DEFINE_integer('num_stacks', 2, 'Hourglass stacks.', lower_bound=1)
flags.DEFINE_integer('num_features', 256, 'Feature width.', lower_bound=4)
flags.DEFINE_integer('hg_depth', 4, 'Hourglass recursion depth.',
                     lower_bound=1)
flags.DEFINE_integer('input_size', 256, 'Crop side (px), divisible by '
                     '4 * 2^depth.', lower_bound=16)
flags.DEFINE_boolean('augment', True, 'Random scale, rotation and flip.')
flags.mark_flag_as_required('annotations')
flags.register_multi_flags_validator(
    ['input_size', 'hg_depth'],
    lambda f: f['input_size'] % (4 * 2 ** f['hg_depth']) == 0,
    message='--input_size must be divisible by 4 * 2^--hg_depth (e.g. 256 '
    'with depth 4)')


def main(argv):
  del argv
  hg = ht.HourglassConfig(
      annotations=FLAGS.annotations, image_dir=FLAGS.image_dir,
      eval_annotations=FLAGS.eval_annotations, num_stacks=FLAGS.num_stacks,
      num_features=FLAGS.num_features, depth=FLAGS.hg_depth,
      input_size=FLAGS.input_size, augment=FLAGS.augment,
      global_batch_size=FLAGS.batch_size, seed=FLAGS.seed)
  launch.train_and_evaluate(
      ht.HourglassTask(hg), trainer_flags.trainer_config(),
      trainer_flags.make_strategy(), cli_flags.flags_text(),
      dict(hourglass=dataclasses.asdict(hg)))


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

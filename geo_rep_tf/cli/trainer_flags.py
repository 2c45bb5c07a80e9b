"""The trainer's flags, for the training binaries only, and their config.

Part of the binaries' layer (`geo_rep_tf.cli`); it imports the training
library, so only train_representation, train_regressor and train_hourglass
import it:

  from geo_rep_tf.cli import trainer_flags
"""

from absl import flags

from geo_rep_tf.training import strategy as strategy_lib
from geo_rep_tf.training.trainer import TrainerConfig

FLAGS = flags.FLAGS


def define_trainer_flags(steps=2000, batch_size=64, learning_rate=1e-3,
                         steps_per_loop=50, checkpoint_every=500):
  """Defines the loop/optimiser/strategy flags with stage-specific defaults."""
  flags.DEFINE_string('model_dir', None, 'Output directory (checkpoints, '
                      'TensorBoard, flags.txt, config.json). Resumes if it '
                      'holds a checkpoint.')
  flags.DEFINE_string('protocol_dir', 'work_dirs/bandai_h36m',
                      'Prepared protocol (tools/prepare_data.py).')
  flags.DEFINE_integer('train_steps', steps, 'Final training step.',
                       lower_bound=1)
  flags.DEFINE_integer('steps_per_loop', steps_per_loop,
                       'Steps per traced inner loop.', lower_bound=1)
  flags.DEFINE_integer('checkpoint_every', checkpoint_every,
                       'Steps between checkpoints.', lower_bound=1)
  flags.DEFINE_integer('eval_every', 0, 'Steps between evaluations (0: at '
                       'the end only).', lower_bound=0)
  flags.DEFINE_integer('eval_batches', 20, 'Batches per evaluation.',
                       lower_bound=1)
  flags.DEFINE_integer('batch_size', batch_size, 'Global batch size.',
                       lower_bound=1)
  flags.DEFINE_float('learning_rate', learning_rate, 'Peak Adam learning '
                     'rate.', lower_bound=0.0)
  flags.DEFINE_enum('decay', 'cosine', ['cosine', 'constant'],
                    'Learning-rate schedule.')
  flags.DEFINE_integer('warmup_steps', 0, 'Steps of linear learning-rate '
                       'warm-up from 0 before the schedule.', lower_bound=0)
  flags.DEFINE_integer('seed', 0, 'Seed of weights and data order.')
  flags.DEFINE_boolean('deterministic', False, 'Enable op determinism.')
  flags.DEFINE_integer('max_nonfinite_steps', 20, 'Stop after this many '
                       'non-finite steps in a row.', lower_bound=1)
  flags.DEFINE_boolean('checkpoint_data', True, 'Checkpoint the input '
                       'iterator too (its cache and shuffle buffer: an '
                       'estimated 100-150 MB a checkpoint on the full '
                       'data), so that a '
                       'resumed run sees the batches an uninterrupted one '
                       'would; with --deterministic it ends with the same '
                       'weights.')
  flags.DEFINE_integer('image_summaries_every', 500, 'Steps between image '
                       'summaries (0: never).', lower_bound=0)
  flags.DEFINE_enum('strategy', 'default', list(strategy_lib.STRATEGIES),
                    'Distribution strategy.')
  flags.DEFINE_integer('num_cpu_devices', 0, 'Logical CPU devices for the '
                       'mirrored strategy without GPUs.', lower_bound=0)
  flags.mark_flag_as_required('model_dir')


def trainer_config() -> TrainerConfig:
  return TrainerConfig(
      model_dir=FLAGS.model_dir, train_steps=FLAGS.train_steps,
      steps_per_loop=FLAGS.steps_per_loop,
      checkpoint_every=FLAGS.checkpoint_every, eval_every=FLAGS.eval_every,
      eval_batches=FLAGS.eval_batches, learning_rate=FLAGS.learning_rate,
      decay=FLAGS.decay, warmup_steps=FLAGS.warmup_steps,
      global_batch_size=FLAGS.batch_size, seed=FLAGS.seed,
      deterministic=FLAGS.deterministic,
      max_nonfinite_steps=FLAGS.max_nonfinite_steps,
      checkpoint_data=FLAGS.checkpoint_data,
      image_summaries_every=FLAGS.image_summaries_every)


def make_strategy():
  return strategy_lib.make_strategy(FLAGS.strategy, FLAGS.num_cpu_devices)

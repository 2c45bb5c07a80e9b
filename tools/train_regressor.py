r"""Trains a 3D regressor from N labelled samples (optionally on a learnt G).

  python tools/train_regressor.py --regressor=regression1 --num_labels=500 \
      --representation_dir=work_dirs/rep_dg_aug --model_dir=work_dirs/reg1_n500

Regressors: baseline1 (Regression#1 network on normalised 2D), regression1
(on G, "OursShallow"), regression2 (Martinez et al. residual MLP, BL),
regression2_g (Regression#2 + G), baseline1_g (Baseline#1 + G: one FC of G
added to its hidden layer, not a paper row). G comes from the latest checkpoint of
--representation_dir and stays frozen. Reports MPJPE / P-MPJPE (mm) on the
test split at the end.
"""

import dataclasses

from absl import flags

from geo_rep_tf.cli import flags as cli_flags
from geo_rep_tf.cli import trainer_flags
from geo_rep_tf.models.pose_lifter import REGRESSORS
from geo_rep_tf.models.view_synthesis import LATENT_ENCODERS
from geo_rep_tf.runs.configs import RegressorConfig
from geo_rep_tf.training import regressor_task as rt
from geo_rep_tf import cli
from geo_rep_tf.training import launch

FLAGS = flags.FLAGS
trainer_flags.define_trainer_flags(steps=3000, batch_size=256, learning_rate=1e-3,
                               steps_per_loop=100)
flags.DEFINE_enum('regressor', 'regression1', sorted(REGRESSORS),
                  'Regressor type.')
flags.DEFINE_integer('num_labels', 0, 'Labelled training samples N (0: all).',
                     lower_bound=0)
flags.DEFINE_integer('label_seed', 0, 'Which N samples are labelled.')
flags.DEFINE_string('representation_dir', None, 'Representation run whose '
                    'encoder gives G (regression1, regression2_g).')
flags.DEFINE_integer('hidden', 1024, 'Regressor width.', lower_bound=1)
flags.DEFINE_float('dropout', None, 'Regressor dropout (default: the '
                   "regressor's).", lower_bound=0, upper_bound=0.99)
flags.DEFINE_float('latent_dropout', 0.0, 'baseline1_g: rate at which '
                   "training drops G's whole contribution per sample (the "
                   '2D path must work alone).', lower_bound=0,
                   upper_bound=0.99)
flags.DEFINE_list('cameras', ['0', '1', '2', '3'], 'Cameras of the training '
                  'samples (Protocol #3: 0,1,2).')
flags.DEFINE_boolean('noisy_2d', False, 'Train on the noisy 2D.')
flags.DEFINE_boolean('cache_latent', True, 'Regressors on G: encode the N '
                     'labelled samples once (phi is frozen) instead of at '
                     'every step.')
flags.DEFINE_string('latent_cache_dir', None, 'Regressors on G: where the G '
                    'of training samples is kept between runs on the same '
                    'representation (default: REPRESENTATION_DIR/latent_cache;'
                    ' empty: not kept).')
flags.DEFINE_boolean('standardize_latent', True, 'Regressors on G: feed G '
                     'centred and scaled (statistics from training '
                     '2D, stored with the regressor).')
flags.DEFINE_enum('latent_scale', None, ['vector', 'coordinate'],
                  'Regressors on G: the standardised G has unit mean square '
                  'per coordinate, or unit RMS norm as a whole vector (the '
                  'size of the normalised 2D Baseline#1 sees). Default: '
                  'coordinate for regression2_g (its 2D features are '
                  'batch-normalised), vector for the others.')
flags.DEFINE_float('latent_gain', None,
                   'Regressors on G: multiply the standardised G by this '
                   '(default: 0.1 for regression1 with at most 1,000 labels, '
                   'else 1; geo_rep_tf/runs/configs.py default_latent_gain).',
                   lower_bound=1e-6)
flags.DEFINE_enum('latent_encoders', 'phi', list(LATENT_ENCODERS),
                  "Regressors on G: G from the encoder phi (the paper's) or "
                  "the mean of phi and mu, the second direction's encoder "
                  "of a BL+DG+AUG representation (phi_mu).")


def main(argv):
  del argv
  reg = RegressorConfig(
      protocol_dir=FLAGS.protocol_dir, regressor=FLAGS.regressor,
      num_labels=FLAGS.num_labels,
      representation_dir=FLAGS.representation_dir, hidden=FLAGS.hidden,
      dropout=FLAGS.dropout, latent_dropout=FLAGS.latent_dropout,
      camera_indices=cli_flags.cameras_flag_value(','.join(FLAGS.cameras)),
      noisy_2d=FLAGS.noisy_2d, global_batch_size=FLAGS.batch_size,
      label_seed=FLAGS.label_seed, seed=FLAGS.seed,
      cache_latent=FLAGS.cache_latent,
      standardize_latent=FLAGS.standardize_latent,
      latent_scale=FLAGS.latent_scale, latent_gain=FLAGS.latent_gain,
      latent_cache_dir=FLAGS.latent_cache_dir,
      latent_encoders=FLAGS.latent_encoders)
  launch.train_and_evaluate(
      rt.RegressorTask(reg), trainer_flags.trainer_config(),
      trainer_flags.make_strategy(), cli_flags.flags_text(),
      dict(regressor=dataclasses.asdict(reg)))


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

r"""Adds one representation setting's N = 500 comparison to a records file.

  python tools/collect_settings.py \
      --experiment_dir=work_dirs/exp/de500_fast12k_noisy \
      --setting='hidden 512, 12,000 steps (flags/rep_coords_fast.cfg)' \
      --representation_command='tools/train_representation.py --flagfile=flags/rep_coords_fast.cfg --noisy_2d' \
      [--out=docs/results/coords_settings_n500.json] [--overwrite]

--experiment_dir is a `run_experiment.py --experiment=data_efficiency
--num_labels=500` directory on one representation; its OursShallow and
Baseline#1 results, the representation's settings (hidden width,
consistency weight, steps) and the regressor's encoders become one record
of --out (created if absent). A record of the same input and setting is
replaced only with --overwrite. Written atomically.
"""

from absl import flags

from geo_rep_tf import cli
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import media
from geo_rep_tf.utils.files import write_json

FLAGS = flags.FLAGS
flags.DEFINE_string('experiment_dir', None, 'data_efficiency experiment '
                    'directory at N = 500 on one representation.')
flags.DEFINE_string('setting', None, 'How the representation differs from '
                    'flags/rep_coords.cfg (the table row).')
flags.DEFINE_string('representation_command', None, 'The command that '
                    'trained the representation (recorded).')
flags.DEFINE_string('out', 'docs/results/coords_settings_n500.json',
                    'Records file updated (created if absent).')
flags.DEFINE_boolean('overwrite', False, 'Replace the record of the same '
                     'input and setting.')


def main(argv):
  del argv
  for name in ('experiment_dir', 'setting', 'representation_command'):
    if not getattr(FLAGS, name):
      raise ArgumentError(f'--{name} is required')
  record = media.settings_record(FLAGS.experiment_dir, FLAGS.setting,
                                 FLAGS.representation_command)
  write_json(FLAGS.out, media.merge_settings(
      media.read_settings(FLAGS.out), record, FLAGS.overwrite))
  print(f"{record['input']} {record['representation_run']} "
        f"({record['latent_encoders']}): OursShallow "
        f"{record['ours_shallow_n500_mpjpe_mm']:.1f} mm, Baseline#1 "
        f"{record['baseline1_n500_mpjpe_mm']:.1f}, gain "
        f"{100 * record['gain_n500']:+.1f}%; wrote {FLAGS.out}")


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

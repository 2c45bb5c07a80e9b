r"""Exports a trained lifter as a SavedModel and TFLite files, verified.

  python tools/export.py --model_dir=work_dirs/main/regression1 \
      --out_dir=work_dirs/main/export [--hourglass_dir=work_dirs/hourglass] \
      [--precisions=fp32,fp16,int8] [--overwrite]

--model_dir is a regressor run (tools/train_regressor.py: config.json and a
checkpoint; a G-based regressor also reads its representation run). The
export directory gets saved_model/ (signatures keypoints_to_pose3d,
keypoints_to_pose3d_with_confidence, skeleton_map_to_latent when the
regressor uses G, image_to_pose3d with --hourglass_dir),
lifter_{fp32,fp16,int8}.tflite, export.json and verification.json. Every
file is reloaded in a fresh process and compared with the Keras model before
the directory is moved into place (see geo_rep_tf/export/verify.py).
Load it with `geo_rep_tf.export.load_lifter(OUT_DIR)`.
"""

import os

from absl import flags

from geo_rep_tf import cli
from geo_rep_tf.export import layout

FLAGS = flags.FLAGS
flags.DEFINE_string('model_dir', None, 'Regressor run to export.')
flags.DEFINE_string('out_dir', None, 'Export directory to create.')
flags.DEFINE_string('hourglass_dir', None, 'Hourglass run (tools/'
                    'train_hourglass.py) for the image_to_pose3d signature.')
flags.DEFINE_list('precisions', ['fp32', 'fp16', 'int8'], 'TFLite files to '
                  'write: any of fp32, fp16, int8 (empty: SavedModel only).')
flags.DEFINE_float('confidence_threshold', 0.5, 'Joints below it are flagged '
                   'by the *_with_confidence / image signatures (the pose '
                   'never depends on it).')
flags.DEFINE_boolean('overwrite', False, 'Replace an existing --out_dir '
                     '(after the new export passed verification).')
flags.DEFINE_integer('num_check', 64, 'Poses compared in the verification.',
                     lower_bound=1)
flags.mark_flag_as_required('model_dir')
flags.mark_flag_as_required('out_dir')
_PRECISIONS = ('fp32', 'fp16', 'int8')  # exporter.PRECISIONS, without TF.
flags.register_validator(
    'precisions', lambda value: set(value) <= set(_PRECISIONS),
    message=f'--precisions must be a comma-separated subset of {_PRECISIONS}')


def _check_run_dir(flag: str, path: str) -> None:
  # Checked before TensorFlow is imported, so a typo fails in a second.
  if not os.path.isdir(path):
    cli.fail(f'--{flag}={path}: no such directory')
  if not os.path.isfile(os.path.join(path, 'config.json')):
    cli.fail(f'--{flag}={path}: not a training run (config.json missing)')


def main(argv):
  del argv
  _check_run_dir('model_dir', FLAGS.model_dir)
  if FLAGS.hourglass_dir:
    _check_run_dir('hourglass_dir', FLAGS.hourglass_dir)
  layout.check_out_dir(FLAGS.out_dir, FLAGS.overwrite)
  # pylint: disable=g-import-not-at-top
  from geo_rep_tf.export import exporter
  from geo_rep_tf.runs.loading import load_hourglass_run, load_regressor_run
  # pylint: enable=g-import-not-at-top
  lifter, config = load_regressor_run(FLAGS.model_dir)
  hourglass = (load_hourglass_run(FLAGS.hourglass_dir)
               if FLAGS.hourglass_dir else None)
  report = exporter.export_lifter(
      lifter, FLAGS.out_dir, hourglass=hourglass,
      precisions=FLAGS.precisions,
      confidence_threshold=FLAGS.confidence_threshold,
      overwrite=FLAGS.overwrite, num_check=FLAGS.num_check,
      metadata=dict(source_run=os.path.abspath(FLAGS.model_dir),
                    hourglass_run=(os.path.abspath(FLAGS.hourglass_dir)
                                   if FLAGS.hourglass_dir else None),
                    regressor_config=dict(
                        regressor=config.regressor,
                        representation_dir=config.representation_dir)),
      log=lambda line: print(line, flush=True))
  for precision, entry in sorted(report['tflite'].items()):
    print(f'lifter_{precision}.tflite: {entry["size_bytes"]} bytes, max '
          f'|diff| to Keras {entry["max_abs_diff_mm"]:.4f} mm (tolerance '
          f'{entry["tolerance"]["max_abs_mm"]} mm)')
  print(f'signatures: {", ".join(report["fresh_process"]["saved_model_signatures"])}')
  print(f'wrote {os.path.abspath(FLAGS.out_dir)} (verification.json: ok)')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

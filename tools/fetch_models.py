r"""Fetches the pretrained BlazePose models once (the only tool that downloads).

  python tools/fetch_models.py                 # into ~/.cache/geo_rep_tf/models
  python tools/fetch_models.py --models_dir=DIR --force
  python tools/fetch_models.py --wheel=mediapipe-0.10.21-...whl   # offline

pip downloads the MediaPipe 0.10.21 wheel (Apache-2.0) without dependencies
into a temporary directory; pose_detection.tflite, pose_landmark_full.tflite
and the licence are extracted, checked against pinned sha256s and recorded in
manifest.json. MediaPipe itself is not installed.
"""

from absl import flags

from geo_rep_tf.inference import defaults
from geo_rep_tf.inference import model_store
from geo_rep_tf import cli
from geo_rep_tf.utils.files import check_output_dir

FLAGS = flags.FLAGS
flags.DEFINE_string('models_dir', None, 'Cache directory (default: '
                    f'${defaults.MODELS_ENV} or ~/.cache/geo_rep_tf/models).')
flags.DEFINE_string('wheel', None, 'Use this MediaPipe wheel instead of '
                    'downloading one.')
flags.DEFINE_boolean('force', False, 'Fetch even if the cache is complete.')


def main(argv):
  del argv
  if FLAGS.models_dir:
    check_output_dir(FLAGS.models_dir, '--models_dir')
  paths = model_store.fetch_blazepose(FLAGS.models_dir, wheel=FLAGS.wheel,
                                      force=FLAGS.force)
  for kind, path in sorted(paths.items()):
    print(f'{kind}: {path}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

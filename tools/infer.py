r"""3D poses of the people in photos and videos.

  python tools/infer.py --inputs=data/samples/000000000785.jpg \
      --lifter_dir=work_dirs/main/regression1 --output_dir=work_dirs/infer

Inputs: images, videos (read with OpenCV) or folders of them. For each input
it writes <name>.json (docs/infer_schema.md: per person the 16 joints' 2D in
pixels with confidences and the root-relative 3D pose in mm, camera frame)
and, unless --nodraw, <name>.png (2D skeletons over the image, 3D poses from
two viewpoints) or, for a video, <name>.mp4 and a picture of its first frame.
A video also gets <name>.jsonl (one frame's JSON per line, written as the
frames come), and its people are tracked (`track_id`) and smoothed over time
by causal One Euro filters (--nosmooth: each frame alone).

2D backends: blazepose (MediaPipe's pretrained BlazePose run with LiteRT;
fetch the models once with tools/fetch_models.py) or hourglass (our stacked
hourglass, --hourglass_dir; one person per image). 3D: the lifter in
--lifter_dir (a tools/train_regressor.py run, an export, or `full` / `baseline1`
for the committed weights in models/); --nolift writes 2D only.
"""

from absl import flags

from geo_rep_tf.inference import defaults
from geo_rep_tf.inference import infer_lib
from geo_rep_tf.inference import smoothing
from geo_rep_tf import cli
from geo_rep_tf.runs import committed
from geo_rep_tf.utils.files import check_output_dir

FLAGS = flags.FLAGS
flags.DEFINE_list('inputs', None, 'Images, videos or folders.')
flags.DEFINE_string('output_dir', 'work_dirs/infer', 'Output directory.')
flags.DEFINE_enum('backend', 'blazepose', list(infer_lib.BACKENDS),
                  '2D backend.')
flags.DEFINE_string('models_dir', None, 'BlazePose model cache (default: '
                    f'${defaults.MODELS_ENV} or ~/.cache/geo_rep_tf/models).')
flags.DEFINE_string('hourglass_dir', None, 'Hourglass run directory '
                    '(--backend=hourglass).')
flags.DEFINE_string('lifter_dir', committed.DEFAULT_LIFTER_DIR,
                    'Lifter: a regressor run directory (config.json + '
                    'checkpoint), an exported lifter, or the name of a '
                    'committed one: full (the default: the full method, '
                    'Regression#1 on G of the coords BL+DG+AUG encoder) or '
                    'baseline1 (the same network on the 2D alone).')
flags.DEFINE_boolean('lift', True, 'Lift to 3D (--nolift: 2D only).')
flags.DEFINE_float('min_score', 0.5, 'Drop people scoring below this.',
                   lower_bound=0.0, upper_bound=1.0)
flags.DEFINE_integer('max_people', -1, 'People per frame (-1: all).',
                     lower_bound=-1)
flags.DEFINE_integer('tiles', 2, 'BlazePose: also detect in an n x n grid '
                     'of tiles (0: whole image only, as MediaPipe).',
                     lower_bound=0, upper_bound=4)
flags.DEFINE_integer('roi_passes', 1, 'BlazePose landmark passes per person '
                     '(2: re-crop from the first pass).', lower_bound=1,
                     upper_bound=2)
flags.DEFINE_boolean('draw', True, 'Write pictures (PNG, MP4).')
flags.DEFINE_integer('video_every', 1, 'Keep every n-th video frame.',
                     lower_bound=1)
flags.DEFINE_integer('max_frames', 0, 'Frames per video (0: all).',
                     lower_bound=0)
flags.DEFINE_boolean('smooth', True, 'Videos: track people and smooth their '
                     '2D and 3D over time with causal One Euro filters '
                     '(photos are never smoothed).')
flags.DEFINE_float('smooth_min_cutoff', smoothing.DEFAULT_2D.min_cutoff,
                   '2D filter cutoff at rest (Hz): lower is smoother.',
                   lower_bound=1e-3)
flags.DEFINE_float('smooth_beta', smoothing.DEFAULT_2D.beta, '2D filter: '
                   'cutoff rise per box diagonal / s of speed (higher: less '
                   'lag in fast motion).', lower_bound=0.0)
flags.DEFINE_float('smooth_3d_min_cutoff', smoothing.DEFAULT_3D.min_cutoff,
                   '3D filter cutoff at rest (Hz).', lower_bound=1e-3)
flags.DEFINE_float('smooth_3d_beta', smoothing.DEFAULT_3D.beta, '3D filter: '
                   'cutoff rise per mm / s of speed.', lower_bound=0.0)
flags.mark_flag_as_required('inputs')


def main(argv):
  del argv
  check_output_dir(FLAGS.output_dir, '--output_dir')
  if FLAGS.models_dir:
    check_output_dir(FLAGS.models_dir, '--models_dir')
  config = infer_lib.InferConfig(
      inputs=FLAGS.inputs, output_dir=FLAGS.output_dir, backend=FLAGS.backend,
      models_dir=FLAGS.models_dir, hourglass_dir=FLAGS.hourglass_dir,
      lifter_dir=FLAGS.lifter_dir if FLAGS.lift else None,
      min_score=FLAGS.min_score, max_people=FLAGS.max_people,
      tiles=FLAGS.tiles, roi_passes=FLAGS.roi_passes, draw=FLAGS.draw,
      video_every=FLAGS.video_every, max_frames=FLAGS.max_frames,
      smooth=FLAGS.smooth,
      smooth_2d=smoothing.OneEuroConfig(FLAGS.smooth_min_cutoff,
                                        FLAGS.smooth_beta),
      smooth_3d=smoothing.OneEuroConfig(FLAGS.smooth_3d_min_cutoff,
                                        FLAGS.smooth_3d_beta))
  infer_lib.run(config)


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

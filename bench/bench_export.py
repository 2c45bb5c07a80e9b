r"""Export benchmarks: the lifter as TFLite (fp32/fp16/int8) and SavedModel.

  .venv/bin/python bench/bench_export.py [--model_dir=RUN] [--threads=2]

Exports a lifter with `geo_rep_tf.export.export_lifter` (verified, as
tools/export.py does), then times, in one process:
  lifter.tflite_{fp32,fp16,int8}.latency_ms   batch 1, LiteRT interpreter
  lifter.tflite_*.poses_per_s                 batch 256
  lifter.savedmodel.latency_ms / .poses_per_s the keypoints_to_pose3d
                                              signature, reloaded
  lifter.keras.latency_ms / .poses_per_s      the Keras model, for scale
  lifter.keras_xla.latency_ms / .poses_per_s  the same XLA-compiled, as
                                              tools/infer.py runs a run dir
  lifter.*.size_bytes                         file (SavedModel: directory)
  lifter.tflite_*.max_abs_diff_mm             from the verification
Each figure is the median over windows (latency: per call). Without
--model_dir three lifters are timed: `lifter`, the committed default
(models/pretrained/lifter: Regression#1 on G of the coords BL+DG+AUG
encoder, trained); `lifter_paper`, the paper's map medium at the paper's
size with random weights (speed does not depend on the weights):
Regression#1 (FC 1024, 48) on G from a BL+DG encoder (32-64-128-256-512
channels, M = 32, binary 64 x 64 maps); and `lifter_coords`, Regression#1
(FC 1024, 48) on G of a 'coords' representation at flags/rep_coords.cfg's
size (MLP 32 -> 1024 -> 1024 -> 96, M = 32; random weights). Then, in the same
run, photo -> 3D end to end with the default lifter beside BlazePose alone
(bench_end_to_end.measure: end_to_end.lift_overhead_ratio, goal <= 0.20;
skipped with a reason when the BlazePose models are not fetched), and the
video smoothing figures of bench/bench_video_smoothing.py (video.*: jitter
on a still clip, goal <= 2 mm per joint per frame; lag on real motion).
Prints JSON and writes bench/results/export.json.
Goals (2 cores): TFLite lifting <= 2 ms per pose; the coords lifter
<= 0.5 ms per pose (lifter_coords.goal_met).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import common  # noqa: E402

GOAL_MS_PER_POSE = 2.0
GOAL_COORDS_MS_PER_POSE = 0.5


def _windows(fn, windows, calls):
  """Seconds per call of fn(), one median-able value per window."""
  fn()
  fn()
  out = []
  for _ in range(windows):
    t = time.perf_counter()
    for _ in range(calls):
      fn()
    out.append((time.perf_counter() - t) / calls)
  return out


def _figures(prefix, fn_of_batch, keypoints, windows):
  single = keypoints[:1]
  batch = keypoints[:256]
  lat = _windows(lambda: fn_of_batch(single), windows, 30)
  thr = _windows(lambda: fn_of_batch(batch), windows, 3)
  return {f'{prefix}.latency_ms': round(1e3 * statistics.median(lat), 3),
          f'{prefix}.latency_ms_windows': [round(1e3 * x, 3) for x in lat],
          f'{prefix}.poses_per_s': round(
              len(batch) / statistics.median(thr), 1),
          f'{prefix}.poses_per_s_windows': [round(len(batch) / x, 1)
                                            for x in thr]}


def _tflite_runner(path, threads):
  from ai_edge_litert.interpreter import Interpreter
  interpreter = Interpreter(model_path=path, num_threads=threads)
  runner = interpreter.get_signature_runner('keypoints_to_pose3d')
  return lambda kp: runner(keypoints_2d_px=kp)['pose_3d_mm']


def _dir_size(path):
  return sum(os.path.getsize(os.path.join(d, f))
             for d, _, files in os.walk(path) for f in files)


def build_lifter(base_filters):
  """A lifter with random weights (speed does not depend on them)."""
  import tensorflow as tf
  from geo_rep_tf.models.pose_lifter import PoseLifter
  from geo_rep_tf.models.view_synthesis import ViewSynthesis
  rep = ViewSynthesis('dg', base_filters=base_filters, depth=4,
                      name='view_synthesis')
  rep.encode(tf.zeros([1, 64, 64, 15]), training=False)
  lifter = PoseLifter('regression1', rep, {'hidden': 1024}, name='lifter')
  lifter(tf.random.uniform([1, 16, 2], 0, 100), training=False)
  return lifter


def build_coords_lifter(hidden=1024, num_points=32):
  """Regression#1 on a 'coords' G with random weights."""
  import tensorflow as tf
  from geo_rep_tf.models.pose_lifter import PoseLifter
  from geo_rep_tf.models.view_synthesis import ViewSynthesis
  rep = ViewSynthesis('dg', medium='coords', num_points=num_points,
                      coords_hidden=hidden, name='view_synthesis')
  rep(rep.dummy_inputs(), training=False)
  lifter = PoseLifter('regression1', rep, {'hidden': 1024},
                      standardize_latent=True, name='lifter')
  lifter(tf.random.uniform([1, 16, 2], 0, 100), training=False)
  return lifter


def bench_lifter(prefix, lifter, keypoints, threads, windows,
                 goal_ms=GOAL_MS_PER_POSE):
  """Exports `lifter` (verified) and times every form of it."""
  import tensorflow as tf
  from geo_rep_tf.export import exporter
  result = {}
  with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, 'export')
    t = time.perf_counter()
    report = exporter.export_lifter(lifter, out)
    result[f'{prefix}.export.wall_s'] = round(time.perf_counter() - t, 1)
    result[f'{prefix}.export.timings_s'] = report['timings_s']
    for precision in exporter.PRECISIONS:
      path = os.path.join(out, f'lifter_{precision}.tflite')
      name = f'{prefix}.tflite_{precision}'
      result.update(_figures(name, _tflite_runner(path, threads), keypoints,
                             windows))
      result[f'{name}.size_bytes'] = os.path.getsize(path)
      entry = report['tflite'][precision]
      result[f'{name}.max_abs_diff_mm'] = entry['max_abs_diff_mm']
      result[f'{name}.mean_abs_diff_mm'] = entry['mean_abs_diff_mm']
    sig = tf.saved_model.load(os.path.join(out, 'saved_model')).signatures[
        'keypoints_to_pose3d']
    result.update(_figures(
        f'{prefix}.savedmodel',
        lambda kp: sig(keypoints_2d_px=tf.constant(kp))['pose_3d_mm'].numpy(),
        keypoints, windows))
    result[f'{prefix}.savedmodel.size_bytes'] = _dir_size(
        os.path.join(out, 'saved_model'))
  result.update(_figures(
      f'{prefix}.keras',
      lambda kp: lifter(kp, training=False)['pose_3d_mm'].numpy(),
      keypoints, windows))
  # What tools/infer.py runs for a regressor run: the model XLA-compiled.
  from geo_rep_tf.runs.lifter import compiled_lift
  result.update(_figures(f'{prefix}.keras_xla', compiled_lift(lifter),
                         keypoints, windows))
  best = min(result[f'{prefix}.tflite_{p}.latency_ms']
             for p in exporter.PRECISIONS)
  result[f'{prefix}.goal_ms_per_pose'] = goal_ms
  result[f'{prefix}.goal_met'] = bool(best <= goal_ms)
  return result


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument('--model_dir', help='Bench this regressor run as `lifter` '
                  '(default: the committed default lifter; given, '
                  'lifter_paper is skipped).')
  ap.add_argument('--threads', type=int, default=2,
                  help='TFLite interpreter threads.')
  ap.add_argument('--windows', type=int, default=7)
  ap.add_argument('--no_end_to_end', dest='end_to_end', action='store_false',
                  help='Skip photo -> 3D end to end (needs the BlazePose '
                  'models of tools/fetch_models.py).')
  ap.add_argument('--out', default=os.path.join(common.REPO, 'bench',
                                                'results', 'export.json'))
  args = ap.parse_args()
  os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
  from geo_rep_tf.export import verify

  keypoints = verify.synthetic_keypoints(256, seed=0)
  result, models = {}, {}
  from geo_rep_tf.runs import committed
  from geo_rep_tf.runs.loading import load_regressor_run
  model_dir = args.model_dir or committed.DEFAULT_LIFTER_DIR
  configs = [('lifter', f'run {os.path.relpath(model_dir, common.REPO)}'
              + ('' if args.model_dir else ' (the committed default: '
                 'Regression#1 on G of the coords full method)'),
              lambda: load_regressor_run(model_dir)[0])]
  if not args.model_dir:
    configs.append(
        ('lifter_paper', 'paper size: Regression#1 (FC 1024, 48) on G of a '
         'BL+DG encoder with base_filters 32 (32-64-128-256-512), M 32, '
         'binary 64x64 maps; random weights', lambda: build_lifter(32)))
    configs.append(
        ('lifter_coords', 'Regression#1 (FC 1024, 48) on G of a coords '
         'representation (MLP 32-1024-1024-96, M 32, flags/rep_coords.cfg); '
         'random weights', build_coords_lifter))
  for prefix, description, build in configs:
    models[prefix] = description
    goal = (GOAL_COORDS_MS_PER_POSE if prefix == 'lifter_coords' else
            GOAL_MS_PER_POSE)
    result.update(bench_lifter(prefix, build(), keypoints, args.threads,
                               args.windows, goal))
  if args.end_to_end:
    from bench import bench_end_to_end
    from geo_rep_tf.errors import GeoRepError
    try:
      result.update(bench_end_to_end.measure(bench_end_to_end.SAMPLE_PHOTO,
                                             model_dir))
    except GeoRepError as e:  # BlazePose models not fetched.
      result['end_to_end.skipped'] = str(e)
  from bench import bench_video_smoothing
  result.update(bench_video_smoothing.measure(args.model_dir))
  result.update({
      'models': models,
      'tflite_threads': args.threads,
      'goal_tflite_latency_ms_per_pose': GOAL_MS_PER_POSE,
      'load_average_at_end': [round(x, 2) for x in os.getloadavg()],
  })
  common.finish(args.out, result)


if __name__ == '__main__':
  main()

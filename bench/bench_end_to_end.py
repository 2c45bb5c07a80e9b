r"""Photo -> 3D end to end, beside the 2D backend alone, in one run.

  .venv/bin/python bench/bench_end_to_end.py [--image=data/samples/000000000785.jpg]
      [--lifter_dir=models/pretrained/lifter] [--repeats=15]

Prints JSON and writes bench/results/end_to_end.json with
  end_to_end.backend_ms          BlazePose (detector + landmarks) alone
  end_to_end.with_lift_ms        the same plus lifting every person to 3D
  end_to_end.lift_overhead_ratio with_lift / backend - 1 (goal <= 0.20)
Medians over repeats; the two are interleaved so that machine noise hits
both alike. Needs the BlazePose models (tools/fetch_models.py).
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import common  # noqa: E402
from geo_rep_tf.utils.files import write_json  # noqa: E402

SAMPLE_PHOTO = os.path.join(common.REPO, 'data', 'samples', '000000000785.jpg')
GOAL_OVERHEAD = 0.20


def measure(image_path, lifter_dir=None, repeats=15):
  """end_to_end.* figures: BlazePose alone and photo -> 3D, interleaved."""
  from geo_rep_tf.runs import lifter as lifter_lib
  from geo_rep_tf.inference.blazepose import BlazePose
  from geo_rep_tf.inference.pipeline import Pipeline, read_image

  image = read_image(image_path)
  backend = BlazePose(None)
  lifter = lifter_lib.load_lifter(lifter_dir)
  only_2d, with_3d = Pipeline(backend), Pipeline(backend, lifter)
  for pipe in (only_2d, with_3d):  # Warm up (tracing, delegates).
    people = pipe(image)
  times = {'backend': [], 'with_lift': []}
  for _ in range(repeats):
    for name, pipe in (('backend', only_2d), ('with_lift', with_3d)):
      start = time.perf_counter()
      pipe(image)
      times[name].append(1000.0 * (time.perf_counter() - start))
  backend_ms = statistics.median(times['backend'])
  lift_ms = statistics.median(times['with_lift'])
  return {
      'end_to_end.image': os.path.relpath(image_path, common.REPO),
      'end_to_end.people': len(people),
      'end_to_end.lifter': lifter.version,
      'end_to_end.backend_ms': round(backend_ms, 2),
      'end_to_end.with_lift_ms': round(lift_ms, 2),
      'end_to_end.lift_overhead_ratio': round(lift_ms / backend_ms - 1.0, 4),
      'end_to_end.backend_ms_all': [round(t, 2) for t in times['backend']],
      'end_to_end.with_lift_ms_all': [round(t, 2) for t in times['with_lift']],
      'goal_lift_overhead_ratio': GOAL_OVERHEAD,
  }


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--image', default=SAMPLE_PHOTO)
  parser.add_argument('--lifter_dir', default=None)
  parser.add_argument('--repeats', type=int, default=15)
  parser.add_argument('--out', default=os.path.join(
      common.REPO, 'bench', 'results', 'end_to_end.json'))
  args = parser.parse_args()
  result = measure(args.image, args.lifter_dir, args.repeats)
  result['machine'] = common.machine()
  write_json(args.out, result)
  print(json.dumps(result, indent=2))


if __name__ == '__main__':
  main()

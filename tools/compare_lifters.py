r"""Compares lifters on real photos, where there is no 3D ground truth.

  python tools/compare_lifters.py \
      --lifters=exact=models/pretrained/lifter,noisy=work_dirs/noisy/b1 \
      --inputs=data/samples/000000000785.jpg,../shared/data/images/coco \
      --protocol_dir=work_dirs/bandai_h36m_full --out=photo_lifters.json

BlazePose finds the people once; each lifter lifts the same 2D. Every pose
is scored for plausibility (geo_rep_tf/eval/plausibility.py): its bone
lengths against the mean bone lengths of the protocol's training poses, and
its left/right limb asymmetry. Prints one row per lifter (and per person)
and writes the JSON atomically.
"""

import os

from absl import flags
import numpy as np

from geo_rep_tf.cli import flags as cli_flags
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval import plausibility
from geo_rep_tf.inference import defaults
from geo_rep_tf.inference.blazepose import BlazePose
from geo_rep_tf.runs.lifter import load_lifter
from geo_rep_tf.inference.pipeline import list_inputs, read_image
from geo_rep_tf import cli
from geo_rep_tf.utils.files import write_json

FLAGS = flags.FLAGS
flags.DEFINE_list('lifters', None, 'NAME=PATH pairs: regressor runs, export '
                  'directories or .tflite files.')
flags.DEFINE_list('inputs', [str(defaults.REPO_ROOT / 'data' / 'samples')],
                  'Images or folders of images.')
flags.DEFINE_string('protocol_dir', 'work_dirs/bandai_h36m_full',
                    'Prepared protocol whose training poses give the '
                    'reference bone lengths.')
flags.DEFINE_string('models_dir', None, 'BlazePose model cache (default: '
                    'tools/fetch_models.py\'s).')
flags.DEFINE_integer('tiles', 2, 'BlazePose detector tiles (as infer).',
                     lower_bound=1)
flags.DEFINE_float('min_score', 0.5, 'Drop people scoring below this.',
                   lower_bound=0.0, upper_bound=1.0)
flags.DEFINE_string('out', None, 'JSON output path.')
flags.mark_flag_as_required('lifters')


def _people(backend, paths):
  """[(image path, person index)], [P, 16, 2] keypoints of every person."""
  where, keypoints = [], []
  for path in paths:
    people = [p for p in backend(read_image(path))
              if p.score >= FLAGS.min_score]
    for i, p in enumerate(people):
      where.append((path, i))
      keypoints.append(p.keypoints_px)
  return where, np.asarray(keypoints, np.float32).reshape(-1, 16, 2)


def main(argv):
  del argv
  lifters = cli_flags.name_value_pairs(FLAGS.lifters, 'lifters', 'NAME=PATH')
  if not os.path.isfile(os.path.join(FLAGS.protocol_dir, 'manifest.json')):
    raise ArgumentError(f'--protocol_dir: no prepared protocol at '
                        f'{FLAGS.protocol_dir} (tools/prepare_data.py)')
  paths = [p for p, kind in list_inputs(FLAGS.inputs) if kind == 'image']
  if not paths:
    raise ArgumentError(f'--inputs: no image in {FLAGS.inputs}')
  reference = plausibility.reference_bone_lengths(FLAGS.protocol_dir)
  backend = BlazePose(FLAGS.models_dir, tiles=FLAGS.tiles)
  where, keypoints = _people(backend, paths)
  print(f'{len(where)} people in {len(paths)} images; reference bone lengths '
        f'from {FLAGS.protocol_dir} (mm): '
        + ' '.join(f'{x:.0f}' for x in reference))
  results = {}
  for name, path in lifters.items():
    lifter = load_lifter(path)
    summary = plausibility.summarize(lifter(keypoints), reference)
    summary.update(path=path, version=lifter.version)
    results[name] = summary
  width = max(len(n) for n in results)
  print(f'{"lifter":<{width}}  people  bone-length error  L/R asymmetry')
  for name, s in results.items():
    print(f'{name:<{width}}  {s["count"]:>6}  {s["bone_length_error"]:>17.3f}'
          f'  {s["left_right_asymmetry"]:>13.3f}' if s['count'] else
          f'{name:<{width}}  {0:>6}')
  for i, (path, k) in enumerate(where):
    cells = '  '.join(
        f'{name} {s["per_pose"]["bone_length_error"][i]:.3f}'
        for name, s in results.items())
    print(f'  {os.path.basename(path)} person {k}: bone-length error {cells}')
  if FLAGS.out:
    write_json(FLAGS.out, dict(
        protocol_dir=FLAGS.protocol_dir,
        reference_bone_lengths_mm=[round(float(x), 2) for x in reference],
        backend=backend.version, tiles=FLAGS.tiles,
        people=[dict(image=p, index=k) for p, k in where],
        lifters=results))
    print(f'wrote {FLAGS.out}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

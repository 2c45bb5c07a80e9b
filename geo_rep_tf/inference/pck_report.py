"""PCK of the BlazePose backend on the annotated photos of ../shared/data.

  python -m geo_rep_tf.inference.pck_report [DATA_DIR] [OUT_JSON]

DATA_DIR defaults to $GEO_REP_TF_DATA or ../shared/data; OUT_JSON to
bench/results/infer_pck.json. COCO photos (images/coco): PCK@0.5 and @0.2 of
the torso (annotations have no head box). MPII frames (images/mpii): PCKh@0.5
without the head joint (MPII's head top is not BlazePose's mid-ears). Images
listed in an annotation file but absent on disk are reported, not evaluated.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from typing import Dict, Optional

from geo_rep_tf.inference import defaults


def default_data_dir() -> str:
  return os.environ.get('GEO_REP_TF_DATA') or str(
      defaults.REPO_ROOT.parent / 'shared' / 'data')


def report(data_dir: str, models_dir: Optional[str] = None,
           tiles: int = 2) -> Dict:
  """Runs BlazePose on the annotated photos; returns the JSON-ready report."""
  from geo_rep_tf.data import annotations_2d
  from geo_rep_tf.eval import pck
  from geo_rep_tf.inference.blazepose import BlazePose
  from geo_rep_tf.inference.pipeline import read_image
  backend = BlazePose(models_dir, tiles=tiles)
  cache, seconds = {}, []

  def predict(path):
    if path not in cache:
      image = read_image(path)
      start = time.time()
      cache[path] = backend(image)
      seconds.append(time.time() - start)
    return cache[path]

  out = {'backend': backend.version, 'tiles': tiles,
         'matching': 'greedy by IoU of the annotated box and the box around '
                     'the predicted keypoints (>= 0.1); unmatched people '
                     'count as all joints wrong',
         'joint_set': 'model16 (COCO and MPII mapped with '
                      'geo_rep_tf.geometry.joints)'}
  coco_json = os.path.join(data_dir, 'images', 'coco', 'annotations.json')
  if os.path.isfile(coco_json):
    people = annotations_2d.load_coco_keypoints(coco_json)
    groups, missing = pck.group_by_image(people)
    with open(coco_json) as fh:
      num_annotations = len(json.load(fh)['annotations'])
    result = pck.evaluate(groups, predict, 'torso', (0.5, 0.2))
    result.update(annotations=num_annotations,
                  annotated_people_with_keypoints=len(people),
                  images_evaluated=sorted(os.path.basename(g) for g in groups),
                  images_missing=[os.path.basename(m) for m in missing])
    out['coco'] = result
  mpii_json = os.path.join(data_dir, 'images', 'mpii', 'annotations.json')
  if os.path.isfile(mpii_json):
    people = annotations_2d.load_mpii_json(mpii_json)
    groups, missing = pck.group_by_image(people)
    result = pck.evaluate(groups, predict, 'head', (0.5,),
                          exclude_joints=('head',))
    result.update(images_missing=[os.path.basename(m) for m in missing])
    out['mpii'] = result
  # Image paths relative to the data directory: the report reads the same
  # on any machine, wherever the data lies.
  for name in ('coco', 'mpii'):
    for row in out.get(name, {}).get('per_person', []):
      row['image'] = os.path.relpath(row['image'], data_dir)
  out['seconds_per_image'] = round(sum(seconds) / max(len(seconds), 1), 3)
  out['cpu'] = platform.processor() or platform.machine()
  return out


def main(argv) -> None:
  from geo_rep_tf.utils.files import write_json
  data_dir = argv[1] if len(argv) > 1 else default_data_dir()
  out_json = argv[2] if len(argv) > 2 else str(
      defaults.REPO_ROOT / 'bench' / 'results' / 'infer_pck.json')
  result = report(data_dir)
  write_json(out_json, result)
  for name in ('coco', 'mpii'):
    if name in result:
      r = result[name]
      scores = ', '.join(f'{k} {v:.3f}' for k, v in r.items()
                         if k.startswith('pck@'))
      print(f'{name}: {r["matched"]}/{r["people"]} people matched, '
            f'{scores} ({r["normaliser"]}-normalised)'
            + (f'; images missing: {r["images_missing"]}'
               if r.get('images_missing') else ''))
  print(f'-> {out_json}')


if __name__ == '__main__':
  main(sys.argv)

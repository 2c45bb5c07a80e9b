"""2D keypoint accuracy: PCK, the share of joints within a fraction of a size.

A joint is correct when its predicted position lies within `threshold` x a
per-person normaliser (in pixels) of the annotated one: `pck_correct`, the
one rule every 2D number of the project uses. Two ways to apply it:

- In a TF graph over batches of crops (`pck_correct`, `pck`): the hourglass
  evaluation, PCKh@0.5 with MPII's head segment as the normaliser.
- Over annotated photos and a 2D backend (`evaluate`): people are matched
  one-to-one, greedily by the IoU of the annotated box and the box around the
  predicted keypoints (an annotated person with no match above `min_iou`
  counts as missed: all its joints wrong). Only joints labelled in the
  annotation count, in the 16-joint model set.

Normalisers (`normaliser_px`):
- 'torso': |thorax - pelvis| of the annotation (mid-shoulders to mid-hips);
  used for COCO, which has no head box. PCK@0.5 torso is lenient (about
  25 cm on an adult), PCK@0.2 torso about 10 cm.
- 'head': MPII's head segment |upper_neck - head_top| (PCKh, see
  `pose2d_dataset.mpii_head_size_px`).
"""

from __future__ import annotations

import collections
import os
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from geo_rep_tf.data.annotations_2d import Person2D
from geo_rep_tf.data.pose2d_dataset import mpii_head_size_px
from geo_rep_tf.geometry import joints
from geo_rep_tf.geometry.boxes import box_iou

PELVIS, THORAX = joints.MODEL16.index('pelvis'), joints.MODEL16.index('thorax')


def pck_correct(pred_px, gt_px, normaliser_px, threshold: float = 0.5,
                name: Optional[str] = None):
  """Per-joint PCK hits.

  Args:
    pred_px: [A1, ..., An, J, 2] float, predicted image px.
    gt_px: [A1, ..., An, J, 2] float, annotated image px.
    normaliser_px: [A1, ..., An] float, the person's size in px
      (`mpii_head_size_px` for PCKh).
    threshold: fraction of the normaliser.
    name: op name scope.

  Returns:
    [A1, ..., An, J] bool, distance <= threshold * normaliser.
  """
  with tf.name_scope(name or 'pck_correct'):
    pred_px = tf.convert_to_tensor(pred_px)
    gt_px = tf.convert_to_tensor(gt_px, pred_px.dtype)
    size = tf.convert_to_tensor(normaliser_px, pred_px.dtype)
    distance = tf.norm(pred_px - gt_px, axis=-1)
    return distance <= threshold * size[..., None]


def pck(pred_px, gt_px, visibility, normaliser_px, threshold: float = 0.5,
        name: Optional[str] = None):
  """PCK@threshold over all visible joints (PCKh with the MPII head size).

  Args:
    pred_px: [A1, ..., An, J, 2] float, predicted image px.
    gt_px: [A1, ..., An, J, 2] float, annotated image px.
    visibility: [A1, ..., An, J] bool or 0/1 (use `annotated`).
    normaliser_px: [A1, ..., An] float (> 0 for counted examples).
    threshold: fraction of the normaliser (0.5 for PCKh@0.5).
    name: op name scope.

  Returns:
    [] float: correct visible joints / visible joints (0 if none).
  """
  with tf.name_scope(name or 'pck'):
    correct = pck_correct(pred_px, gt_px, normaliser_px, threshold)
    visible = tf.cast(
        tf.not_equal(tf.cast(visibility, tf.float32), 0.0), tf.float32)
    hits = tf.reduce_sum(tf.cast(correct, tf.float32) * visible)
    return tf.math.divide_no_nan(hits, tf.reduce_sum(visible))


def annotation_box(person: Person2D) -> np.ndarray:
  """[4] (x0, y0, x1, y1) of the annotated box, else of the labelled joints."""
  x, y, w, h = [float(v) for v in person.bbox_xywh]
  if w <= 0 or h <= 0:
    pts = person.model_keypoints_px[person.model_visibility]
    return np.concatenate([pts.min(0), pts.max(0)])
  return np.array([x, y, x + w, y + h])


def match_people(annotated: Sequence[Person2D], predicted: Sequence,
                 min_iou: float = 0.1) -> List[Optional[int]]:
  """For each annotated person, the index of its predicted match or None.

  Args:
    annotated: annotated people.
    predicted: predicted people, each with `box_px` [4] (x0, y0, x1, y1),
      e.g. `inference.blazepose.PosePerson`.
    min_iou: minimum box IoU of a match.
  """
  pairs = []
  for a, person in enumerate(annotated):
    box = annotation_box(person)
    for p, pred in enumerate(predicted):
      iou = float(box_iou(box, np.asarray(pred.box_px, np.float64)[None])[0])
      if iou >= min_iou:
        pairs.append((iou, a, p))
  match: List[Optional[int]] = [None] * len(annotated)
  used = set()
  for iou, a, p in sorted(pairs, reverse=True):
    if match[a] is None and p not in used:
      match[a] = p
      used.add(p)
  return match


def normaliser_px(person: Person2D, kind: str) -> float:
  """The person's PCK normaliser, 'torso' or 'head', in px (0: unknown)."""
  if kind == 'torso':
    if not (person.model_visibility[PELVIS] and
            person.model_visibility[THORAX]):
      return 0.0
    return float(np.linalg.norm(person.model_keypoints_px[THORAX] -
                                person.model_keypoints_px[PELVIS]))
  if kind == 'head':
    return mpii_head_size_px(person)
  raise ValueError(f'unknown normaliser {kind!r}')


def evaluate(people_by_image: Dict[str, Sequence[Person2D]],
             predict: Callable[[str], Sequence], normaliser: str = 'torso',
             thresholds: Sequence[float] = (0.5, 0.2),
             exclude_joints: Sequence[str] = (), min_iou: float = 0.1
             ) -> Dict:
  """PCK over all annotated people of the given images.

  Args:
    people_by_image: image path -> annotated people.
    predict: image path -> predicted people, each with `box_px` [4] and
      `keypoints_px` [16, 2] (model joints), e.g. a 2D backend's
      `PosePerson`s.
    normaliser: 'torso' or 'head'.
    thresholds: fractions of the normaliser.
    exclude_joints: model joints not compared (definitions differ).
    min_iou: minimum box IoU of a match.

  Returns:
    {'pck@T': fraction of correct joints over all people, 'per_joint@T',
    'people', 'matched', 'joints', 'per_person': [...]} (JSON-ready).
  """
  keep = np.array([n not in exclude_joints for n in joints.MODEL16.names])
  correct = {t: np.zeros(16) for t in thresholds}
  counts = np.zeros(16)
  per_person, matched, evaluated = [], 0, 0
  for image, annotated in sorted(people_by_image.items()):
    predicted = list(predict(image))
    match = match_people(annotated, predicted, min_iou)
    for person, m in zip(annotated, match):
      scale = normaliser_px(person, normaliser)
      vis = person.model_visibility & keep
      if scale <= 0 or not vis.any():
        continue
      evaluated += 1
      counts += vis
      row = {'image': str(image), 'annotation_id': person.annotation_id,
             'matched': m is not None, 'normaliser_px': round(scale, 2),
             'joints': int(vis.sum())}
      if m is not None:
        matched += 1
        err = np.linalg.norm(predicted[m].keypoints_px -
                             person.model_keypoints_px, axis=-1)
        row['mean_error_px'] = round(float(err[vis].mean()), 2)
        # The graph's rule, in float64 so that no input is rounded.
        pred_px = np.asarray(predicted[m].keypoints_px, np.float64)
        gt_px = np.asarray(person.model_keypoints_px, np.float64)
        for t in thresholds:
          ok = pck_correct(pred_px, gt_px, scale, t).numpy() & vis
          correct[t] += ok
          row[f'pck@{t}'] = round(float(ok.sum() / vis.sum()), 4)
      else:
        for t in thresholds:
          row[f'pck@{t}'] = 0.0
      per_person.append(row)
  out = collections.OrderedDict(
      normaliser=normaliser, people=evaluated, matched=matched,
      joints=int(counts.sum()),
      excluded_joints=list(exclude_joints))
  for t in thresholds:
    out[f'pck@{t}'] = round(float(correct[t].sum() / max(counts.sum(), 1)),
                            4)
    out[f'per_joint@{t}'] = {
        n: round(float(correct[t][j] / counts[j]), 4)
        for j, n in enumerate(joints.MODEL16.names) if counts[j] > 0}
  out['per_person'] = per_person
  return dict(out)


def group_by_image(people: Sequence[Person2D], only_existing: bool = True
                   ) -> Tuple[Dict[str, List[Person2D]], List[str]]:
  """Groups annotated people by image; returns (groups, missing images)."""
  groups: Dict[str, List[Person2D]] = collections.defaultdict(list)
  missing = set()
  for p in people:
    path = str(p.image_path)
    if only_existing and not os.path.isfile(path):
      missing.add(path)
      continue
    groups[path].append(p)
  return dict(groups), sorted(missing)

"""tf.data pipeline for 2D pose (hourglass) training from MPII or COCO.

Each `Person2D` becomes one example: a square crop around the person,
warped to `input_size` x `input_size`, and Gaussian target heatmaps at
`input_size / 4`.

Crop: MPII, centre `center_px` moved down by 15 * scale px and side
200 * scale * 1.25 px (the person box of Newell et al. / HRNet: the
annotated centre sits high on the body); COCO, the centre of the box and
side max(w, h) * 1.25.

Warp: one affine per example, image px -> input px, composed of the crop,
the augmentation (scale about the crop centre, rotation, horizontal flip)
and applied with `tf.raw_ops.ImageProjectiveTransformV3` (bilinear, black
outside the image). It is a TF op, so the pipeline runs in parallel without
the GIL that a `tf.numpy_function(cv2.warpAffine)` holds, and is the same
on every platform. It does not low-pass filter: a large person shrunk 4x
aliases a little, as with cv2.warpAffine(INTER_LINEAR).

Pixels are centres at integer coordinates (as the annotation readers,
OpenCV and the transform op): the crop centre maps to ((S - 1) / 2,
(S - 1) / 2) and input px x maps to heatmap px (x + 0.5) / 4 - 0.5. The
whole chain image -> heatmap is one affine, whose inverse the example
carries as `heatmap_to_image` so predictions map back exactly with
`heatmap_to_image_px`.

Flip: after mirroring, a left joint looks like a right one, so left/right
labels are swapped (`joints.LEFT_RIGHT_PAIRS`); every per-joint output of a
flipped example (`keypoints_px` included) is in the swapped labelling.

Augmentation is stateless: example i of the (shuffled, repeated) stream
draws from seed (seed, i), so a seed fixes every crop, epoch after epoch.
"""

from __future__ import annotations

import math
import os
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from geo_rep_tf.data.annotations_2d import MPII_SCALE_PX, Person2D
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.geometry import joints
from geo_rep_tf.geometry.heatmaps import render_heatmaps

# Input px per heatmap px.
HEATMAP_STRIDE = 4
CROP_MARGIN = 1.25
# MPII centre shift, in units of `scale` (px per 200 px of person height).
MPII_CENTER_SHIFT = 15.0
# Raw MPII16 indices of the head segment used by PCKh.
MPII_UPPER_NECK = joints.MPII16.index('upper_neck')
MPII_HEAD_TOP = joints.MPII16.index('head_top')

_FLIP_PERMUTATION = np.arange(joints.NUM_JOINTS)
for _left, _right in joints.LEFT_RIGHT_PAIRS:
  _FLIP_PERMUTATION[_left], _FLIP_PERMUTATION[_right] = _right, _left


def crop_box(person: Person2D,
             margin: float = CROP_MARGIN) -> Tuple[np.ndarray, float]:
  """Square crop of a person (see the module docstring).

  Args:
    person: an MPII record (with `center_px` and `scale`) or a COCO one
      (`bbox_xywh` only).
    margin: side multiplier.

  Returns:
    center_px: float32 [2], crop centre in image pixels.
    side_px: crop side in image pixels (>= 1).
  """
  if person.center_px is not None and person.scale is not None:
    center = np.asarray(person.center_px, np.float64) + (
        0.0, MPII_CENTER_SHIFT * person.scale)
    side = MPII_SCALE_PX * person.scale * margin
  else:
    x, y, w, h = (float(v) for v in person.bbox_xywh)
    center = np.array([x + w / 2, y + h / 2])
    side = max(w, h) * margin
  return center.astype(np.float32), max(float(side), 1.0)


def mpii_head_size_px(person: Person2D) -> float:
  """Head segment length for PCKh (`geo_rep_tf.eval.pck`); 0 when unknown.

  PCKh (Andriluka et al. 2014) thresholds at a fraction of the head segment
  length. The official MATLAB code approximates that length by 0.6 x the
  diagonal of the annotated head box; the common json has no head boxes,
  so this is the segment itself, |upper_neck - head_top| of the raw MPII
  keypoints (about 0.6 x sqrt(2) x the 0.6-diagonal for a square head box,
  i.e. a slightly looser threshold than the official numbers).

  Returns:
    The length in image pixels, or 0 for COCO records and for MPII records
    without both joints.
  """
  if person.joint_set is not joints.MPII16:
    return 0.0
  if not (person.visibility[MPII_UPPER_NECK]
          and person.visibility[MPII_HEAD_TOP]):
    return 0.0
  return float(np.linalg.norm(person.keypoints_px[MPII_UPPER_NECK] -
                              person.keypoints_px[MPII_HEAD_TOP]))


def _records(people: Sequence[Person2D],
             skip_missing_images: bool) -> Dict[str, np.ndarray]:
  kept = []
  for person in people:
    if not os.path.isfile(person.image_path):
      if skip_missing_images:
        continue
      raise DataError('image not found (pass skip_missing_images=True to '
                      'drop its people)', person.image_path)
    kept.append(person)
  if not kept:
    raise DataError('no person with an existing image')
  boxes = [crop_box(p) for p in kept]
  return {
      'image_path': np.array([str(p.image_path) for p in kept]),
      'keypoints_px': np.stack([p.model_keypoints_px for p in kept]),
      'annotated': np.stack([p.model_visibility for p in kept]),
      'center_px': np.stack([b[0] for b in boxes]),
      'side_px': np.array([b[1] for b in boxes], np.float32),
      'head_size_px': np.array([mpii_head_size_px(p) for p in kept],
                               np.float32),
  }


def _affine(linear, translation):
  """3x3 homogeneous matrix from a [2, 2] linear part and [2] translation."""
  top = tf.concat([linear, translation[:, None]], axis=1)
  return tf.concat([top, tf.constant([[0.0, 0.0, 1.0]])], axis=0)


def _apply(matrix, points):
  """[3, 3] affine applied to [J, 2] points."""
  return tf.linalg.matvec(matrix[:2, :2], points) + matrix[:2, 2]


def _example(record, seed, input_size: int, sigma: float, augment: bool,
             scale_range: float, rotation_deg: float, flip: bool):
  """One training example from one record (see `pose2d_dataset`)."""
  size = float(input_size)
  heatmap_size = input_size // HEATMAP_STRIDE
  if augment:
    u = tf.random.stateless_uniform([3], seed=seed)
    zoom = 1.0 + scale_range * (2.0 * u[0] - 1.0)
    angle = math.radians(rotation_deg) * (2.0 * u[1] - 1.0)
    flipped = tf.logical_and(tf.constant(flip), u[2] < 0.5)
  else:
    zoom, angle, flipped = tf.constant(1.0), tf.constant(0.0), tf.constant(
        False)
  k = size / (record['side_px'] * zoom)
  cos, sin = k * tf.cos(angle), k * tf.sin(angle)
  linear = tf.stack([tf.stack([cos, -sin]), tf.stack([sin, cos])])
  half = (size - 1.0) / 2.0
  translation = half - tf.linalg.matvec(linear, record['center_px'])
  image_to_input = _affine(linear, translation)
  mirror = tf.constant([[-1.0, 0.0, size - 1.0], [0.0, 1.0, 0.0],
                        [0.0, 0.0, 1.0]])
  image_to_input = tf.where(flipped, mirror @ image_to_input, image_to_input)
  stride = float(HEATMAP_STRIDE)
  input_to_heatmap = tf.constant(
      [[1.0 / stride, 0.0, 0.5 / stride - 0.5],
       [0.0, 1.0 / stride, 0.5 / stride - 0.5], [0.0, 0.0, 1.0]])
  image_to_heatmap = input_to_heatmap @ image_to_input

  image = tf.io.decode_image(tf.io.read_file(record['image_path']),
                             channels=3, expand_animations=False)
  image = tf.image.convert_image_dtype(image, tf.float32)
  # The op maps output pixels to input pixels: the inverse warp.
  input_to_image = tf.linalg.inv(image_to_input)
  transform = tf.reshape(input_to_image, [9])[:8]
  image = tf.raw_ops.ImageProjectiveTransformV3(
      images=image[None], transforms=transform[None],
      output_shape=[input_size, input_size], fill_value=0.0,
      interpolation='BILINEAR', fill_mode='CONSTANT')[0]
  image.set_shape([input_size, input_size, 3])

  keypoints_px = record['keypoints_px']
  annotated = record['annotated']
  permutation = tf.constant(_FLIP_PERMUTATION)
  keypoints_px = tf.where(flipped, tf.gather(keypoints_px, permutation),
                          keypoints_px)
  annotated = tf.where(flipped, tf.gather(annotated, permutation), annotated)
  keypoints_hm = _apply(image_to_heatmap, keypoints_px)
  inside = tf.reduce_all(
      (keypoints_hm >= 0.0) & (keypoints_hm <= heatmap_size - 1.0), axis=-1)
  visible = annotated & inside
  heatmaps = render_heatmaps(keypoints_hm, visible, heatmap_size, sigma)
  return {
      'image': image,
      'heatmaps': heatmaps,
      'visibility': tf.cast(visible, tf.float32),
      'keypoints_hm': keypoints_hm,
      'heatmap_to_image': tf.linalg.inv(image_to_heatmap)[:2],
      'keypoints_px': keypoints_px,
      'annotated': tf.cast(annotated, tf.float32),
      'head_size_px': record['head_size_px'],
      'flipped': flipped,
  }


def pose2d_dataset(people: Sequence[Person2D], input_size: int = 256,
                   sigma: float = 1.0, augment: bool = False,
                   scale_range: float = 0.25, rotation_deg: float = 30.0,
                   flip: bool = True, seed: int = 0, shuffle: bool = False,
                   repeat: bool = False, skip_missing_images: bool = False,
                   num_parallel_calls: int = tf.data.AUTOTUNE
                   ) -> tf.data.Dataset:
  """Unbatched examples for heatmap training (batch them yourself).

  Args:
    people: from `load_mpii_json` or `load_coco_keypoints`.
    input_size: side S of the square input image; divisible by 4.
    sigma: target Gaussian sigma in heatmap pixels.
    augment: random scale, rotation and flip.
    scale_range: the crop side is multiplied by a uniform factor in
      [1 - scale_range, 1 + scale_range].
    rotation_deg: uniform rotation in [-rotation_deg, rotation_deg].
    flip: with `augment`, mirror half the examples.
    seed: seeds the shuffle and the augmentation.
    shuffle: shuffle the people (reshuffled every epoch).
    repeat: repeat forever (fresh augmentation each epoch).
    skip_missing_images: drop people whose image file does not exist
      instead of raising.
    num_parallel_calls: of the example map (the order stays deterministic).

  Returns:
    A dataset of dicts (H = S / 4):
      image: [S, S, 3] float32 in [0, 1], black outside the source image.
      heatmaps: [H, H, 16] float32 targets, zero for invisible joints.
      visibility: [16] float32 1/0, annotated and inside the heatmap (the
        target weight).
      keypoints_hm: [16, 2] float32 heatmap px (x, y).
      heatmap_to_image: [2, 3] float32 affine, heatmap px -> image px.
      keypoints_px: [16, 2] float32 annotated image px (model joints).
      annotated: [16] float32 1/0, the joint is labelled (for evaluation).
      head_size_px: [] float32 PCKh reference (`mpii_head_size_px`).
      flipped: [] bool.

  Raises:
    ArgumentError: a bad size or augmentation range.
    DataError: an image is missing (unless skipped) or none is left.
  """
  if isinstance(input_size, bool) or not isinstance(input_size, int) or (
      input_size <= 0 or input_size % HEATMAP_STRIDE):
    raise ArgumentError('input_size must be a positive multiple of '
                        f'{HEATMAP_STRIDE}, got {input_size!r}')
  if not 0.0 <= scale_range < 1.0:
    raise ArgumentError(f'scale_range must be in [0, 1), got {scale_range!r}')
  if not 0.0 <= rotation_deg <= 180.0:
    raise ArgumentError('rotation_deg must be in [0, 180], got '
                        f'{rotation_deg!r}')
  records = _records(people, skip_missing_images)
  count = len(records['side_px'])
  ds = tf.data.Dataset.from_tensor_slices(records)
  if shuffle:
    ds = ds.shuffle(count, seed=seed, reshuffle_each_iteration=True)
  if repeat:
    ds = ds.repeat()
  ds = ds.enumerate()

  def make(index, record):
    return _example(record, tf.stack([tf.cast(seed, tf.int64), index]),
                    input_size, sigma, augment, scale_range, rotation_deg,
                    flip)

  return ds.map(make, num_parallel_calls=num_parallel_calls,
                deterministic=True)


def heatmap_to_image_px(keypoints_hm, heatmap_to_image,
                        name: Optional[str] = None):
  """Maps decoded heatmap keypoints back to source image pixels.

  Args:
    keypoints_hm: [A1, ..., An, J, 2] float, heatmap px.
    heatmap_to_image: [A1, ..., An, 2, 3] float, the example's affine.
    name: op name scope.

  Returns:
    [A1, ..., An, J, 2] float, image px.
  """
  with tf.name_scope(name or 'heatmap_to_image_px'):
    keypoints_hm = tf.convert_to_tensor(keypoints_hm)
    matrix = tf.convert_to_tensor(heatmap_to_image, keypoints_hm.dtype)
    # Shape = [..., J, 2].
    return (tf.einsum('...ck,...jk->...jc', matrix[..., :2], keypoints_hm) +
            matrix[..., None, :, 2])

"""2D keypoint annotations: MPII (common json layout) and COCO keypoints.

Both readers return `Person2D` records with the keypoints in the source joint
set and mapped to the 16 model joints. Image paths come from the data file
and are resolved inside `image_dir`; a name that is absolute or contains '..'
is rejected, so a data file can never point outside the dataset root.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pathlib
from typing import Any, List, Optional, Tuple

import numpy as np

from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry import joints

# MPII's `scale` is the person height in units of 200 px.
MPII_SCALE_PX = 200.0
# Larger coordinates are no image's pixels (and overflow float32 boxes).
MAX_ABS_PX = 1e7
_COCO_NUM_JOINTS = joints.COCO17.num_joints


@dataclasses.dataclass(frozen=True)
class Person2D:
  """One annotated person.

  Attributes:
    image_path: the image file, inside the dataset's image directory.
    joint_set: the joint set of `keypoints_px` (MPII16 or COCO17).
    keypoints_px: float32 [S, 2], pixels (x right, y down, 0-based); 0 where
      the joint is not labelled.
    visibility: bool [S], True where the joint is labelled (MPII
      joints_vis > 0, COCO v > 0, i.e. occluded but labelled joints count).
    model_keypoints_px: float32 [16, 2], pixels, in the model joint set; 0
      where `model_visibility` is False.
    model_visibility: bool [16]; a mapped joint is visible only if all its
      source joints are.
    bbox_xywh: float32 [4], (x, y, width, height) pixels of the top-left
      corner and size. COCO: the annotated box. MPII: the dataset's square
      person box, side 200 * scale, centred on `center`.
    center_px: float32 [2], MPII person centre; None for COCO.
    scale: MPII scale (person height / 200 px); None for COCO.
    image_size_wh: (width, height) from the data file (COCO); None if unknown.
    annotation_id: the COCO annotation id, or the MPII record index.
  """
  image_path: pathlib.Path
  joint_set: joints.JointSet
  keypoints_px: np.ndarray
  visibility: np.ndarray
  model_keypoints_px: np.ndarray
  model_visibility: np.ndarray
  bbox_xywh: np.ndarray
  center_px: Optional[np.ndarray] = None
  scale: Optional[float] = None
  image_size_wh: Optional[Tuple[int, int]] = None
  annotation_id: Optional[int] = None


def _load_json(path: str) -> Any:
  if not os.path.isfile(path):
    raise DataError('file not found', path)
  try:
    with open(path, encoding='utf-8') as f:
      return json.load(f)
  except json.JSONDecodeError as e:
    raise DataError(f'malformed json: {e.msg} (column {e.colno})', path,
                    e.lineno) from None
  except (OSError, UnicodeDecodeError) as e:
    raise DataError(f'cannot read: {e}', path) from None


def _field(record: Any, name: str, what: str, path: str) -> Any:
  if not isinstance(record, dict):
    raise DataError(f'{what}: expected an object, got '
                    f'{type(record).__name__}', path)
  if name not in record:
    raise DataError(f'{what}: missing field {name!r}', path)
  return record[name]


def _numbers(value: Any, shape: Tuple[int, ...], what: str,
             path: str) -> np.ndarray:
  """Converts a json list to a finite float64 array of `shape`."""
  try:
    array = np.asarray(value, dtype=np.float64)
  except (TypeError, ValueError, OverflowError):
    raise DataError(f'{what}: expected numbers of shape {list(shape)}',
                    path) from None
  if array.shape != shape:
    raise DataError(f'{what}: shape {list(array.shape)}, expected '
                    f'{list(shape)}', path)
  if not np.all(np.isfinite(array)):
    raise DataError(f'{what}: non-finite value', path)
  if np.any(np.abs(array) > MAX_ABS_PX):
    raise DataError(f'{what}: value beyond +-{MAX_ABS_PX:g} (not pixels; it '
                    'would overflow float32)', path)
  return array


def _finite(value) -> bool:
  """math.isfinite, False for ints too large for a float (10**400)."""
  try:
    return math.isfinite(value)
  except OverflowError:
    return False


def resolve_image_path(name: Any, image_dir: pathlib.Path, what: str,
                       path: str) -> pathlib.Path:
  """Joins an image name from a data file to `image_dir`, safely.

  Args:
    name: the relative image path from the data file.
    image_dir: the dataset's image directory.
    what: the field, for messages.
    path: the data file, for messages.

  Returns:
    image_dir / name (not checked for existence).

  Raises:
    DataError: `name` is not a non-empty string, is absolute (POSIX or
      Windows style) or has a '..' component.
  """
  if not isinstance(name, str) or not name.strip():
    raise DataError(f'{what}: expected a non-empty file name, got {name!r}',
                    path)
  posix = pathlib.PurePosixPath(name)
  windows = pathlib.PureWindowsPath(name)
  if posix.is_absolute() or windows.is_absolute() or windows.drive:
    raise DataError(f'{what}: absolute image path {name!r} is not allowed',
                    path)
  if '..' in posix.parts or '..' in windows.parts:
    raise DataError(f"{what}: image path {name!r} leaves the image "
                    "directory ('..')", path)
  return image_dir.joinpath(*windows.parts)


def _image_dir(path: str, image_dir) -> pathlib.Path:
  if image_dir is None:
    return pathlib.Path(path).resolve().parent
  return pathlib.Path(image_dir)


def _load_layout(path: str, image_dir, kind: type, expected: str):
  """(the json's top-level value, the image directory); DataError naming
  the file unless the top level is a `kind`."""
  value = _load_json(path)
  if not isinstance(value, kind):
    raise DataError(f'expected {expected}, got {type(value).__name__}', path)
  return value, _image_dir(path, image_dir)


def _make_person(joint_set: joints.JointSet, keypoints: np.ndarray,
                 visibility: np.ndarray, **kwargs) -> Person2D:
  """Maps [S, 2] keypoints and [S] visibility to the model set."""
  keypoints = np.where(visibility[:, None], keypoints, 0.0)
  w = joints.mapping_matrix(joint_set)
  # A model joint is visible when no source with nonzero weight is hidden.
  model_visibility = ~np.any((w > 0) & ~visibility[None, :], axis=1)
  model_keypoints = np.where(model_visibility[:, None], w @ keypoints, 0.0)
  return Person2D(joint_set=joint_set,
                  keypoints_px=keypoints.astype(np.float32),
                  visibility=visibility,
                  model_keypoints_px=model_keypoints.astype(np.float32),
                  model_visibility=model_visibility, **kwargs)


def load_mpii_json(path, image_dir=None, *,
                   matlab_one_based: bool = True) -> List[Person2D]:
  """Reads MPII Human Pose annotations in the common json layout.

  The layout (HRNet / mmpose `mpii_*.json`) is a list of records
  {image, center [2], scale, joints [16][x, y], joints_vis [16]}, joints in
  `joints.MPII16` order. MPII coordinates are MATLAB 1-based; like HRNet and
  mmpose, 1 is subtracted from joints and center so that pixel (0, 0) is the
  top-left pixel, as in COCO.

  Args:
    path: the json file.
    image_dir: directory of the images; None means the json's directory.
    matlab_one_based: subtract 1 from joints and center (see above).

  Returns:
    One Person2D per record, in file order.

  Raises:
    DataError: missing or malformed file, a record without a field, a joint
      count other than 16, non-finite numbers, a non-positive scale or an
      unsafe image name. The message names the file and the record/field.
  """
  path = os.fspath(path)
  records, root = _load_layout(path, image_dir, list,
                               'a json list of person records')
  num = joints.MPII16.num_joints
  offset = 1.0 if matlab_one_based else 0.0
  people = []
  for i, record in enumerate(records):
    what = f'record {i}'
    image = _field(record, 'image', what, path)
    kps = _numbers(_field(record, 'joints', what, path), (num, 2),
                   f'{what}.joints', path)
    vis = _numbers(_field(record, 'joints_vis', what, path), (num,),
                   f'{what}.joints_vis', path) > 0
    center = _numbers(_field(record, 'center', what, path), (2,),
                      f'{what}.center', path) - offset
    scale = _field(record, 'scale', what, path)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or (
        not _finite(scale) or not 0 < scale <= MAX_ABS_PX / MPII_SCALE_PX):
      raise DataError(f'{what}.scale: expected a positive number <= 5e4, got '
                      f'{scale!r}', path)
    side = MPII_SCALE_PX * scale
    bbox = np.array([center[0] - side / 2, center[1] - side / 2, side, side],
                    np.float32)
    people.append(_make_person(
        joints.MPII16, kps - offset, vis,
        image_path=resolve_image_path(image, root, f'{what}.image', path),
        bbox_xywh=bbox, center_px=center.astype(np.float32),
        scale=float(scale), annotation_id=i))
  return people


def _id(value: Any, what: str, path: str) -> Any:
  """A COCO id: an int or a string (json lists and objects are refused)."""
  if isinstance(value, bool) or not isinstance(value, (int, str)):
    raise DataError(f'{what}: expected an integer or string id, got '
                    f'{type(value).__name__}', path)
  return value


def _person_category(data: dict, path: str) -> int:
  """Returns the id of the COCO category with 17 keypoints ('person')."""
  categories = _field(data, 'categories', 'top level', path)
  if not isinstance(categories, list):
    raise DataError("'categories': expected a list", path)
  for i, category in enumerate(categories):
    names = _field(category, 'keypoints', f'categories[{i}]', path)
    if category.get('name') == 'person':
      if not isinstance(names, list) or len(names) != _COCO_NUM_JOINTS:
        raise DataError(f'categories[{i}].keypoints: expected '
                        f'{_COCO_NUM_JOINTS} names', path)
      return _field(category, 'id', f'categories[{i}]', path)
  raise DataError("'categories': no category named 'person'", path)


def load_coco_keypoints(path, image_dir=None, min_keypoints: int = 1,
                        *, include_crowd: bool = False) -> List[Person2D]:
  """Reads COCO keypoint annotations (`person_keypoints_*.json`).

  Args:
    path: the json file (images, annotations, categories).
    image_dir: directory of the images (e.g. val2017/); None means the json's
      directory.
    min_keypoints: skip people with fewer labelled keypoints (v > 0, counted
      from `keypoints`, not the `num_keypoints` field). 0 keeps everyone.
    include_crowd: keep `iscrowd` annotations (crowd regions, no keypoints).

  Returns:
    One Person2D per kept person annotation, in file order.

  Raises:
    DataError: missing or malformed file, a missing field, keypoints not 51
      numbers (17 x, y, v triples), a bbox not 4 numbers, an annotation whose
      image_id is not in 'images', an unsafe file name. The message names the
      file and the annotation/field.
  """
  path = os.fspath(path)
  data, root = _load_layout(path, image_dir, dict, 'a json object with '
                            'images, annotations and categories')
  person_id = _person_category(data, path)
  images = {}
  image_list = _field(data, 'images', 'top level', path)
  if not isinstance(image_list, list):
    raise DataError("'images': expected a list", path)
  for i, image in enumerate(image_list):
    what = f'images[{i}]'
    image_id = _id(_field(image, 'id', what, path), f'{what}.id', path)
    size = None
    if 'width' in image and 'height' in image:
      size = tuple(int(v) for v in _numbers(
          [image['width'], image['height']], (2,), f'{what}.width/height',
          path))
    images[image_id] = (
        resolve_image_path(_field(image, 'file_name', what, path), root,
                           f'{what}.file_name', path), size)
  annotations = _field(data, 'annotations', 'top level', path)
  if not isinstance(annotations, list):
    raise DataError("'annotations': expected a list", path)
  people = []
  for i, ann in enumerate(annotations):
    what = f'annotations[{i}]'
    if _field(ann, 'category_id', what, path) != person_id:
      continue
    if ann.get('iscrowd', 0) and not include_crowd:
      continue
    image_id = _id(_field(ann, 'image_id', what, path), f'{what}.image_id',
                   path)
    if image_id not in images:
      raise DataError(f'{what}.image_id: {image_id!r} is not in images',
                      path)
    triples = _numbers(_field(ann, 'keypoints', what, path),
                       (3 * _COCO_NUM_JOINTS,), f'{what}.keypoints',
                       path).reshape(_COCO_NUM_JOINTS, 3)
    bbox = _numbers(_field(ann, 'bbox', what, path), (4,), f'{what}.bbox',
                    path)
    vis = triples[:, 2] > 0
    if int(np.sum(vis)) < min_keypoints:
      continue
    image_path, size = images[image_id]
    people.append(_make_person(
        joints.COCO17, triples[:, :2], vis, image_path=image_path,
        bbox_xywh=bbox.astype(np.float32), image_size_wh=size,
        annotation_id=ann.get('id')))
  return people

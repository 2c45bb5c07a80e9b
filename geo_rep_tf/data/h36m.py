"""Human3.6M poses in the VideoPose3D npz layout.

Files (github.com/facebookresearch/VideoPose3D, DATASETS.md):
- `data_3d_h36m.npz`: key `positions_3d`, a pickled 0-d object array holding
  dict subject -> dict action -> float [F, 32, 3], metres, world frame, the
  32-joint Human3.6M skeleton.
- `data_2d_h36m_<name>.npz`: key `positions_2d`, dict subject -> action ->
  list of 4 float arrays [F_c, 17, 2] (pixels, one per camera, in the
  camera order of the calibration file), and key `metadata`, a dict with
  'layout_name' ('h36m' for ground truth / CPN detections, 'coco' for the
  Detectron COCO-keypoint detections), 'num_joints' and
  'keypoints_symmetry'.

Both are read with `safe_npz` (no unrestricted unpickling) and returned in
the 16-joint model set as float32 numpy arrays.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, Optional, Tuple

import numpy as np

from geo_rep_tf.data import safe_npz
from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry import joints

# Indices of the 32-joint Human3.6M skeleton that VideoPose3D keeps, in the
# order of the 17-joint set (`joints.H36M17`).
H36M32_KEPT = (0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17, 18, 19, 25, 26, 27)
NUM_CAMERAS = 4
# World coordinates in metres never exceed this; larger values mean the file
# is already in millimetres (or corrupt).
_MAX_ABS_METRES = 100.0
# VideoPose3D 2D layouts -> joint set of the stored keypoints.
_LAYOUTS_2D = {'h36m': joints.H36M17, 'coco': joints.COCO17}

Key = Tuple[str, str]


def _check_dict(value, what: str, path: str) -> dict:
  """A dict with string keys (subjects, actions, metadata fields)."""
  if not isinstance(value, dict):
    raise DataError(f'{what}: expected a dict, got {type(value).__name__}',
                    path)
  for key in value:
    if not isinstance(key, str):
      raise DataError(f'{what}: key {key!r} is not a string', path)
  return value


def _select_subjects(data: dict, subjects: Optional[Iterable[str]],
                     what: str, path: str) -> list:
  if subjects is None:
    return sorted(data)
  subjects = [subjects] if isinstance(subjects, str) else list(subjects)
  for s in subjects:
    if s not in data:
      raise DataError(f'{what}: no subject {s!r} (has: '
                      f'{", ".join(sorted(map(str, data)))})', path)
  return subjects


def _check_array(array, what: str, path: str, num_joints: Tuple[int, ...],
                 channels: int) -> np.ndarray:
  """Checks a [F, J, C] finite float array; J in num_joints."""
  if not isinstance(array, np.ndarray) or array.dtype.kind not in 'fiu':
    raise DataError(f'{what}: expected a numeric array, got '
                    f'{type(array).__name__}', path)
  if array.ndim != 3 or array.shape[1] not in num_joints or (
      array.shape[2] != channels):
    expected = ' or '.join(f'[F, {j}, {channels}]' for j in num_joints)
    raise DataError(f'{what}: shape {list(array.shape)}, expected {expected}',
                    path)
  if not np.all(np.isfinite(array)):
    bad = np.argwhere(~np.isfinite(array))[0]
    raise DataError(f'{what}: non-finite value at frame {bad[0]}, joint '
                    f'{bad[1]}', path)
  return array


def load_h36m_3d(path, subjects: Optional[Iterable[str]] = None
                 ) -> Dict[Key, np.ndarray]:
  """Reads 3D poses from a VideoPose3D `data_3d_h36m.npz`.

  The 32 Human3.6M joints are cut to the 17 of `joints.H36M17` (indices
  `H36M32_KEPT`), then mapped to the 16 model joints (neck/nose dropped).
  Arrays that already have 17 joints are taken as H36M-17.

  Args:
    path: the .npz file.
    subjects: subject names to read (e.g. ['S1', 'S5']); None reads all.

  Returns:
    Dict (subject, action) -> float32 [F, 16, 3], mm, world frame (Z up).

  Raises:
    DataError: missing file or key, a requested subject absent, a malformed
      dict, an array not [F, 32, 3] / [F, 17, 3], non-finite values, or
      values too large to be metres. The message names the file and the
      (subject, action) entry.
  """
  path = os.fspath(path)
  data = _check_dict(safe_npz.load_npz_item(path, 'positions_3d'),
                     'positions_3d', path)
  w = joints.mapping_matrix(joints.H36M17)
  result = {}
  for subject in _select_subjects(data, subjects, 'positions_3d', path):
    actions = _check_dict(data[subject], f'positions_3d[{subject!r}]', path)
    for action, array in actions.items():
      what = f'positions_3d[{subject!r}][{action!r}]'
      array = _check_array(array, what, path, (32, 17), 3)
      if array.size and np.max(np.abs(array)) > _MAX_ABS_METRES:
        raise DataError(f'{what}: values up to {np.max(np.abs(array)):.0f}; '
                        'expected metres (is the file already in mm?)', path)
      if array.shape[1] == 32:
        array = array[:, H36M32_KEPT]
      # Shape = [F, 16, 3], mm.
      pose_mm = np.einsum('js,fsc->fjc', w, array.astype(np.float64)) * 1000.0
      result[(str(subject), str(action))] = pose_mm.astype(np.float32)
  return result


def _joint_set_2d(metadata, path: str) -> joints.JointSet:
  """Checks `metadata` and returns the joint set of the stored keypoints."""
  metadata = _check_dict(metadata, 'metadata', path)
  for field in ('layout_name', 'num_joints'):
    if field not in metadata:
      raise DataError(f"metadata: missing field {field!r}", path)
  layout = metadata['layout_name']
  if not isinstance(layout, str) or layout not in _LAYOUTS_2D:
    raise DataError(f'metadata[\'layout_name\']: unsupported layout '
                    f'{layout!r} (supported: {", ".join(_LAYOUTS_2D)})', path)
  joint_set = _LAYOUTS_2D[layout]
  num = metadata['num_joints']
  if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or (
      num != joint_set.num_joints):
    raise DataError(f"metadata['num_joints']: {metadata['num_joints']}, "
                    f'layout {layout!r} has {joint_set.num_joints}', path)
  return joint_set


def load_h36m_2d(path, subjects: Optional[Iterable[str]] = None
                 ) -> Dict[Key, np.ndarray]:
  """Reads 2D keypoints from a VideoPose3D `data_2d_h36m_<name>.npz`.

  Keypoints in the 'h36m' layout (17 joints) or the 'coco' layout (COCO-17
  detections) are mapped to the 16 model joints. In the real files the four
  cameras of one action can have different frame counts (by a few frames);
  all four are truncated to the shortest by dropping trailing frames, as
  VideoPose3D does (it cuts each 2D sequence to the mocap length at the end,
  taking the sequences as aligned at frame 0). To pair them with
  `load_h36m_3d`, truncate both to the shorter of the two the same way.

  Args:
    path: the .npz file.
    subjects: subject names to read; None reads all.

  Returns:
    Dict (subject, action) -> float32 [4, F, 16, 2], pixels, camera order of
    the file.

  Raises:
    DataError: missing file or key, malformed metadata, a requested subject
      absent, not 4 cameras, an array not [F, J, 2] with J the layout's joint
      count, or non-finite values. The message names the file and the entry.
  """
  path = os.fspath(path)
  arrays = safe_npz.load_npz(path, ['positions_2d', 'metadata'])
  items = {}
  for key, array in arrays.items():
    if array.dtype != object or array.shape != ():
      raise DataError(f'key {key!r}: expected a 0-d object array (a pickled '
                      f'dict), got dtype {array.dtype} shape {array.shape}',
                      path)
    items[key] = array.item()
  joint_set = _joint_set_2d(items['metadata'], path)
  data = _check_dict(items['positions_2d'], 'positions_2d', path)
  w = joints.mapping_matrix(joint_set)
  result = {}
  for subject in _select_subjects(data, subjects, 'positions_2d', path):
    actions = _check_dict(data[subject], f'positions_2d[{subject!r}]', path)
    for action, cameras in actions.items():
      what = f'positions_2d[{subject!r}][{action!r}]'
      if not isinstance(cameras, (list, tuple)) or (
          len(cameras) != NUM_CAMERAS):
        got = (f'{len(cameras)} entries' if isinstance(cameras, (list, tuple))
               else type(cameras).__name__)
        raise DataError(f'{what}: expected a list of {NUM_CAMERAS} camera '
                        f'arrays, got {got}', path)
      cameras = [
          _check_array(c, f'{what}[{i}]', path, (joint_set.num_joints,), 2)
          for i, c in enumerate(cameras)]
      num_frames = min(c.shape[0] for c in cameras)
      # Shape = [4, F, S, 2].
      stacked = np.stack([c[:num_frames] for c in cameras]).astype(np.float64)
      # Shape = [4, F, 16, 2].
      mapped = np.einsum('js,kfsc->kfjc', w, stacked)
      result[(str(subject), str(action))] = mapped.astype(np.float32)
  return result

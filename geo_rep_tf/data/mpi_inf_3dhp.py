"""MPI-INF-3DHP test-set annotations (`TS1..TS6/annot_data.mat`).

Each test sequence ships a MATLAB v7.3 file (HDF5 inside, read with h5py)
with the datasets:
- `annot2`: 2D keypoints, pixels, MATLAB size [2, 17, 1, F].
- `annot3`: 3D joints, mm, camera frame, MATLAB size [3, 17, 1, F].
- `univ_annot3`: the same rescaled to the universal skeleton (mm).
- `valid_frame`: 1 where the annotation is usable, MATLAB size [F, 1] or
  [1, F].
- `activity_annotation`: activity id per frame (1..7), same size.

MATLAB writes arrays column-major, so h5py sees every shape reversed
(annot3 as [F, 1, 17, 3]). Files re-saved from Python, or by other tools,
can hold the MATLAB order instead ([3, 17, 1, F]). Both are accepted; the
layout is detected from the shape: the joint axis (17) sits next to the
channel axis (2 or 3), and the channel axis is the last one in the h5py
(reversed) order and the first one in the MATLAB order. The person axis of
size 1 may be present or absent. The 17 joints are in `joints.MPI_INF_3DHP17`
order and are mapped to the 16 model joints.
"""

from __future__ import annotations

import os
from typing import Dict

import numpy as np

from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry import joints

_NUM_JOINTS = joints.MPI_INF_3DHP17.num_joints


def _read(h5file, name: str, path: str) -> np.ndarray:
  if name not in h5file:
    raise DataError(f'missing dataset {name!r} (has: '
                    f'{", ".join(sorted(h5file.keys()))})', path)
  item = h5file[name]
  if not hasattr(item, 'shape'):
    raise DataError(f'{name!r} is a group, expected a dataset', path)
  try:
    return np.asarray(item[()])
  except Exception as e:  # h5py raises several types for bad data.
    raise DataError(f'{name!r}: unreadable ({e})', path) from None


def _keypoints(array: np.ndarray, name: str, channels: int,
               path: str) -> np.ndarray:
  """Brings a keypoint dataset to [F, 17, C] (see the module docstring)."""
  shape = list(array.shape)
  expected = (f'[F, 1, {_NUM_JOINTS}, {channels}] (h5py view of a MATLAB '
              f'file) or [{channels}, {_NUM_JOINTS}, 1, F]')
  if array.ndim == 4:
    if shape[1:] == [1, _NUM_JOINTS, channels]:
      array = array[:, 0]
    elif shape[:3] == [channels, _NUM_JOINTS, 1]:
      # MATLAB order [C, 17, 1, F] -> [F, 17, C].
      array = np.transpose(array[:, :, 0, :], (2, 1, 0))
    else:
      raise DataError(f'{name!r}: shape {shape}, expected {expected}', path)
  elif array.ndim == 3:
    if shape[1:] == [_NUM_JOINTS, channels]:
      pass
    elif shape[:2] == [channels, _NUM_JOINTS]:
      array = np.transpose(array, (2, 1, 0))
    else:
      raise DataError(f'{name!r}: shape {shape}, expected {expected}', path)
  else:
    raise DataError(f'{name!r}: shape {shape}, expected {expected}', path)
  if array.dtype.kind not in 'fiu':
    raise DataError(f'{name!r}: dtype {array.dtype} is not numeric', path)
  return array.astype(np.float64)


def _per_frame(array: np.ndarray, name: str, path: str) -> np.ndarray:
  """Brings a per-frame dataset ([F], [F, 1] or [1, F]) to [F]."""
  if array.ndim == 2 and 1 in array.shape:
    array = array.reshape(-1)
  if array.ndim != 1:
    raise DataError(f'{name!r}: shape {list(array.shape)}, expected [F], '
                    '[F, 1] or [1, F]', path)
  if array.dtype.kind not in 'fiub':
    raise DataError(f'{name!r}: dtype {array.dtype} is not numeric', path)
  if not np.all(np.isfinite(array.astype(np.float64))):
    frame = int(np.argwhere(~np.isfinite(array.astype(np.float64)))[0, 0])
    raise DataError(f'{name!r}: non-finite value at frame {frame}', path)
  return array


def load_mpi_inf_3dhp_test(path, universal: bool = False
                           ) -> Dict[str, np.ndarray]:
  """Reads one MPI-INF-3DHP test sequence's `annot_data.mat`.

  Frames whose `valid_frame` is 0 may carry meaningless annotations; their
  non-finite values are replaced by 0 rather than rejected, while any
  non-finite value in a valid frame raises DataError. Filter with 'valid'.

  Args:
    path: the `annot_data.mat` file (MATLAB v7.3 / HDF5).
    universal: read `univ_annot3` (poses rescaled to the universal skeleton,
      the usual evaluation target) instead of `annot3`.

  Returns:
    Dict with
      'pose_3d_mm': float32 [F, 16, 3], mm, camera frame (x right, y down,
        z forward), not root-centred.
      'keypoints_2d_px': float32 [F, 16, 2], pixels.
      'valid': bool [F].
      'activity': int32 [F], activity id (1..7 in the released files).

  Raises:
    DataError: the file is missing or not HDF5 (e.g. a pre-v7.3 .mat), a
      dataset is missing or has an unexpected shape, frame counts disagree,
      activity ids are not integers, or a valid frame has non-finite values.
  """
  import h5py  # Imported here: only this reader needs it.

  path = os.fspath(path)
  if not os.path.isfile(path):
    raise DataError('file not found', path)
  name_3d = 'univ_annot3' if universal else 'annot3'
  try:
    h5file = h5py.File(path, 'r')
  except OSError as e:
    raise DataError('cannot open as HDF5; MPI-INF-3DHP test annotations are '
                    f'MATLAB v7.3 files ({e})', path) from None
  with h5file:
    pose_3d = _keypoints(_read(h5file, name_3d, path), name_3d, 3, path)
    kp_2d = _keypoints(_read(h5file, 'annot2', path), 'annot2', 2, path)
    valid = _per_frame(_read(h5file, 'valid_frame', path), 'valid_frame',
                       path)
    activity = _per_frame(_read(h5file, 'activity_annotation', path),
                          'activity_annotation', path)
  counts = {name_3d: pose_3d.shape[0], 'annot2': kp_2d.shape[0],
            'valid_frame': valid.shape[0],
            'activity_annotation': activity.shape[0]}
  if len(set(counts.values())) != 1:
    raise DataError('frame counts disagree: ' + ', '.join(
        f'{k} {v}' for k, v in counts.items()), path)
  if np.any(activity != np.round(activity)):
    raise DataError("'activity_annotation': non-integer activity id", path)
  valid = valid != 0
  for name, array in ((name_3d, pose_3d), ('annot2', kp_2d)):
    bad = ~np.isfinite(array)
    bad_valid = bad & valid[:, None, None]
    if np.any(bad_valid):
      frame, joint, _ = np.argwhere(bad_valid)[0]
      raise DataError(f'{name!r}: non-finite value at valid frame {frame}, '
                      f'joint {joint}', path)
    array[bad] = 0.0
  w_3dhp = joints.mapping_matrix(joints.MPI_INF_3DHP17)
  return {
      # Shape = [F, 16, 3].
      'pose_3d_mm': np.einsum('js,fsc->fjc', w_3dhp, pose_3d).astype(
          np.float32),
      # Shape = [F, 16, 2].
      'keypoints_2d_px': np.einsum('js,fsc->fjc', w_3dhp, kp_2d).astype(
          np.float32),
      'valid': valid,
      'activity': activity.astype(np.int32),
  }

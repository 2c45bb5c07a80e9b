"""MPI-INF-3DHP test-set annotation reader."""

import h5py
import numpy as np
import pytest

from geo_rep_tf.data import mpi_inf_3dhp
from geo_rep_tf.errors import DataError
from tests.cli_errors import assert_data_error

# Model joint j <- MPI-INF-3DHP-17 joint _MODEL_FROM_3DHP[j] (one source each).
_MODEL_FROM_3DHP = [14, 8, 9, 10, 11, 12, 13, 15, 1, 0, 5, 6, 7, 2, 3, 4]


def _annotations(num_frames, seed=0):
  """Random annotations in plain order: [F, 1, 17, C] and [F]."""
  rng = np.random.default_rng(seed)
  return {
      'annot2': rng.uniform(0, 2048, (num_frames, 1, 17, 2)),
      'annot3': rng.uniform(-1000, 4000, (num_frames, 1, 17, 3)),
      'univ_annot3': rng.uniform(-1000, 4000, (num_frames, 1, 17, 3)),
      'valid_frame': (np.arange(num_frames) % 3 != 0).astype(np.float64),
      'activity_annotation': (np.arange(num_frames) % 7 + 1).astype(
          np.float64),
  }


def _write(path, datasets, matlab_order=False, per_frame_shape='column'):
  """Writes an annot_data.mat-like HDF5 file.

  A MATLAB v7.3 file seen by h5py holds the reversed MATLAB shape: MATLAB
  [C, 17, 1, F] reads as [F, 1, 17, C] and a MATLAB [1, F] vector as [F, 1].
  `matlab_order` writes the MATLAB order itself ([C, 17, 1, F]) instead.
  """
  with h5py.File(path, 'w') as f:
    for name, value in datasets.items():
      if value.ndim == 4 and matlab_order:
        value = np.transpose(value, (3, 2, 1, 0))
      elif value.ndim == 1 and per_frame_shape == 'column':
        value = value[:, None]
      elif value.ndim == 1 and per_frame_shape == 'row':
        value = value[None, :]
      f.create_dataset(name, data=value)
  return path


@pytest.mark.parametrize('matlab_order', [False, True])
@pytest.mark.parametrize('universal', [False, True])
def test_reads_both_layouts_and_maps_joints(tmp_path, matlab_order, universal):
  ann = _annotations(5)
  path = _write(tmp_path / 'annot_data.mat', ann, matlab_order=matlab_order)
  got = mpi_inf_3dhp.load_mpi_inf_3dhp_test(path, universal=universal)
  assert got['pose_3d_mm'].shape == (5, 16, 3)
  assert got['pose_3d_mm'].dtype == np.float32
  assert got['keypoints_2d_px'].shape == (5, 16, 2)
  source_3d = ann['univ_annot3' if universal else 'annot3'][:, 0]
  np.testing.assert_allclose(got['pose_3d_mm'],
                             source_3d[:, _MODEL_FROM_3DHP], rtol=1e-6)
  np.testing.assert_allclose(got['keypoints_2d_px'],
                             ann['annot2'][:, 0, _MODEL_FROM_3DHP], rtol=1e-6)
  np.testing.assert_array_equal(got['valid'],
                                [False, True, True, False, True])
  assert got['valid'].dtype == bool
  np.testing.assert_array_equal(got['activity'], [1, 2, 3, 4, 5])
  assert got['activity'].dtype == np.int32


@pytest.mark.parametrize('per_frame_shape', ['flat', 'row'])
def test_per_frame_vectors_in_any_orientation(tmp_path, per_frame_shape):
  path = _write(tmp_path / 'a.mat', _annotations(4),
                per_frame_shape=per_frame_shape)
  got = mpi_inf_3dhp.load_mpi_inf_3dhp_test(path)
  assert got['valid'].shape == (4,) and got['activity'].shape == (4,)


def test_non_finite_values_in_invalid_frames_are_zeroed(tmp_path):
  ann = _annotations(3)
  ann['annot3'][0, 0, 5] = np.nan  # Frame 0 is invalid.
  got = mpi_inf_3dhp.load_mpi_inf_3dhp_test(
      _write(tmp_path / 'a.mat', ann))
  assert np.all(np.isfinite(got['pose_3d_mm']))
  # 3DHP joint 5 (L_shoulder) is model joint 10.
  np.testing.assert_array_equal(got['pose_3d_mm'][0, 10], 0.0)


def _modified(name, value):
  ann = _annotations(3)
  if value is None:
    del ann[name]
  else:
    ann[name] = value
  return ann


@pytest.mark.parametrize('ann, match', [
    (_modified('annot3', None), r"missing dataset 'annot3'"),
    (_modified('valid_frame', None), r"missing dataset 'valid_frame'"),
    (_modified('annot3', np.zeros((3, 1, 16, 3))),
     r"'annot3': shape \[3, 1, 16, 3\]"),
    (_modified('annot2', np.zeros((3, 1, 17, 3))),
     r"'annot2': shape \[3, 1, 17, 3\]"),
    (_modified('annot3', np.full((3, 1, 17, 3), np.inf)),
     r"'annot3': non-finite value at valid frame 1, joint 0"),
    (_modified('valid_frame', np.ones(4)), r'frame counts disagree'),
    (_modified('activity_annotation', np.array([1.0, 2.5, 3.0])),
     r'non-integer activity'),
    (_modified('activity_annotation', np.array([1.0, np.nan, 3.0])),
     r"'activity_annotation': non-finite value at frame 1"),
])
def test_rejects_bad_files(tmp_path, ann, match):
  path = _write(tmp_path / 'bad.mat', ann)
  assert_data_error(mpi_inf_3dhp.load_mpi_inf_3dhp_test, path, match)


def test_missing_and_non_hdf5_files(tmp_path):
  with pytest.raises(DataError, match='file not found'):
    mpi_inf_3dhp.load_mpi_inf_3dhp_test(tmp_path / 'absent.mat')
  old_mat = tmp_path / 'v5.mat'
  old_mat.write_bytes(b'MATLAB 5.0 MAT-file' + bytes(200))
  with pytest.raises(DataError, match='MATLAB v7.3'):
    mpi_inf_3dhp.load_mpi_inf_3dhp_test(old_mat)

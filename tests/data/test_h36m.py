"""Human3.6M VideoPose3D npz readers and the safe npz loader."""

import os
import pickle
import zipfile

import numpy as np
import pytest

from geo_rep_tf.data import h36m, safe_npz
from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry import joints
from tests.cli_errors import assert_data_error

# Set by _canary if unpickling ever calls it: it must stay empty.
_CANARY_CALLS = []


def _canary():
  _CANARY_CALLS.append('called')
  return 'pwned'


class _CallsCanary:

  def __reduce__(self):
    return (_canary, ())


class _CallsGetcwd:

  def __reduce__(self):
    return (os.getcwd, ())


def _obj(value):
  """Wraps a Python object in a 0-d object array, as VideoPose3D does."""
  array = np.empty((), dtype=object)
  array[()] = value
  return array


def _poses_32(num_frames, seed):
  """[F, 32, 3] metres, distinct values per joint."""
  rng = np.random.default_rng(seed)
  return rng.uniform(-2.0, 2.0, (num_frames, 32, 3)).astype(np.float32)


def _write_3d(path, positions):
  np.savez(path, positions_3d=_obj(positions))
  return path


def _write_2d(path, positions, layout='h36m', num_joints=17):
  metadata = {'layout_name': layout, 'num_joints': num_joints,
              'keypoints_symmetry': [[4, 5, 6, 11, 12, 13],
                                     [1, 2, 3, 14, 15, 16]]}
  np.savez(path, positions_2d=_obj(positions), metadata=_obj(metadata))
  return path


def test_load_3d_maps_32_to_17_to_16_in_mm(tmp_path):
  walk, sit = _poses_32(5, 0), _poses_32(3, 1)
  path = _write_3d(tmp_path / 'data_3d_h36m.npz', {
      'S1': {'Walking': walk, 'Sitting 1': sit},
      'S9': {'Walking': _poses_32(2, 2)}})
  poses = h36m.load_h36m_3d(path)
  assert set(poses) == {('S1', 'Walking'), ('S1', 'Sitting 1'),
                        ('S9', 'Walking')}
  got = poses[('S1', 'Walking')]
  assert got.shape == (5, 16, 3) and got.dtype == np.float32
  # Model joint j is H36M-32 joint kept[h17] with h17 = j, or j + 1 after the
  # dropped neck/nose (H36M-17 index 9 = H36M-32 index 14).
  h17_of_model = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16]
  h32 = [0, 1, 2, 3, 6, 7, 8, 12, 13, 15, 17, 18, 19, 25, 26, 27]
  assert [h36m.H36M32_KEPT[i] for i in h17_of_model] == h32
  np.testing.assert_allclose(got, walk[:, h32] * 1000.0, rtol=1e-6)
  np.testing.assert_allclose(poses[('S1', 'Sitting 1')],
                             sit[:, h32] * 1000.0, rtol=1e-6)


def test_load_3d_subject_filter_and_17_joint_input(tmp_path):
  pose17 = _poses_32(4, 3)[:, h36m.H36M32_KEPT]
  path = _write_3d(tmp_path / 'p.npz', {'S1': {'A': _poses_32(2, 0)},
                                        'S11': {'B': pose17}})
  poses = h36m.load_h36m_3d(path, subjects=['S11'])
  assert list(poses) == [('S11', 'B')]
  expected = np.einsum('js,fsc->fjc', joints.mapping_matrix(joints.H36M17),
                       pose17) * 1000.0
  np.testing.assert_allclose(poses[('S11', 'B')], expected, rtol=1e-6)
  with pytest.raises(DataError, match=r"no subject 'S5'"):
    h36m.load_h36m_3d(path, subjects=['S5'])


@pytest.mark.parametrize('array, match', [
    (np.zeros((4, 31, 3), np.float32),
     r"\['S1'\]\['Walk'\]: shape \[4, 31, 3\]"),
    (np.zeros((4, 32, 2), np.float32), r'shape \[4, 32, 2\]'),
    (np.full((4, 32, 3), np.nan, np.float32), r'non-finite value at frame 0'),
    (np.full((4, 32, 3), 1500.0, np.float32), r'already in mm'),
    ('not an array', r'expected a numeric array'),
])
def test_load_3d_rejects_bad_arrays(tmp_path, array, match):
  path = _write_3d(tmp_path / 'bad.npz', {'S1': {'Walk': array}})
  assert_data_error(h36m.load_h36m_3d, path, match)


def test_load_3d_missing_file_and_key(tmp_path):
  with pytest.raises(DataError, match='file not found'):
    h36m.load_h36m_3d(tmp_path / 'absent.npz')
  path = tmp_path / 'wrong_key.npz'
  np.savez(path, positions=_obj({}))
  with pytest.raises(DataError, match=r"missing key 'positions_3d'") as info:
    h36m.load_h36m_3d(path)
  assert str(path) in str(info.value)
  not_zip = tmp_path / 'not_zip.npz'
  not_zip.write_text('hello')
  with pytest.raises(DataError, match='not an .npz'):
    h36m.load_h36m_3d(not_zip)


def test_load_2d_stacks_cameras_truncates_and_maps(tmp_path):
  rng = np.random.default_rng(4)
  cams = [rng.uniform(0, 1000, (n, 17, 2)).astype(np.float32)
          for n in (6, 5, 7, 6)]
  path = _write_2d(tmp_path / 'data_2d_h36m_gt.npz',
                   {'S1': {'Walking': cams}, 'S5': {'Eating': cams}})
  kps = h36m.load_h36m_2d(path, subjects=('S1',))
  assert list(kps) == [('S1', 'Walking')]
  got = kps[('S1', 'Walking')]
  assert got.shape == (4, 5, 16, 2) and got.dtype == np.float32
  h17_of_model = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16]
  for c in range(4):
    np.testing.assert_allclose(got[c], cams[c][:5, h17_of_model], rtol=1e-6)


def test_load_2d_coco_layout_is_mapped_with_midpoints(tmp_path):
  rng = np.random.default_rng(5)
  cams = [rng.uniform(0, 1000, (3, 17, 2)) for _ in range(4)]
  path = _write_2d(tmp_path / 'det.npz', {'S9': {'Walk': cams}},
                   layout='coco')
  got = h36m.load_h36m_2d(path)[('S9', 'Walk')]
  # Pelvis = mid-hips (COCO 11, 12); R_ankle = COCO 16.
  np.testing.assert_allclose(got[2, :, 0], cams[2][:, [11, 12]].mean(1),
                             rtol=1e-5)
  np.testing.assert_allclose(got[2, :, 3], cams[2][:, 16], rtol=1e-6)


@pytest.mark.parametrize('cams, kwargs, match', [
    ([np.zeros((3, 16, 2))] * 4, {}, r"\[0\]: shape \[3, 16, 2\]"),
    ([np.zeros((3, 17, 2))] * 3, {}, r'list of 4 camera arrays, got 3'),
    ([np.zeros((3, 17, 2))] * 3 + [np.full((3, 17, 2), np.inf)], {},
     r"\['S1'\]\['A'\]\[3\]: non-finite"),
    ([np.zeros((3, 17, 2))] * 4, {'layout': 'openpose'}, r'unsupported layout'),
    ([np.zeros((3, 17, 2))] * 4, {'num_joints': 16}, r"\['num_joints'\]"),
])
def test_load_2d_rejects_bad_data(tmp_path, cams, kwargs, match):
  path = _write_2d(tmp_path / 'bad2d.npz', {'S1': {'A': cams}}, **kwargs)
  with pytest.raises(DataError, match=match) as info:
    h36m.load_h36m_2d(path)
  assert info.value.path == str(path)


def test_load_2d_missing_metadata(tmp_path):
  path = tmp_path / 'no_meta.npz'
  np.savez(path, positions_2d=_obj({}))
  with pytest.raises(DataError, match=r"missing key 'metadata'"):
    h36m.load_h36m_2d(path)


@pytest.mark.parametrize('payload, global_name', [
    (_CallsCanary(), '_canary'),
    (_CallsGetcwd(), 'getcwd'),
])
def test_malicious_pickle_is_rejected_without_running_it(
    tmp_path, payload, global_name):
  path = _write_3d(tmp_path / 'evil.npz',
                   {'S1': {'Walking': _poses_32(2, 0), 'x': payload}})
  # The file really does run code under an unrestricted unpickler.
  with zipfile.ZipFile(path) as z:
    assert global_name.encode() in z.read('positions_3d.npy')
  with pytest.raises(DataError, match=global_name) as info:
    h36m.load_h36m_3d(path)
  assert 'positions_3d.npy' in str(info.value)
  assert info.value.path == str(path)
  assert _CANARY_CALLS == []


def test_safe_npz_reads_plain_and_object_members(tmp_path):
  path = tmp_path / 'mixed.npz'
  plain = np.arange(12, dtype=np.int16).reshape(3, 4)
  nested = {'a': [np.float64(1.5), np.arange(3)], 'b': {1, 2}, 'c': (b'x',)}
  np.savez_compressed(path, plain=plain, nested=_obj(nested))
  arrays = safe_npz.load_npz(path)
  np.testing.assert_array_equal(arrays['plain'], plain)
  item = arrays['nested'].item()
  assert item['a'][0] == 1.5 and item['b'] == {1, 2} and item['c'] == (b'x',)
  np.testing.assert_array_equal(item['a'][1], np.arange(3))
  assert safe_npz.load_npz_item(path, 'nested')['b'] == {1, 2}
  with pytest.raises(DataError, match=r"key 'plain': expected a 0-d object"):
    safe_npz.load_npz_item(path, 'plain')


def test_safe_npz_rejects_corrupt_pickle(tmp_path):
  path = tmp_path / 'corrupt.npz'
  np.savez(path, x=_obj({'a': 1}))
  with zipfile.ZipFile(path) as z:
    data = z.read('x.npy')
  with zipfile.ZipFile(path, 'w') as z:
    z.writestr('x.npy', data[:-5])
  with pytest.raises(DataError, match=r"member 'x.npy': unreadable"):
    safe_npz.load_npz(path)
  # A pickle stream whose top object is not an array.
  header = data[:data.index(b'\n') + 1]
  with zipfile.ZipFile(path, 'w') as z:
    z.writestr('x.npy', header + pickle.dumps({'a': 1}, protocol=3))
  with pytest.raises(DataError, match=r'holds a dict'):
    safe_npz.load_npz(path)

"""Property-based fuzzing of the Human3.6M (VideoPose3D npz) readers.

The pickled dicts inside valid files are mutated (values swapped for other
types, arrays with wrong shapes, dtypes or NaN, keys of odd types, metadata
broken); each file must read or raise the library's `DataError`. 400 inputs.
"""

import copy
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_rep_tf.data import h36m
from geo_rep_tf.errors import DataError, GeoRepError

# np.full(shape, nan, int32) in the generator warns; the value is the point.
pytestmark = pytest.mark.filterwarnings('ignore::RuntimeWarning')
SETTINGS = dict(deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
_DIR = tempfile.mkdtemp(prefix='h36m_fuzz_')

POSES_3D = {'S1': {'Walk': np.zeros((3, 32, 3), np.float32) + 0.5},
            'S5': {'Sit': np.ones((2, 17, 3))}}
POSES_2D = {'S1': {'Walk': [np.ones((3 + i, 17, 2), np.float32) * 10
                            for i in range(4)]}}
METADATA = {'layout_name': 'h36m', 'num_joints': 17,
            'keypoints_symmetry': [[4, 5, 6], [1, 2, 3]]}

odd_values = st.one_of(
    st.none(), st.integers(-5, 5), st.text(max_size=3), st.floats(),
    st.sampled_from([[1, 2], {'x': 1}, (1,), 'h36m', 'coco', 10**30]),
    st.builds(lambda shape, fill, dtype: np.full(shape, fill, dtype),
              st.lists(st.integers(0, 4), max_size=4),
              st.sampled_from([0.0, 1.0, np.nan, np.inf, 1e9]),
              st.sampled_from([np.float32, np.float64, np.int32, bool])))


def _mutable_places(tree, prefix=()):
  yield prefix
  if isinstance(tree, dict):
    for k, v in tree.items():
      yield from _mutable_places(v, prefix + (k,))
  elif isinstance(tree, list):
    for i, v in enumerate(tree):
      yield from _mutable_places(v, prefix + (i,))


@st.composite
def mutated(draw, valid):
  tree = copy.deepcopy(valid)
  for _ in range(draw(st.integers(1, 2))):
    path = draw(st.sampled_from(list(_mutable_places(tree))))
    if not path:
      return draw(odd_values)
    parent = tree
    for key in path[:-1]:
      parent = parent[key]
    if isinstance(parent, dict) and draw(st.booleans()):
      value = parent.pop(path[-1])
      parent[draw(st.sampled_from([7, None, ('a',), 'S9']))] = value
    else:
      parent[path[-1]] = draw(odd_values)
  return tree


def _save(name, **items):
  path = os.path.join(_DIR, name)
  np.savez(path, **{k: np.array(v, dtype=object) if not isinstance(
      v, np.ndarray) else v for k, v in items.items()})
  return path


def _read_or_reject(reader, path, subjects):
  try:
    result = reader(path, subjects)
  except GeoRepError as e:
    assert isinstance(e, DataError), repr(e)
    assert '\n' not in str(e) and os.path.basename(path) in str(e), str(e)
    return
  for array in result.values():
    assert np.isfinite(array).all() and array.shape[-2] == 16


def _object_array(value):
  out = np.empty((), dtype=object)
  out[()] = value
  return out


@settings(max_examples=200, **SETTINGS)
@given(mutated(POSES_3D), st.sampled_from([None, ['S1'], 'S5', ['S2']]))
def test_mutated_h36m_3d_reads_or_raises_data_error(tree, subjects):
  path = _save('d3.npz', positions_3d=_object_array(tree))
  _read_or_reject(h36m.load_h36m_3d, path, subjects)


@settings(max_examples=200, **SETTINGS)
@given(st.data(), st.sampled_from([None, ['S1'], ['S2']]))
def test_mutated_h36m_2d_reads_or_raises_data_error(data, subjects):
  which = data.draw(st.booleans())
  poses = data.draw(mutated(POSES_2D)) if which else POSES_2D
  meta = METADATA if which else data.draw(mutated(METADATA))
  path = _save('d2.npz', positions_2d=_object_array(poses),
               metadata=_object_array(meta))
  _read_or_reject(h36m.load_h36m_2d, path, subjects)

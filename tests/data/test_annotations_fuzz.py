"""Property-based fuzzing of the MPII and COCO readers and the npz reader.

Valid annotation files are mutated at a random place in their json tree
(a value replaced by another json type, a huge or non-finite number, a list
resized, a key removed, a path escaping the image directory) or in their
text (truncated, bytes flipped). Every input must give a list of people or
the library's own `GeoRepError` (never a TypeError, KeyError, ...). 1,400
generated inputs for the json readers, 200 for the npz reader.
"""

import copy
import io
import json
import math
import os
import tempfile
import zipfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_rep_tf.data import annotations_2d, safe_npz
from geo_rep_tf.errors import DataError, GeoRepError

# Reproducible by default; GEO_REP_TF_FUZZ_RANDOM=1 explores new inputs.
SETTINGS = dict(deadline=None,
                derandomize=not os.environ.get('GEO_REP_TF_FUZZ_RANDOM'),
                suppress_health_check=[HealthCheck.too_slow])
_DIR = tempfile.mkdtemp(prefix='annotations_fuzz_')

MPII = [{'image': f'{i:09d}.jpg', 'center': [100.0 + i, 120.0],
         'scale': 1.5, 'joints': [[10.0 + j, 20.0 + j] for j in range(16)],
         'joints_vis': [1] * 15 + [0]} for i in range(2)]
COCO = {
    'images': [{'id': 1, 'file_name': 'a.jpg', 'width': 640, 'height': 480},
               {'id': 2, 'file_name': 'sub/b.jpg'}],
    'annotations': [
        {'id': 10, 'image_id': 1, 'category_id': 1, 'iscrowd': 0,
         'bbox': [1, 2, 30, 40],
         'keypoints': [v for j in range(17) for v in (5.0 + j, 6.0, 2)]},
        {'id': 11, 'image_id': 2, 'category_id': 1,
         'bbox': [0, 0, 10, 10], 'keypoints': [0] * 51}],
    'categories': [{'id': 1, 'name': 'person',
                    'keypoints': [f'k{j}' for j in range(17)]}],
}

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(),
              st.integers(-2**70, 2**70),
              st.floats(allow_nan=True, allow_infinity=True),
              st.sampled_from([10**400, -10**400, '../etc/passwd',
                               '/abs.jpg', 'C:\\x.jpg', '', 'person', 1e308]),
              st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=4), inner,
                                            max_size=3)),
    max_leaves=6)


def _paths(node, prefix=()):
  """Every (path to a node) in a json tree."""
  yield prefix
  if isinstance(node, dict):
    for k, v in node.items():
      yield from _paths(v, prefix + (k,))
  elif isinstance(node, list):
    for i, v in enumerate(node):
      yield from _paths(v, prefix + (i,))


@st.composite
def mutated_tree(draw, valid):
  tree = copy.deepcopy(valid)
  for _ in range(draw(st.integers(1, 3))):
    paths = list(_paths(tree))
    path = draw(st.sampled_from(paths))
    op = draw(st.sampled_from(['replace', 'replace', 'delete', 'resize']))
    if not path:
      tree = draw(json_values) if op == 'replace' else tree
      continue
    parent = tree
    for key in path[:-1]:
      parent = parent[key]
    key = path[-1]
    if op == 'replace':
      parent[key] = draw(json_values)
    elif op == 'delete':
      del parent[key]
    elif isinstance(parent[key], list):
      n = draw(st.integers(0, len(parent[key]) + 2))
      parent[key] = (parent[key] * 2)[:n]
    else:
      parent[key] = [parent[key]]
  return tree


def _write(name, text):
  path = os.path.join(_DIR, name)
  mode = 'wb' if isinstance(text, bytes) else 'w'
  with open(path, mode) as f:
    f.write(text)
  return path


def _dumps(tree):
  try:
    return json.dumps(tree)  # NaN/Infinity literals: json.load reads them.
  except (ValueError, OverflowError):
    return '[]'


def _read_or_reject(reader, path):
  try:
    people = reader(path)
  except GeoRepError as e:
    assert isinstance(e, DataError), repr(e)
    assert '\n' not in str(e) and os.path.basename(path) in str(e), str(e)
    return
  root = os.path.realpath(_DIR)
  for p in people:
    # Whatever parses stays inside the dataset root and is finite.
    assert os.path.realpath(p.image_path).startswith(root + os.sep)
    assert np.isfinite(p.keypoints_px).all()
    assert np.isfinite(p.model_keypoints_px).all()
    assert np.isfinite(p.bbox_xywh).all()


@settings(max_examples=600, **SETTINGS)
@given(mutated_tree(MPII))
def test_mutated_mpii_reads_or_raises_data_error(tree):
  _read_or_reject(annotations_2d.load_mpii_json,
                  _write('mpii.json', _dumps(tree)))


@settings(max_examples=600, **SETTINGS)
@given(mutated_tree(COCO))
def test_mutated_coco_reads_or_raises_data_error(tree):
  _read_or_reject(annotations_2d.load_coco_keypoints,
                  _write('coco.json', _dumps(tree)))


@settings(max_examples=200, **SETTINGS)
@given(st.sampled_from(['mpii', 'coco']), st.data())
def test_damaged_json_text_reads_or_raises_data_error(which, data):
  text = json.dumps(MPII if which == 'mpii' else COCO).encode()
  cut = data.draw(st.integers(0, len(text)))
  flips = data.draw(st.lists(st.tuples(st.integers(0, len(text) - 1),
                                       st.integers(0, 255)), max_size=3))
  damaged = bytearray(text[:cut] if data.draw(st.booleans()) else text)
  for i, b in flips:
    if i < len(damaged):
      damaged[i] = b
  reader = (annotations_2d.load_mpii_json if which == 'mpii' else
            annotations_2d.load_coco_keypoints)
  _read_or_reject(reader, _write(f'{which}_text.json', bytes(damaged)))


def _npz_bytes(arrays):
  buf = io.BytesIO()
  np.savez(buf, **arrays)
  return buf.getvalue()


@settings(max_examples=200, **SETTINGS)
@given(st.data())
def test_damaged_npz_reads_or_raises_data_error(data):
  valid = _npz_bytes({'a': np.arange(12.0).reshape(3, 4),
                      'b': np.array({'x': np.ones(3)}, dtype=object)})
  damaged = bytearray(valid[:data.draw(st.integers(0, len(valid)))]
                      if data.draw(st.booleans()) else valid)
  for _ in range(data.draw(st.integers(0, 4))):
    if damaged:
      damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(
          st.integers(0, 255))
  path = _write('fuzz.npz', bytes(damaged))
  try:
    arrays = safe_npz.load_npz(path)
  except GeoRepError as e:
    assert isinstance(e, DataError) and 'fuzz.npz' in str(e), repr(e)
    return
  assert isinstance(arrays, dict)

"""Safe loading: no code runs from user data, no data path leaves its root.

A static scan of the package and the binaries (no eval/exec, no plain
pickle, np.load never with allow_pickle=True), plus the path checks of the
readers that take file names from data files.
"""

import ast
import json
import os
import pathlib

import pytest

from geo_rep_tf.data import annotations_2d, manifest
from geo_rep_tf.errors import DataError

REPO = pathlib.Path(__file__).resolve().parents[2]
SOURCES = sorted(p for d in ('geo_rep_tf', 'tools')
                 for p in (REPO / d).rglob('*.py'))
# The one module allowed to unpickle: its Unpickler resolves only numpy
# array/scalar/dtype reconstruction and builtin containers.
RESTRICTED_UNPICKLER = REPO / 'geo_rep_tf' / 'data' / 'safe_npz.py'


def _calls(tree):
  for node in ast.walk(tree):
    if isinstance(node, ast.Call):
      f = node.func
      name = (f.id if isinstance(f, ast.Name) else
              f.attr if isinstance(f, ast.Attribute) else '')
      owner = (f.value.id if isinstance(f, ast.Attribute) and
               isinstance(f.value, ast.Name) else '')
      yield node, owner, name


@pytest.mark.parametrize('path', SOURCES,
                         ids=lambda p: str(p.relative_to(REPO)))
def test_no_eval_no_pickle_no_allow_pickle(path):
  tree = ast.parse(path.read_text(), str(path))
  for node, owner, name in _calls(tree):
    where = f'{path.relative_to(REPO)}:{node.lineno}'
    assert name not in ('eval', 'exec') or owner, where
    if owner in ('pickle', 'cPickle', 'dill', 'joblib'):
      assert name not in ('load', 'loads'), where
    if owner == 'yaml':
      assert name not in ('load', 'unsafe_load', 'full_load'), where
    if name == 'load' and owner in ('np', 'numpy'):
      for kw in node.keywords:
        if kw.arg == 'allow_pickle':
          assert isinstance(kw.value, ast.Constant) and not kw.value.value, (
              where)
  if path != RESTRICTED_UNPICKLER:
    text = path.read_text()
    assert 'Unpickler' not in text, path


@pytest.mark.parametrize('name', [
    '../a.jpg', 'x/../../a.jpg', '/etc/passwd', 'C:\\a.jpg', '\\\\host\\a.jpg',
    '..\\a.jpg', '', '   ', None, 7])
def test_image_names_cannot_leave_the_image_directory(tmp_path, name):
  with pytest.raises(DataError, match='record 0.image'):
    annotations_2d.load_mpii_json(_mpii(tmp_path, name))


def test_plain_nested_image_names_stay_inside(tmp_path):
  person, = annotations_2d.load_mpii_json(_mpii(tmp_path, 'sub/dir/a.jpg'))
  assert person.image_path == tmp_path / 'sub' / 'dir' / 'a.jpg'


def _mpii(tmp_path, image):
  path = tmp_path / 'mpii.json'
  path.write_text(json.dumps([{
      'image': image, 'center': [5, 5], 'scale': 1,
      'joints': [[1, 1]] * 16, 'joints_vis': [1] * 16}]))
  return path


@pytest.mark.parametrize('shard', ['../x.tfrecord', '/tmp/x.tfrecord',
                                   'sub/x.tfrecord', '..', '', 5,
                                   'a\\..\\x.tfrecord'])
def test_manifest_shards_cannot_leave_the_protocol_directory(tmp_path, shard):
  (tmp_path / 'manifest.json').write_text(json.dumps(
      dict(shards=dict(train=[shard]), config={}, counts={})))
  with pytest.raises(DataError, match='shards.train'):
    manifest.load_manifest(str(tmp_path))


def test_truncated_shard_is_refused_before_reading(tmp_path):
  shard = tmp_path / 'train-00000.tfrecord'
  shard.write_bytes(b'x' * 10)
  (tmp_path / 'manifest.json').write_text(json.dumps(dict(
      shards=dict(train=[shard.name]), config={}, counts={},
      shard_bytes={shard.name: 20})))
  with pytest.raises(DataError, match=r'train-00000.tfrecord: shard has 10 '
                     r'bytes, manifest.json says 20'):
    manifest.shard_paths(str(tmp_path), 'train')

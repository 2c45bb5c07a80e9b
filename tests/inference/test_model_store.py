"""The BlazePose cache: extraction from a wheel, pinned hashes, manifest."""

import hashlib
import json
import os
import zipfile

import pytest

from geo_rep_tf.errors import DataError
from geo_rep_tf.inference import defaults, model_store


@pytest.fixture
def fake_files(monkeypatch):
  """Pins two fake model files; returns their contents by cache name."""
  data = {'pose_detection.tflite': b'detector bytes',
          'pose_landmark_full.tflite': b'landmark bytes'}
  pinned = {name: (f'mediapipe/modules/x/{name}',
                   hashlib.sha256(blob).hexdigest())
            for name, blob in data.items()}
  monkeypatch.setattr(defaults, 'BLAZEPOSE_FILES', pinned)
  return data


def _wheel(path, data, extra=None):
  with zipfile.ZipFile(path, 'w') as z:
    for name, blob in data.items():
      z.writestr(f'mediapipe/modules/x/{name}', blob)
    z.writestr('mediapipe-0.10.21.dist-info/LICENSE', 'Apache License 2.0')
    for name, blob in (extra or {}).items():
      z.writestr(name, blob)
  return str(path)


def test_models_dir_flag_env_default(monkeypatch, tmp_path):
  monkeypatch.setenv(defaults.MODELS_ENV, str(tmp_path / 'env'))
  assert defaults.models_dir() == str(tmp_path / 'env')
  assert defaults.models_dir(str(tmp_path / 'flag')) == str(tmp_path / 'flag')
  monkeypatch.delenv(defaults.MODELS_ENV)
  assert defaults.models_dir().endswith(
      os.path.join('.cache', 'geo_rep_tf', 'models'))


def test_fetch_from_a_local_wheel(fake_files, tmp_path):
  wheel = _wheel(tmp_path / 'mp.whl', fake_files)
  out = tmp_path / 'cache'
  logs = []
  paths = model_store.fetch_blazepose(str(out), wheel=wheel, log=logs.append)
  assert sorted(paths) == ['detector', 'landmarks']
  manifest = json.loads((out / 'manifest.json').read_text())
  assert manifest['license'] == 'Apache-2.0'
  assert (out / defaults.LICENSE_FILE).read_text() == 'Apache License 2.0'
  for name, blob in fake_files.items():
    assert manifest['files'][name]['sha256'] == hashlib.sha256(
        blob).hexdigest()
  # Only the pinned files, the licence and the manifest; no temporaries.
  assert sorted(os.listdir(out)) == sorted(
      list(fake_files) + [defaults.LICENSE_FILE, 'manifest.json'])
  # A second call finds the cache complete and downloads nothing.
  model_store.fetch_blazepose(str(out), log=logs.append)
  assert 'already' in logs[-1]


def test_wrong_hash_in_wheel_is_rejected(fake_files, tmp_path):
  bad = dict(fake_files, **{'pose_detection.tflite': b'tampered'})
  wheel = _wheel(tmp_path / 'mp.whl', bad)
  with pytest.raises(DataError, match='sha256'):
    model_store.fetch_blazepose(str(tmp_path / 'c'), wheel=wheel,
                                log=lambda s: None)
  assert not (tmp_path / 'c' / 'manifest.json').exists()


def test_missing_or_corrupt_cache_names_the_fix(fake_files, tmp_path):
  with pytest.raises(DataError, match='fetch_models.py'):
    model_store.blazepose_paths(str(tmp_path))
  model_store.fetch_blazepose(str(tmp_path), log=lambda s: None,
                              wheel=_wheel(tmp_path / 'w.whl', fake_files))
  (tmp_path / 'pose_landmark_full.tflite').write_bytes(b'corrupt')
  with pytest.raises(DataError, match='sha256 mismatch'):
    model_store.blazepose_paths(str(tmp_path))
  assert not model_store.is_cached(str(tmp_path))


def test_not_a_wheel(tmp_path):
  bad = tmp_path / 'x.whl'
  bad.write_bytes(b'no zip')
  with pytest.raises(DataError, match='not a wheel'):
    model_store.extract_blazepose(str(bad), str(tmp_path / 'c'))

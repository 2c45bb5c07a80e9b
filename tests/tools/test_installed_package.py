"""The package installed non-editably, run as a user would: from another
directory, with the committed default lifter, through the console scripts.

Slow (copies the 36 MB of committed lifters): `pip install --target` puts the
package, its tools and `geo_rep_tf_models` in a folder of their own; the
dependencies come from the test's environment.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.inference.conftest import REPO, SAMPLE_PHOTO
from tests.inference.conftest import blazepose_models  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
  target = tmp_path_factory.mktemp('site')
  build = tmp_path_factory.mktemp('build')
  proc = subprocess.run(
      [sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
       '--no-build-isolation', '--no-cache-dir', '--target', str(target),
       str(REPO)], capture_output=True, text=True, timeout=900,
      cwd=str(build))
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert not os.path.exists(os.path.join(target, 'geo_rep_tf_models',
                                         'pretrained', 'representation',
                                         'latent_cache'))
  env = dict(os.environ, PYTHONPATH=str(target))
  return target, env


def _run(args, env, cwd):
  return subprocess.run(args, capture_output=True, text=True, timeout=900,
                        env=env, cwd=str(cwd))


def test_the_installed_package_loads_the_default_lifter(installed, tmp_path):
  target, env = installed
  code = ('import geo_rep_tf, numpy as np\n'
          'from geo_rep_tf.runs.lifter import load_lifter\n'
          'lifter = load_lifter(None)\n'
          'print(geo_rep_tf.__file__)\n'
          'print(lifter.path)\n'
          'kp = np.random.default_rng(0).uniform(100, 400, (2, 16, 2))\n'
          'print(lifter(kp.astype(np.float32)).shape)\n')
  proc = _run([sys.executable, '-c', code], env, tmp_path)
  assert proc.returncode == 0, proc.stderr[-3000:]
  module, path, shape = proc.stdout.split('\n')[-4:-1]
  assert module.startswith(str(target)), module
  assert path.startswith(os.path.join(str(target), 'geo_rep_tf_models')), path
  assert shape == '(2, 16, 3)'


def test_installed_infer_lifts_the_sample_photo(installed, tmp_path,
                                                blazepose_models):
  target, env = installed
  out = tmp_path / 'out'
  proc = _run([os.path.join(str(target), 'bin', 'geo-rep-infer'),
               f'--inputs={SAMPLE_PHOTO}', f'--output_dir={out}',
               f'--models_dir={blazepose_models}', '--nodraw'], env, tmp_path)
  assert proc.returncode == 0, proc.stderr[-3000:]
  doc = json.loads((out / '000000000785.json').read_text())
  assert doc['model']['lifter']  # lifted with the default lifter
  people = doc['frames'][0]['people']
  assert people and all(len(p['pose_3d_mm']) == 16 for p in people)


def test_every_tool_has_a_console_script(installed):
  target, _ = installed
  tools = {f[:-3] for f in os.listdir(REPO / 'tools')
           if f.endswith('.py') and f != '__init__.py'}
  scripts = set(os.listdir(os.path.join(str(target), 'bin')))
  missing = {t for t in tools if 'geo-rep-' + t.replace('_', '-') not in
             scripts}
  assert not missing, missing

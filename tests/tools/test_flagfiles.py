"""Every flagfile opens with its header and names only flags its binary has."""

import glob
import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BINARY = {'rep_': 'train_representation', 'reg_': 'train_regressor',
          'main_job_representation': 'train_representation',
          'main_job_regressor': 'train_regressor',
          'bandai_h36m_': 'prepare_data',
          'exp_': 'run_experiment'}


def _binary(path):
  name = os.path.basename(path)
  for prefix, tool in BINARY.items():
    if name.startswith(prefix):
      return tool
  raise AssertionError(f'{name}: no binary known for this flagfile')


def _flag_names(tool):
  code = ('import sys; sys.argv=["x"]; '
          f'import geo_rep_tf_tools.{tool}; from absl import flags; '
          'print("\\n".join(flags.FLAGS))')
  out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                       text=True, cwd=REPO, timeout=300)
  assert out.returncode == 0, out.stderr[-2000:]
  return set(out.stdout.split())


def test_flagfiles():
  files = sorted(glob.glob(os.path.join(REPO, 'flags', '*.cfg')))
  assert len(files) >= 10
  names = {}
  for path in files:
    tool = _binary(path)
    if tool not in names:
      names[tool] = _flag_names(tool)
    lines = open(path).read().splitlines()
    header = [l for l in lines if l.startswith('#')]
    text = ' '.join(header)
    assert 'Command:' in text and 'Expected time' in text and (
        'xpected result' in text), path
    for line in lines:
      if line.startswith('--'):
        flag = line[2:].split('=')[0]
        if flag == 'flagfile':  # Nested flagfile: it must exist in flags/.
          nested = line.split('=', 1)[1]
          assert os.path.isfile(os.path.join(REPO, nested)), (
              f'{path}: {nested} does not exist')
          continue
        if flag not in names[tool] and flag.startswith('no'):
          flag = flag[2:]  # --noX: boolean X set to false.
        assert flag in names[tool], f'{path}: --{flag} unknown to {tool}'

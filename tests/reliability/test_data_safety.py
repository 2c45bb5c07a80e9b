"""Nothing a user points a tool at by mistake is changed.

Each case runs a real binary (subprocess) on a directory that holds
something else (another stage's run, a folder of the user's files, a
plain file) and checks that it exits 2 and that every file there is
byte-for-byte as it was, and that a run which could not start leaves no
directory behind.
"""

import hashlib
import os
import subprocess
import sys

import pytest

from tests.reliability import bad_inputs

TOOLS = os.path.join(bad_inputs.REPO, 'tools')


@pytest.fixture(scope='module')
def bad(tiny_protocol, tmp_path_factory):
  path = str(tmp_path_factory.mktemp('data_safety'))
  bad_inputs.make_bad_files(path, tiny_protocol)
  return path


def _snapshot(path):
  """{relative path: sha256} of every file under `path` (or of the file)."""
  if os.path.isfile(path):
    return {'': hashlib.sha256(open(path, 'rb').read()).hexdigest()}
  out = {}
  for root, _, files in os.walk(path):
    for name in files:
      full = os.path.join(root, name)
      out[os.path.relpath(full, path)] = hashlib.sha256(
          open(full, 'rb').read()).hexdigest()
  return out


def _run(tool, *args, cwd):
  return subprocess.run([sys.executable, os.path.join(TOOLS, tool + '.py'),
                         *args], capture_output=True, text=True, timeout=300,
                        cwd=cwd)


@pytest.mark.parametrize('tool,target,extra', [
    ('train_regressor', 'rep_run', ('--regressor=baseline1',)),
    ('train_regressor', 'ckpt_only', ('--regressor=baseline1',)),
    ('train_representation', 'reg_run', ()),
])
def test_training_never_touches_another_stages_run(bad, tiny_protocol, tool,
                                                   target, extra):
  path = os.path.join(bad, target)
  before = _snapshot(path)
  proc = _run(tool, f'--protocol_dir={tiny_protocol}', f'--model_dir={path}',
              '--train_steps=1', *extra, cwd=bad)
  assert proc.returncode == 2, proc.stderr[-2000:]
  assert 'Traceback' not in proc.stderr
  assert _snapshot(path) == before


def test_a_run_that_cannot_start_leaves_no_directory(bad, tiny_protocol):
  new = os.path.join(bad, 'never_started')
  proc = _run('train_regressor', f'--protocol_dir={tiny_protocol}',
              f'--model_dir={new}', '--regressor=regression1',
              f'--representation_dir={bad}/reg_run', '--train_steps=1',
              cwd=bad)
  assert proc.returncode == 2, proc.stderr[-2000:]
  assert 'reg_run' in proc.stderr
  assert not os.path.exists(new)


@pytest.mark.parametrize('target', ['cameras_malformed.json', 'not_export'])
def test_export_overwrite_replaces_only_an_export(bad, target):
  path = os.path.join(bad, target)
  before = _snapshot(path)
  proc = _run('export', f'--model_dir={bad}/reg_run', f'--out_dir={path}',
              '--overwrite', cwd=bad)
  assert proc.returncode == 2, proc.stderr[-2000:]
  assert 'not an earlier export' in proc.stderr
  assert _snapshot(path) == before

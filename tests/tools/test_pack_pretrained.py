"""scripts/pack_pretrained.py: packs a run into a loadable lifter folder and
never destroys a folder (or its model card) it was not asked to replace."""

import os
import subprocess
import sys

from geo_rep_tf.runs.loading import load_regressor_run
from tests.cli_errors import assert_one_line_error
from tests.eval import tiny_runs

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def _pack(*args):
  return subprocess.run(
      [sys.executable, os.path.join(REPO, 'scripts', 'pack_pretrained.py'),
       *args], capture_output=True, text=True, timeout=300, cwd=REPO)


def test_pack_replaces_weights_only_with_overwrite(tmp_path_factory, tmp_path):
  run = tiny_runs.regressor(tmp_path_factory, 'baseline1')
  out = tmp_path / 'baseline1'
  proc = _pack(f'--regressor_dir={run}', f'--out_dir={out}')
  assert proc.returncode == 0, proc.stderr[-3000:]
  lifter, _ = load_regressor_run(str(out / 'lifter'))
  assert lifter is not None
  assert 'CC BY-NC 4.0' in (out / 'README.md').read_text()
  (out / 'README.md').write_text('# my model card\n')
  # An existing folder is refused without --overwrite, untouched.
  proc = _pack(f'--regressor_dir={run}', f'--out_dir={out}')
  assert_one_line_error(proc, '--out_dir', '--overwrite')
  # With it the weights are replaced and the card is kept; no temp left.
  proc = _pack(f'--regressor_dir={run}', f'--out_dir={out}', '--overwrite')
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert (out / 'README.md').read_text() == '# my model card\n'
  assert sorted(os.listdir(tmp_path)) == ['baseline1']


def test_pack_bad_arguments_are_one_line(tmp_path):
  proc = _pack(f'--regressor_dir={tmp_path}', f'--out_dir={tmp_path / "o"}')
  assert_one_line_error(proc, '--regressor_dir', 'config.json')
  proc = _pack(f'--out_dir={tmp_path / "o"}')
  assert_one_line_error(proc, '--regressor_dir')
  assert not os.path.exists(tmp_path / 'o')

"""prepare_data / visualize_pairs as a user runs them: exit codes, messages, files."""

import os
import shutil
import subprocess
import sys

from tests.cli_errors import assert_one_line_error

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SAMPLE = os.path.join(REPO, 'data', 'samples', 'bandai_namco', 'dataset-1')


def _run(tool, *args, env=None):
  e = dict(os.environ, **(env or {}))
  return subprocess.run([sys.executable, os.path.join(REPO, 'tools', tool),
                         *args], capture_output=True, text=True, env=e,
                        timeout=300)


def test_prepare_and_draw_on_sample_clips(tmp_path):
  src = tmp_path / 'clips'
  src.mkdir()
  for c in ('dataset-1_walk_normal_001', 'dataset-1_walk_old_001'):
    shutil.copy(os.path.join(SAMPLE, c + '.bvh'), src)
  out = tmp_path / 'prep'
  proc = _run('prepare_data.py', f'--source={src}', f'--out_dir={out}')
  assert proc.returncode == 0, proc.stderr
  assert 'train: 1 clips' in proc.stdout and 'test: 1 clips' in proc.stdout
  assert 'prepare_data' in proc.stderr  # the progress bar
  png = tmp_path / 'pics' / 'pairs.png'
  proc = _run('visualize_pairs.py', f'--protocol_dir={out}', f'--out={png}',
              '--num_frames=1')
  assert proc.returncode == 0, proc.stderr
  assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_bad_inputs_give_one_line_and_exit_2(tmp_path):
  assert_one_line_error(_run('prepare_data.py', f'--source={tmp_path}/nope.bvh'),
                  'nope.bvh', 'no such file')
  assert_one_line_error(_run('prepare_data.py', '--frame_step=0'), 'frame_step')
  bad = tmp_path / 'dataset-1_walk_normal_001.bvh'
  text = open(os.path.join(SAMPLE, bad.name)).read()
  bad.write_text(text[:len(text) // 2])
  assert_one_line_error(_run('prepare_data.py', f'--source={bad}',
                       f'--out_dir={tmp_path}/o'), bad.name)
  assert not os.path.exists(tmp_path / 'o')
  assert_one_line_error(_run('prepare_data.py', f'--source={SAMPLE}',
                       '--rig=no_such_rig', f'--out_dir={tmp_path}/o'),
                  'no_such_rig')
  assert_one_line_error(_run('prepare_data.py', f'--data_dir={tmp_path}/absent'),
                  'absent')
  assert_one_line_error(_run('visualize_pairs.py', f'--protocol_dir={tmp_path}'),
                  'manifest.json')

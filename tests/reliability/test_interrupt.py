"""Ctrl-C ends a tool with one line and exit code 130, leaving nothing partial.

A terminal's Ctrl-C sends SIGINT to the whole process group: the tool and
any worker processes it forked. Each test starts a real binary in its own
process group, waits until it is writing, and interrupts the group.
"""

import glob
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.inference.conftest import tiny_hourglass_dir  # noqa: F401  (fixture)
from tests.inference.conftest import write_noise_video
from tests.reliability import bad_inputs

TOOLS = os.path.join(bad_inputs.REPO, 'tools')


def _interrupt_when(args, ready, cwd, timeout=120, delay=2.0,
                    finished=lambda: False):
  """Runs a tool, sends SIGINT to its process group `delay` seconds after
  `ready()` first holds; fails if `finished()` (its output is complete)
  holds by then, since the interrupt would no longer be mid-work."""
  proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, cwd=cwd,
                          start_new_session=True)
  deadline = time.time() + timeout
  while not ready() and proc.poll() is None and time.time() < deadline:
    time.sleep(0.05)
  time.sleep(delay)
  if proc.poll() is not None or finished():
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail('the tool finished before it could be interrupted; give it '
                'more work: ' + proc.communicate()[1][-2000:])
  os.killpg(proc.pid, signal.SIGINT)
  try:
    _, err = proc.communicate(timeout=60)
  except subprocess.TimeoutExpired:
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail('the tool hung after Ctrl-C')
  return proc.returncode, err


@pytest.mark.parametrize('workers', [1, 2])
def test_prepare_data_stops_cleanly(tmp_path, shared_data, workers):
  out = tmp_path / 'protocol'
  # Every frame and four extra bodies per clip: about ten times the default
  # work, so that a fast machine is still mid-way 0.5 s after it starts.
  rc, err = _interrupt_when(
      [os.path.join(TOOLS, 'prepare_data.py'),
       f'--source={shared_data}/mocap/bandai_namco/dataset-1',
       f'--out_dir={out}', f'--num_workers={workers}', '--frame_step=1',
       '--body_copies=4'],
      lambda: glob.glob(f'{out}.partial-*'), cwd=tmp_path, delay=0.5,
      finished=out.exists)
  assert rc == 130, err[-2000:]
  assert 'Traceback' not in err, err[-3000:]
  errors = [l for l in err.splitlines() if l.startswith('error:')]
  assert errors == ['error: interrupted (Ctrl-C)'], err[-2000:]
  assert not out.exists()
  assert not glob.glob(f'{out}.partial-*')


def test_infer_on_a_video_stops_cleanly(tmp_path, tiny_hourglass_dir):
  video = write_noise_video(tmp_path / 'long.avi', 600, 128, 96, 30)
  out = tmp_path / 'out'
  rc, err = _interrupt_when(
      [os.path.join(TOOLS, 'infer.py'), f'--inputs={video}',
       f'--output_dir={out}', '--backend=hourglass',
       f'--hourglass_dir={tiny_hourglass_dir}', '--nolift'],
      lambda: glob.glob(f'{out}/.long.partial.*'), cwd=tmp_path, delay=1.0)
  assert rc == 130, err[-2000:]
  assert 'Traceback' not in err, err[-3000:]
  assert [l for l in err.splitlines() if l.startswith('error:')] == [
      'error: interrupted (Ctrl-C)']
  assert os.listdir(out) == []  # no partial JSON, JSON lines or MP4

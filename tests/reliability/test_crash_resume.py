"""Crash safety: a training process killed with SIGKILL resumes exactly.

A real training process (tests/training/run_tiny.py: the Regression#1
network on the tiny protocol, op determinism on) is killed three times at
random steps, at a random moment after the step (mid-loop or mid-checkpoint),
and restarted each time in the same model_dir. It must finish at the planned
step with finite losses and, because the checkpoint holds the weights, Adam's
state and the tf.data iterator (position and shuffle buffers), end with
exactly the weights and optimizer state of a run that was never interrupted.

Marked slow: five process starts (three killed runs, the finishing run and
the uninterrupted reference) take about 50 s of CPU, 3 min on a loaded 2-core
machine. The default run keeps the cheaper stop-and-resume equality test
(tests/training/test_trainer.py::test_resume_continues_exactly_where_it_stopped).
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

RUN_TINY = os.path.join(os.path.dirname(__file__), '..', 'training',
                        'run_tiny.py')
STEPS = 40
ARGS = ['--steps_per_loop=2', '--checkpoint_every=4']


def _command(protocol_dir, model_dir, weights_out=None):
  cmd = [sys.executable, RUN_TINY, protocol_dir, str(model_dir), str(STEPS),
         'default', '0', *ARGS, '--progress']
  if weights_out:
    cmd.append(f'--weights_out={weights_out}')
  return cmd


def _run_and_kill(cmd, kill_at_step, delay_s):
  """Runs cmd; SIGKILLs it `delay_s` after it reports `kill_at_step`.

  Returns (lines printed, step reached when killed, resumed-from step).
  """
  proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
  lines, reached, resumed = [], None, 0
  try:
    for line in proc.stdout:
      lines.append(line)
      m = re.match(r'resumed from .* at step (\d+)', line)
      if m:
        resumed = int(m.group(1))
      m = re.match(r'step (\d+)/', line)
      if m and int(m.group(1)) >= kill_at_step:
        reached = int(m.group(1))
        time.sleep(delay_s)
        proc.send_signal(signal.SIGKILL)
        break
  finally:
    proc.stdout.close()
    proc.wait(timeout=120)
  return lines, reached, resumed, proc.returncode


@pytest.mark.slow
def test_killed_three_times_ends_with_the_uninterrupted_weights(
    tiny_protocol, tmp_path):
  seed = int(os.environ.get('GEO_REP_TF_KILL_SEED', time.time_ns() % 10**6))
  rng = random.Random(seed)
  why = f'(kill seed {seed}; rerun with GEO_REP_TF_KILL_SEED={seed})'
  model_dir = tmp_path / 'killed'
  last_step = 0
  window = (STEPS - 10) // 3  # kill k lands in steps (k*w, (k+1)*w]
  for k in range(3):
    target = max(rng.randint(k * window + 1, (k + 1) * window),
                 last_step + 1)
    lines, reached, resumed, rc = _run_and_kill(
        _command(tiny_protocol, model_dir), target, rng.uniform(0, 0.05))
    assert rc == -signal.SIGKILL, (why, rc, lines[-5:])
    assert resumed <= last_step, (why, lines[:3])
    # It resumed from its newest checkpoint (saved every 4 steps).
    assert resumed >= last_step - last_step % 4 - 4, (why, resumed)
    last_step = reached
  done = subprocess.run(
      _command(tiny_protocol, model_dir, tmp_path / 'killed.npz'),
      capture_output=True, text=True, timeout=300)
  assert done.returncode == 0, done.stderr[-3000:]
  assert any(l.startswith('resumed from') for l in done.stdout.splitlines())
  result = json.loads(done.stdout.strip().splitlines()[-1])
  assert result['step'] == STEPS and result['optimizer_iterations'] == STEPS
  assert all(np.isfinite(v) for v in result['losses'].values())

  straight = subprocess.run(
      _command(tiny_protocol, tmp_path / 'straight', tmp_path / 'straight.npz'),
      capture_output=True, text=True, timeout=300)
  assert straight.returncode == 0, straight.stderr[-3000:]
  a = np.load(tmp_path / 'killed.npz', allow_pickle=False)
  b = np.load(tmp_path / 'straight.npz', allow_pickle=False)
  assert sorted(a.files) == sorted(b.files) and len(a.files) > 4
  for k in a.files:
    np.testing.assert_array_equal(a[k], b[k], err_msg=f'{k} {why}')

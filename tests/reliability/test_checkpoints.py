"""A corrupt, truncated or half-deleted checkpoint: warn and use the previous one."""

import glob
import os

import numpy as np
import pytest

from geo_rep_tf.errors import DataError
from geo_rep_tf.training.trainer import Trainer, TrainerConfig
from tests.reliability.toy_task import ToyTask


def _trainer(model_dir, steps, logs):
  cfg = TrainerConfig(model_dir=str(model_dir), train_steps=steps,
                      steps_per_loop=2, checkpoint_every=2,
                      global_batch_size=8, learning_rate=1e-2,
                      image_summaries_every=0, log_every_s=1e9)
  return Trainer(ToyTask(), cfg, log=logs.append)


def _truncate(path):
  with open(path, 'r+b') as f:
    f.truncate(os.path.getsize(path) // 2)


def _flip_byte(path):
  with open(path, 'r+b') as f:
    f.seek(os.path.getsize(path) // 2)
    b = f.read(1)
    f.seek(-1, os.SEEK_CUR)
    f.write(bytes([b[0] ^ 0xFF]))


DAMAGE = {
    'truncated data': lambda p: _truncate(glob.glob(p + '.data-*')[0]),
    'flipped byte in data': lambda p: _flip_byte(glob.glob(p + '.data-*')[0]),
    'truncated index': lambda p: _truncate(p + '.index'),
    'missing index': lambda p: os.remove(p + '.index'),
    'missing data': lambda p: os.remove(glob.glob(p + '.data-*')[0]),
}


@pytest.mark.parametrize('damage', sorted(DAMAGE))
def test_damaged_latest_checkpoint_falls_back_with_a_warning(tmp_path,
                                                             damage):
  logs = []
  trainer = _trainer(tmp_path, 4, logs)
  trainer.train()  # checkpoints at steps 2 and 4
  latest = trainer.manager.latest_checkpoint
  assert latest.endswith('ckpt-4')
  DAMAGE[damage](latest)

  logs = []
  resumed = _trainer(tmp_path, 6, logs)
  assert int(resumed.step.numpy()) == 2, logs
  warnings = [l for l in logs if l.startswith('warning:')]
  assert len(warnings) == 1 and 'ckpt-4' in warnings[0], logs
  assert '\n' not in warnings[0]
  assert any('resumed from' in l and 'ckpt-2' in l for l in logs), logs
  # Training goes on from there to the end, and saves a readable ckpt-6.
  resumed.train()
  assert int(resumed.step.numpy()) == 6
  assert resumed.manager.latest_checkpoint.endswith('ckpt-6')
  assert all(np.isfinite(w).all() for w in resumed.model.get_weights())


def test_every_checkpoint_damaged_is_an_error_not_a_silent_restart(
    tmp_path):
  logs = []
  trainer = _trainer(tmp_path, 4, logs)
  trainer.train()
  for path in trainer.manager.checkpoints:
    _truncate(glob.glob(path + '.data-*')[0])
  logs = []
  with pytest.raises(DataError, match=r'none of the 2 checkpoints can be '
                     r'read \(newest ckpt-4\)'):
    _trainer(tmp_path, 4, logs)
  assert len([l for l in logs if l.startswith('warning:')]) == 2


def test_saved_step_reads_the_latest_checkpoint_without_a_model(tmp_path):
  from geo_rep_tf.training import checkpoints
  assert checkpoints.saved_step(str(tmp_path / 'absent')) is None
  assert checkpoints.saved_step(str(tmp_path)) is None  # no checkpoint yet
  trainer = _trainer(tmp_path, 4, [])
  trainer.train()
  assert checkpoints.saved_step(str(tmp_path)) == 4
  # Unreadable: None, and the trainer's restore decides (falls back).
  os.remove(trainer.manager.latest_checkpoint + '.index')
  assert checkpoints.saved_step(str(tmp_path)) is None

"""train_and_evaluate: trains to the final step, leaves a finished run alone."""

import pytest

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.training import checkpoints
from geo_rep_tf.training.launch import train_and_evaluate
from geo_rep_tf.training.trainer import TrainerConfig
from tests.reliability.toy_task import ToyTask


def _config(model_dir, steps):
  return TrainerConfig(model_dir=str(model_dir), train_steps=steps,
                       steps_per_loop=2, checkpoint_every=2,
                       global_batch_size=8, learning_rate=1e-2,
                       image_summaries_every=0, eval_batches=1,
                       log_every_s=1e9)


class _NoData(ToyTask):
  """A task whose input pipeline must not be built."""

  def dataset(self, context, split='train'):
    raise AssertionError('a finished run built its input pipeline')


def test_trains_then_skips_a_finished_run_then_resumes(tmp_path):
  logs = []
  assert train_and_evaluate(ToyTask(), _config(tmp_path, 2), log=logs.append,
                            flags_text='--seed=0\n')
  assert checkpoints.saved_step(str(tmp_path)) == 2
  assert (tmp_path / 'flags.txt').read_text() == '--seed=0\n'
  logs.clear()
  assert not train_and_evaluate(_NoData(), _config(tmp_path, 2),
                                log=logs.append)
  assert logs == [f'{tmp_path}: already trained to step 2 '
                  '(--train_steps=2); nothing to do']
  # A larger final step resumes the run from its checkpoint.
  assert train_and_evaluate(ToyTask(), _config(tmp_path, 4),
                            log=lambda s: None)
  assert checkpoints.saved_step(str(tmp_path)) == 4


def test_model_dir_must_be_a_directory(tmp_path):
  path = tmp_path / 'file'
  path.write_text('x')
  with pytest.raises(ArgumentError, match='is a file'):
    train_and_evaluate(_NoData(), _config(path, 2), log=lambda s: None)


def test_warmup_rises_linearly_then_decays(tmp_path):
  from geo_rep_tf.training.trainer import _learning_rate
  cfg = TrainerConfig(model_dir=str(tmp_path), train_steps=110,
                      warmup_steps=10, learning_rate=1e-2)
  schedule = _learning_rate(cfg)
  lr = [float(schedule(s)) for s in (0, 5, 10, 60, 110)]
  assert lr[0] == 0.0 and abs(lr[1] - 5e-3) < 1e-6
  assert abs(lr[2] - 1e-2) < 1e-6
  assert lr[2] > lr[3] > lr[4] and abs(lr[4] - 1e-4) < 1e-6
  with pytest.raises(ArgumentError, match='warmup_steps'):
    TrainerConfig(model_dir=str(tmp_path), train_steps=10, warmup_steps=10)

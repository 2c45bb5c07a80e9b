"""The trainer: losses fall, resume, strategies, TensorBoard events."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from geo_rep_tf.runs.configs import RegressorConfig
from geo_rep_tf.training import regressor_task, representation_task
from geo_rep_tf.training.trainer import Trainer, TrainerConfig, TrainingError

RUN_TINY = os.path.join(os.path.dirname(__file__), 'run_tiny.py')


def _tiny_rep_task(protocol_dir, variant='dg', medium='map'):
  return representation_task.RepresentationTask(
      representation_task.RepresentationConfig(
          protocol_dir=protocol_dir, variant=variant, virtual_fraction=0.5,
          num_points=8, base_filters=4, depth=2, global_batch_size=16,
          medium=medium, coords_hidden=32))


def _cfg(model_dir, steps, **kw):
  kw.setdefault('steps_per_loop', 5)
  kw.setdefault('global_batch_size', 16)
  kw.setdefault('log_every_s', 0)
  return TrainerConfig(model_dir=str(model_dir), train_steps=steps, **kw)


def test_representation_loss_falls_on_real_pairs(tiny_protocol, tmp_path):
  trainer = Trainer(_tiny_rep_task(tiny_protocol),
                    _cfg(tmp_path, 30, steps_per_loop=10, learning_rate=3e-3,
                         image_summaries_every=10), log=lambda s: None)
  first = {}
  trainer.config.train_steps = 10
  first = trainer.train()
  trainer.config.train_steps = 30
  last = trainer.train()
  assert last['total'] < first['total']
  assert int(trainer.step.numpy()) == 30
  # Flags/config files and event tags a user looks for.
  assert json.load(open(tmp_path / 'config.json'))['task'] == 'representation'
  acc = event_accumulator.EventAccumulator(
      str(tmp_path / 'train'), size_guidance={'tensors': 0})
  acc.Reload()
  tags = set(acc.Tags()['tensors'])
  for tag in ('loss/total', 'loss/reconstruction', 'loss/consistency',
              'loss/reconstruction_reverse', 'learning_rate', 'examples_per_s',
              'maps/source_target_synthesized', 'latent/G_VERTEX',
              'latent/variance_share_y', 'latent/rotation_consistent_share'):
    assert tag in tags, tag
  steps = [e.step for e in acc.Tensors('loss/total')]
  assert steps == [10, 20, 30]


def test_coords_representation_draws_skeletons_in_tensorboard(tiny_protocol,
                                                              tmp_path):
  trainer = Trainer(_tiny_rep_task(tiny_protocol, medium='coords'),
                    _cfg(tmp_path, 10, steps_per_loop=10, learning_rate=3e-3,
                         image_summaries_every=10), log=lambda s: None)
  trainer.train()
  acc = event_accumulator.EventAccumulator(
      str(tmp_path / 'train'), size_guidance={'tensors': 0})
  acc.Reload()
  tags = set(acc.Tags()['tensors'])
  assert {'coords/source_target_synthesized', 'latent/G_VERTEX',
          'latent/variance_share_x', 'loss/consistency'} <= tags
  assert 'maps/source_target_synthesized' not in tags
  # One image per example: width, height, then the PNG of the three
  # skeletons side by side.
  image = acc.Tensors('coords/source_target_synthesized')[0]
  png = tf.make_ndarray(image.tensor_proto)[2]
  decoded = tf.io.decode_png(png).numpy()
  assert decoded.shape[1] > 2.5 * decoded.shape[0] and decoded.max() > 0


def test_regressor_loss_falls_and_reports_mpjpe(tiny_protocol, tmp_path):
  task = regressor_task.RegressorTask(RegressorConfig(
      protocol_dir=tiny_protocol, regressor='baseline1', num_labels=200,
      global_batch_size=32))
  quiet = lambda s: None  # pylint: disable=unnecessary-lambda-assignment
  trainer = Trainer(task, _cfg(tmp_path, 30, steps_per_loop=10,
                               global_batch_size=32, image_summaries_every=10),
                    log=quiet)
  assert task.log is quiet  # the task's progress lines go to the same log
  trainer.config.train_steps = 10
  first = trainer.train()
  trainer.config.train_steps = 30
  last = trainer.train()
  assert last['total'] < first['total']
  result = trainer.evaluate()
  assert 0 < result['mpjpe_mm'] < 1000 and result['p_mpjpe_mm'] <= (
      result['mpjpe_mm'])
  acc = event_accumulator.EventAccumulator(str(tmp_path / 'train'),
                                           size_guidance={'tensors': 0})
  acc.Reload()
  assert 'poses/predicted_vs_true' in acc.Tags()['tensors']


def _run_tiny(protocol_dir, model_dir, steps, kind='default', devices=0,
              env=None, args=()):
  proc = subprocess.run(
      [sys.executable, RUN_TINY, protocol_dir, str(model_dir), str(steps), kind,
       str(devices), *args], capture_output=True, text=True, timeout=600,
      env=dict(os.environ, **(env or {})))
  assert proc.returncode == 0, proc.stderr[-3000:]
  return json.loads(proc.stdout.strip().splitlines()[-1])


def test_resume_continues_exactly_where_it_stopped(tiny_protocol, tmp_path):
  # A constant learning rate: a cosine schedule depends on train_steps,
  # which differs between the 10-step run and the 20-step ones.
  args = ['--decay=constant']
  a = _run_tiny(tiny_protocol, tmp_path / 'a', 10, args=args)
  assert a['step'] == 10 and a['optimizer_iterations'] == 10
  b = _run_tiny(tiny_protocol, tmp_path / 'a', 20, args=args)
  assert b['step'] == 20 and b['optimizer_iterations'] == 20
  straight = _run_tiny(tiny_protocol, tmp_path / 'b', 20, args=args)
  # The checkpoint holds the data iterator too (position and shuffle
  # buffer), so with op determinism the resumed run ends bit-identical.
  assert straight['replicas'] == b['replicas']
  assert straight['losses'] == b['losses']


def test_mirrored_two_cpu_replicas_stay_identical(tiny_protocol, tmp_path):
  r = _run_tiny(tiny_protocol, tmp_path / 'm', 10, 'mirrored', 2)
  assert r['num_replicas'] == 2 and r['step'] == 10
  for values in r['replicas']:
    assert len(values) == 2
    assert values[0] == values[1]


def _free_port():
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def test_multi_worker_two_workers_on_localhost(tiny_protocol, tmp_path):
  ports = [_free_port(), _free_port()]
  cluster = {'worker': [f'127.0.0.1:{p}' for p in ports]}
  procs = []
  for i in range(2):
    env = dict(os.environ, TF_CONFIG=json.dumps(
        {'cluster': cluster, 'task': {'type': 'worker', 'index': i}}))
    procs.append(subprocess.Popen(
        [sys.executable, RUN_TINY, tiny_protocol, str(tmp_path / f'w{i}'), '10',
         'multi_worker', '0'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env))
  outs = [p.communicate(timeout=600) for p in procs]
  for p, (out, err) in zip(procs, outs):
    assert p.returncode == 0, err[-3000:]
  results = [json.loads(o.strip().splitlines()[-1]) for o, _ in outs]
  assert all(r['step'] == 10 and r['num_replicas'] == 2 for r in results)
  # Both workers hold the same weights after synchronous training.
  assert results[0]['replicas'] == results[1]['replicas']
  # Only the chief (worker 0) writes checkpoints into its model_dir.
  assert tf.train.latest_checkpoint(str(tmp_path / 'w0'))


@pytest.mark.slow
def test_small_hourglass_overfits_the_five_mpii_images(shared_data, tmp_path):
  """PCKh@0.5 > 0.9 on the 5 MPII images (128 px, 64 features, ~4 min)."""
  from geo_rep_tf.training import hourglass_task
  task = hourglass_task.HourglassTask(hourglass_task.HourglassConfig(
      annotations=str(shared_data / 'images' / 'mpii' / 'annotations.json'),
      num_stacks=2, num_features=64, depth=4, input_size=128, augment=False,
      global_batch_size=5))
  trainer = Trainer(task, _cfg(tmp_path, 450, steps_per_loop=50,
                               global_batch_size=5, learning_rate=1e-3,
                               decay='constant', image_summaries_every=0,
                               checkpoint_every=450), log=print)
  trainer.train()
  assert trainer.evaluate()['pckh@0.5'] > 0.9

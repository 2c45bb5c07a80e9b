"""Fixtures: the BlazePose models (fetched once if PyPI is reachable), a tiny
lifter run and a tiny hourglass run built in seconds."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from geo_rep_tf.inference import defaults, model_store

REPO = defaults.REPO_ROOT
SAMPLE_PHOTO = REPO / 'data' / 'samples' / '000000000785.jpg'


def _pypi_reachable() -> bool:
  cmd = [sys.executable, '-m', 'pip', 'index', 'versions', 'mediapipe',
         '--disable-pip-version-check']
  try:
    return subprocess.run(cmd, capture_output=True, timeout=60).returncode == 0
  except (OSError, subprocess.TimeoutExpired):
    return False


@pytest.fixture(scope='session')
def blazepose_models():
  """The model cache; fetched with pip on first use, else the test skips."""
  root = defaults.models_dir()
  if model_store.is_cached(root):
    return root
  if not _pypi_reachable():
    pytest.skip(f'BlazePose models not in {root} and PyPI is not reachable '
                '(run tools/fetch_models.py where it is)')
  try:
    model_store.fetch_blazepose(root, log=lambda s: None)
  except Exception as e:  # pylint: disable=broad-except
    pytest.skip(f'could not fetch the BlazePose models: {e}')
  return root


@pytest.fixture(scope='session')
def blazepose(blazepose_models):
  from geo_rep_tf.inference.blazepose import BlazePose
  return BlazePose(blazepose_models)


def _write_run(model_dir, section, cfg, model):
  import tensorflow as tf
  os.makedirs(model_dir, exist_ok=True)
  with open(os.path.join(model_dir, 'config.json'), 'w') as fh:
    json.dump({section: cfg, 'task': section}, fh)
  from geo_rep_tf.runs import model_state
  ckpt = tf.train.Checkpoint(
      model_variables=model_state.variables_by_path(model))
  manager = tf.train.CheckpointManager(ckpt, str(model_dir), max_to_keep=1)
  manager.save(checkpoint_number=1)


@pytest.fixture(scope='session')
def tiny_lifter_dir(tmp_path_factory):
  """A Baseline#1 regressor run (untrained, seeded weights): config.json +
  checkpoint, as tools/train_regressor.py writes them."""
  import tensorflow as tf
  from geo_rep_tf.runs.configs import RegressorConfig
  from geo_rep_tf.runs.loading import build_pose_lifter
  cfg = dict(protocol_dir='unused', regressor='baseline1', hidden=32)
  model_dir = tmp_path_factory.mktemp('lifter') / 'run'
  tf.keras.utils.set_random_seed(0)
  model = build_pose_lifter(RegressorConfig(**cfg))
  model(tf.random.uniform([1, 16, 2], 0, 100), training=False)
  _write_run(model_dir, 'regressor', cfg, model)
  return str(model_dir)


@pytest.fixture(scope='session')
def tiny_hourglass_dir(tmp_path_factory):
  import tensorflow as tf
  from geo_rep_tf.models.stacked_hourglass import StackedHourglass
  cfg = dict(annotations='unused', num_stacks=1, num_features=8, depth=1,
             input_size=64)
  model = StackedHourglass(num_stacks=1, num_features=8, depth=1,
                           input_size=64, name='hourglass')
  model(tf.zeros([1, 64, 64, 3]), training=False)
  model_dir = tmp_path_factory.mktemp('hourglass') / 'run'
  _write_run(model_dir, 'hourglass', cfg, model)
  return str(model_dir)


@pytest.fixture(scope='session')
def coco_photos():
  """(image dir, annotations.json) of ../shared/data/images/coco, or skip."""
  from tests.conftest import SHARED_DATA
  d = SHARED_DATA / 'images' / 'coco'
  if not (d / 'annotations.json').is_file():
    pytest.skip(f'COCO photos not found at {d}')
  return d


def fake_person(offset=0.0, score=0.9):
  from geo_rep_tf.inference.blazepose import PosePerson
  kp = np.stack([np.linspace(100, 200, 16), np.linspace(50, 300, 16)],
                -1).astype(np.float32) + offset
  return PosePerson(kp, np.full(16, 0.8, np.float32), score,
                    np.concatenate([kp.min(0), kp.max(0)]))

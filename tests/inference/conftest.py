"""Fixtures: the BlazePose models (fetched once if PyPI is reachable), a tiny
lifter run (tests.runs) and a tiny hourglass run built in seconds."""

import subprocess
import sys

import numpy as np
import pytest

from geo_rep_tf.inference import defaults, model_store
# A fixture used here too (a second session instance: a tiny run, seconds).
from tests.runs.conftest import tiny_lifter_dir, write_run  # pylint: disable=unused-import

REPO = defaults.REPO_ROOT
SAMPLE_PHOTO = REPO / 'data' / 'samples' / '000000000785.jpg'


def _pypi_reachable() -> bool:
  cmd = [sys.executable, '-m', 'pip', 'index', 'versions', 'mediapipe',
         '--disable-pip-version-check']
  try:
    return subprocess.run(cmd, capture_output=True, timeout=60).returncode == 0
  except (OSError, subprocess.TimeoutExpired):
    return False


def write_noise_video(path, frames, width=160, height=120, fps=10):
  """An MJPG AVI of `frames` frames of seeded noise; returns `path`."""
  import cv2  # pylint: disable=g-import-not-at-top
  writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), fps,
                           (width, height))
  rng = np.random.default_rng(0)
  for _ in range(frames):
    writer.write(rng.integers(0, 255, [height, width, 3], dtype=np.uint8))
  writer.release()
  return str(path)


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
  write_run(model_dir, 'hourglass', cfg, model)
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

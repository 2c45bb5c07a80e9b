"""Shared test fixtures: where the real data lives."""

import os
import pathlib

import pytest

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
os.environ.setdefault('TF_ENABLE_ONEDNN_OPTS', '1')

REPO = pathlib.Path(__file__).resolve().parents[1]


def _shared_data():
  env = os.environ.get('GEO_REP_TF_DATA')
  if env:
    return pathlib.Path(env)
  return REPO.parent / 'shared' / 'data'


SHARED_DATA = _shared_data()
SAMPLES = REPO / 'data' / 'samples'


@pytest.fixture(scope='session')
def shared_data():
  """Path of ../shared/data; skips the test when it is not there."""
  if not (SHARED_DATA / 'mocap').is_dir():
    pytest.skip(f'real data not found at {SHARED_DATA}')
  return SHARED_DATA


@pytest.fixture(scope='session')
def samples_dir():
  return SAMPLES

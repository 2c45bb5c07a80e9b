"""A tiny prepared protocol from three committed sample clips."""

import os
import shutil

import pytest

from geo_rep_tf.data import protocol

SAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', 'data', 'samples',
                      'bandai_namco', 'dataset-1')
CLIPS = ('dataset-1_walk_normal_001', 'dataset-1_run_normal_001',
         'dataset-1_walk_old_001')


@pytest.fixture(scope='session')
def tiny_protocol(tmp_path_factory):
  # tests/reliability re-exports this fixture, which gives it a second
  # session-scoped instance; both find the one protocol under basetemp.
  root = tmp_path_factory.getbasetemp() / 'tiny_protocol'
  out = root / 'protocol'
  if not (out / protocol.MANIFEST).is_file():
    clips = root / 'clips'
    clips.mkdir(parents=True, exist_ok=True)
    for c in CLIPS:
      shutil.copy(os.path.join(SAMPLE, c + '.bvh'), clips)
    protocol.build_protocol(str(clips), str(out),
                            protocol.ProtocolConfig(num_workers=1))
  return str(out)

"""Warm start of a representation run from another one (--init_from)."""

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError, DataError
from tests.training.conftest import train_tiny_representation


def _same(a, b):
  return all(np.array_equal(x, y) for x, y in zip(a.get_weights(),
                                                  b.get_weights()))


def test_dg_starts_from_a_one_direction_run(tiny_protocol, tmp_path):
  source = train_tiny_representation(tiny_protocol, tmp_path / 'sg')
  sg = str(tmp_path / 'sg')
  trainer = train_tiny_representation(tiny_protocol, tmp_path / 'dg', 'dg',
                                      steps=0, init_from=sg)
  model, origin = trainer.model, source.model
  # Both directions start from the trained phi/psi (batch-norm statistics
  # included), not from a fresh initialisation.
  for name, source_name in (('phi', 'phi'), ('psi', 'psi'), ('mu', 'phi'),
                            ('nu', 'psi')):
    assert _same(getattr(model, name), getattr(origin, source_name)), name
  fresh = train_tiny_representation(tiny_protocol, tmp_path / 'fresh', 'dg',
                                    steps=0)
  assert not _same(model.phi, fresh.model.phi)
  # The warm-started run trains and resumes from its own checkpoint.
  trainer.train()
  again = train_tiny_representation(tiny_protocol, tmp_path / 'dg', 'dg',
                                    steps=0, init_from=sg)
  assert int(again.step.numpy()) == 2
  assert _same(again.model.mu, trainer.model.mu)
  assert not _same(again.model.mu, origin.phi)


def test_init_from_of_another_size_or_no_run_is_a_clear_error(tiny_protocol,
                                                               tmp_path):
  train_tiny_representation(tiny_protocol, tmp_path / 'sg')
  with pytest.raises(ArgumentError, match='init_from run'):
    train_tiny_representation(tiny_protocol, tmp_path / 'big', 'dg', steps=0,
                              base_filters=8, init_from=str(tmp_path / 'sg'))
  with pytest.raises(DataError, match='config.json missing'):
    train_tiny_representation(tiny_protocol, tmp_path / 'x', 'dg', steps=0,
                              init_from=str(tmp_path / 'nothing'))

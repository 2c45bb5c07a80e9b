"""Warm start of a representation run from another one (--init_from)."""

import dataclasses

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.training import representation_task as rt
from geo_rep_tf.training.trainer import Trainer, TrainerConfig

TINY = dict(num_points=8, base_filters=4, depth=2, global_batch_size=16,
            virtual_fraction=0.5)


def _trainer(protocol_dir, model_dir, variant, steps, **kw):
  config = rt.RepresentationConfig(protocol_dir=protocol_dir, variant=variant,
                                   **{**TINY, **kw})
  return Trainer(rt.RepresentationTask(config),
                 TrainerConfig(model_dir=str(model_dir), train_steps=steps,
                               steps_per_loop=2, global_batch_size=16,
                               log_every_s=0, image_summaries_every=0),
                 log=lambda s: None,
                 extra_config=dict(representation=dataclasses.asdict(config)))


def _same(a, b):
  return all(np.array_equal(x, y) for x, y in zip(a.get_weights(),
                                                  b.get_weights()))


def test_dg_starts_from_a_one_direction_run(tiny_protocol, tmp_path):
  source = _trainer(tiny_protocol, tmp_path / 'sg', 'sg', 2)
  source.train()
  trainer = _trainer(tiny_protocol, tmp_path / 'dg', 'dg', 2,
                     init_from=str(tmp_path / 'sg'))
  model, origin = trainer.model, source.model
  # Both directions start from the trained phi/psi (batch-norm statistics
  # included), not from a fresh initialisation.
  for name, source_name in (('phi', 'phi'), ('psi', 'psi'), ('mu', 'phi'),
                            ('nu', 'psi')):
    assert _same(getattr(model, name), getattr(origin, source_name)), name
  assert not _same(model.phi, _trainer(tiny_protocol, tmp_path / 'fresh',
                                       'dg', 2).model.phi)
  # The warm-started run trains and resumes from its own checkpoint.
  trainer.train()
  again = _trainer(tiny_protocol, tmp_path / 'dg', 'dg', 4,
                   init_from=str(tmp_path / 'sg'))
  assert int(again.step.numpy()) == 2
  assert _same(again.model.mu, trainer.model.mu)
  assert not _same(again.model.mu, origin.phi)


def test_init_from_of_another_size_or_no_run_is_a_clear_error(tiny_protocol,
                                                               tmp_path):
  _trainer(tiny_protocol, tmp_path / 'sg', 'sg', 2).train()
  with pytest.raises(ArgumentError, match='init_from run'):
    _trainer(tiny_protocol, tmp_path / 'big', 'dg', 2, base_filters=8,
             init_from=str(tmp_path / 'sg'))
  with pytest.raises(DataError, match='config.json missing'):
    _trainer(tiny_protocol, tmp_path / 'x', 'dg', 2,
             init_from=str(tmp_path / 'nothing'))

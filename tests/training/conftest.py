"""A tiny prepared protocol from three committed sample clips."""

import os
import shutil

import pytest

from geo_rep_tf.data import manifest, protocol

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
  if not (out / manifest.MANIFEST).is_file():
    clips = root / 'clips'
    clips.mkdir(parents=True, exist_ok=True)
    for c in CLIPS:
      shutil.copy(os.path.join(SAMPLE, c + '.bvh'), clips)
    protocol.build_protocol(str(clips), str(out),
                            protocol.ProtocolConfig(num_workers=1))
  return str(out)


def train_tiny_representation(protocol_dir, model_dir, variant='sg', steps=2,
                              **config):
  """A tiny representation Trainer (config.json written as the tool does);
  `steps` > 0 trains it that far, 0 only builds it (train_steps 2).
  Returns the trainer."""
  import dataclasses
  from geo_rep_tf.training import representation_task as rt
  from geo_rep_tf.training.trainer import Trainer, TrainerConfig
  kw = dict(num_points=8, base_filters=4, depth=2, global_batch_size=16,
            virtual_fraction=0.5)
  kw.update(config)
  rep = rt.RepresentationConfig(protocol_dir=protocol_dir, variant=variant,
                                **kw)
  trainer = Trainer(rt.RepresentationTask(rep),
                    TrainerConfig(model_dir=str(model_dir),
                                  train_steps=steps or 2,
                                  steps_per_loop=2, global_batch_size=16,
                                  log_every_s=0, image_summaries_every=0),
                    log=lambda s: None,
                    extra_config=dict(representation=dataclasses.asdict(rep)))
  if steps:
    trainer.train()
  return trainer

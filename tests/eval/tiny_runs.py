"""Tiny prepared protocol and trained runs shared by the eval/tools tests.

Built once per test process (cached here, so that test modules without a
shared conftest reuse them): a protocol of three committed sample clips (two
train, one test), tiny representation runs and tiny regressor runs, each
trained in-process for a few steps and laid out exactly like the binaries'
runs (config.json + checkpoint), so `load_regressor_run` and the tools read
them.
"""

import dataclasses
import os
import shutil

from geo_rep_tf import variants
from geo_rep_tf.data import protocol

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SAMPLE = os.path.join(REPO, 'data', 'samples', 'bandai_namco', 'dataset-1')
CLIPS = ('dataset-1_walk_normal_001', 'dataset-1_run_normal_001',
         'dataset-1_walk_old_001')
_CACHE = {}


def copy_clips(directory, clips=CLIPS):
  os.makedirs(directory, exist_ok=True)
  for c in clips:
    shutil.copy(os.path.join(SAMPLE, c + '.bvh'), directory)
  return str(directory)


def tiny_protocol(tmp_path_factory):
  if 'protocol' not in _CACHE:
    clips = copy_clips(tmp_path_factory.mktemp('tiny_clips'))
    out = str(tmp_path_factory.mktemp('tiny_protocol') / 'protocol')
    protocol.build_protocol(clips, out, protocol.ProtocolConfig(num_workers=1))
    _CACHE['protocol'] = out
  return _CACHE['protocol']


def _trainer_config(model_dir, steps, batch):
  from geo_rep_tf.training.trainer import TrainerConfig
  return TrainerConfig(model_dir=model_dir, train_steps=steps,
                       steps_per_loop=steps, checkpoint_every=steps,
                       global_batch_size=batch, image_summaries_every=0,
                       eval_batches=1, log_every_s=1e9,
                       checkpoint_data=False)


def train_representation(model_dir, protocol_dir, variant='BL+DG+AUG',
                         cameras=(0, 1, 2, 3), steps=4, medium='map'):
  """A tiny representation run (8 points; maps: 4 filters, depth 2;
  coords: 32-wide MLPs)."""
  from geo_rep_tf.training import representation_task as rt
  from geo_rep_tf.training.trainer import Trainer
  chosen = variants.get(variant)
  cfg = rt.RepresentationConfig(
      protocol_dir=protocol_dir, variant=chosen.model_variant,
      virtual_fraction=chosen.virtual_fraction, num_points=8, base_filters=4,
      depth=2, medium=medium, coords_hidden=32, camera_indices=tuple(cameras), global_batch_size=8)
  Trainer(rt.RepresentationTask(cfg), _trainer_config(model_dir, steps, 8),
          extra_config=dict(representation=dataclasses.asdict(cfg),
                            variant=variant), log=lambda s: None).train()
  return model_dir


def train_regressor(model_dir, protocol_dir, regressor='baseline1',
                    representation_dir=None, num_labels=0,
                    cameras=(0, 1, 2, 3), steps=4, latent_encoders='phi'):
  """A tiny regressor run (width 32)."""
  from geo_rep_tf.runs.configs import RegressorConfig
  from geo_rep_tf.training import regressor_task as rt
  from geo_rep_tf.training.trainer import Trainer
  cfg = RegressorConfig(
      protocol_dir=protocol_dir, regressor=regressor, num_labels=num_labels,
      representation_dir=representation_dir, hidden=32,
      camera_indices=tuple(cameras), global_batch_size=16,
      latent_encoders=latent_encoders)
  Trainer(rt.RegressorTask(cfg), _trainer_config(model_dir, steps, 16),
          extra_config=dict(regressor=dataclasses.asdict(cfg)),
          log=lambda s: None).train()
  return model_dir


def cached_run(tmp_path_factory, key, fn, **kwargs):
  """fn(model_dir, tiny_protocol, **kwargs), trained once per process."""
  if key not in _CACHE:
    model_dir = str(tmp_path_factory.mktemp('tiny_runs') / key)
    _CACHE[key] = fn(model_dir, tiny_protocol(tmp_path_factory), **kwargs)
  return _CACHE[key]


def representation(tmp_path_factory, variant='BL+DG+AUG', medium='map'):
  key = 'rep_' + variant.replace('+', '_') + ('' if medium == 'map' else
                                              '_' + medium)
  return cached_run(tmp_path_factory, key, train_representation,
                    variant=variant, medium=medium)


def regressor(tmp_path_factory, regressor_type='baseline1', variant=None,
              cameras=(0, 1, 2, 3), medium='map'):
  rep = (representation(tmp_path_factory, variant, medium) if variant
         else None)
  key = f'reg_{regressor_type}_{variant}_{"".join(map(str, cameras))}'
  key += '' if medium == 'map' else '_' + medium
  return cached_run(tmp_path_factory, key, train_regressor,
                    regressor=regressor_type, representation_dir=rep,
                    cameras=cameras)

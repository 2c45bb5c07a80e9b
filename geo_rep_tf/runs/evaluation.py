"""Evaluating a trained regressor run, sharing the G of its representation.

`evaluate_run` tests a loaded run under the protocol its cameras imply
(`eval.evaluator`), on exact and/or noisy 2D, and records what the run was
trained on (`run_description`). Runs on G encode each evaluated sample set
once between them through a `LatentCache`. `evaluate_loaded_lifter` tests any
`runs.lifter.Lifter` (an export, a SavedModel, a .tflite file), whose
training is unknown, on all (or the given) cameras of a protocol.
"""

from __future__ import annotations

import os
from typing import Dict, Optional, Sequence

import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval import evaluator
from geo_rep_tf.runs.files import read_config
from geo_rep_tf.runs.latent_cache import LatentCache
from geo_rep_tf.utils.files import checkout_relative


def display_name(path: str) -> str:
  """A lifter's name in tables: its folder, with the parent for the packed
  layout's generic `lifter` (models/pretrained/lifter -> pretrained/lifter)."""
  path = os.path.normpath(path)
  name = os.path.basename(path)
  if name == 'lifter' and os.path.basename(os.path.dirname(path)):
    return f'{os.path.basename(os.path.dirname(path))}/{name}'
  return name


def _check_inputs(inputs: Sequence[str]) -> None:
  for name in inputs:
    if name not in evaluator.INPUTS:
      raise ArgumentError(
          f'inputs must be among {evaluator.INPUTS}, got {name!r}')


def run_description(model_dir: str, config) -> Dict:
  """What a regressor run was trained on (for result records).

  Args:
    model_dir: the regressor run.
    config: its `RegressorConfig`.

  Returns:
    dict: name, model_dir, regressor, num_labels, label_seed, noisy_2d
    (training input), train_cameras, and for runs on G
    representation_dir, representation_variant, representation_cameras.
  """
  out = dict(name=display_name(model_dir),
             model_dir=model_dir, regressor=config.regressor,
             num_labels=config.num_labels, label_seed=config.label_seed,
             train_noisy_2d=config.noisy_2d,
             train_cameras=list(config.camera_indices),
             protocol_dir=config.protocol_dir)
  if config.representation_dir:
    rep = read_config(config.representation_dir)
    rep_cfg = rep.get('representation', {})
    out.update(representation_dir=checkout_relative(
        config.representation_dir),
               representation_variant=rep.get('variant',
                                               rep_cfg.get('variant')),
               representation_cameras=rep_cfg.get('camera_indices'))
  return out


def evaluate_run(model, config, model_dir: str,
                 inputs: Sequence[str] = ('exact',),
                 cameras: Optional[Sequence[int]] = None,
                 split: str = 'test', limit: Optional[int] = None,
                 batch_size: int = 1024,
                 latent_cache: Optional[LatentCache] = None,
                 latent_dir: Optional[str] = None) -> Dict:
  """Evaluates a loaded regressor run on exact and/or noisy 2D.

  Args:
    model: the run's PoseLifter, loaded (`load_regressor_run`).
    config: its `RegressorConfig`; `config.protocol_dir` is evaluated.
    model_dir: the run's directory (recorded).
    inputs: any of 'exact', 'noisy'.
    cameras: cameras tested (None: `evaluator.test_cameras_for` the run's
      cameras).
    split: 'test' or 'train'.
    limit: evaluate the first N samples only (None: all).
    batch_size: samples per prediction call.
    latent_cache: reuse G across runs on the same representation (None:
      encode inline).
    latent_dir: with `latent_cache`, also keep G on disk there, for later
      processes (`latent_cache.latent_cache_dir` of the run's config).

  Returns:
    `run_description` plus split, test_cameras, protocol ('#1/#2', '#3' or
    'custom') and results: {input: summary}.
  """
  _check_inputs(inputs)
  test_cams = (evaluator.check_cameras(cameras) if cameras is not None
               else evaluator.test_cameras_for(config.camera_indices))
  kp_spec = tf.TensorSpec([None, 16, 2], tf.float32)
  predict = tf.function(lambda kp: model(kp, training=False)['pose_3d_mm'],
                        input_signature=[kp_spec])
  fingerprint = (latent_cache.fingerprint(model) if latent_cache is not None
                 else None)
  if fingerprint:
    # A miss predicts and keeps G in one pass; a hit feeds the kept G.
    @tf.function(input_signature=[kp_spec])
    def predict_keep(kp):
      out = model(kp, training=False)
      return out['pose_3d_mm'], out['latent']

    predict_cached = tf.function(
        lambda kp, g: model({'keypoints_2d_px': kp, 'latent': g},
                            training=False)['pose_3d_mm'],
        input_signature=[kp_spec, tf.TensorSpec([None, None, 3], tf.float32)])
  record = run_description(model_dir, config)
  record.update(split=split, test_cameras=list(test_cams),
                protocol=evaluator.protocol_names(config.camera_indices,
                                                   test_cams),
                results={})
  for name in inputs:
    noisy = name == 'noisy'
    fn, extra, parts, key = predict, {}, None, None
    if fingerprint:
      key = latent_cache.key(fingerprint, config.protocol_dir, split,
                             test_cams, noisy, limit)
      latents = latent_cache.get(key, latent_dir)
      if latents is not None:
        fn, extra = predict_cached, dict(latents=latents)
      else:
        parts = []
        fn, extra = predict_keep, dict(latent_out=parts)
    record['results'][name] = evaluator.evaluate_lifter(
        fn, config.protocol_dir, split, test_cams, noisy,
        batch_size=batch_size, limit=limit, **extra)
    if parts is not None:
      latent_cache.put(key, parts, latent_dir)
  return record


def evaluate_loaded_lifter(lifter, protocol_dir: str,
                           inputs: Sequence[str] = ('exact',),
                           cameras: Optional[Sequence[int]] = None,
                           split: str = 'test', limit: Optional[int] = None,
                           batch_size: int = 1024) -> Dict:
  """Evaluates any loaded lifter on a protocol's exact and/or noisy 2D.

  Args:
    lifter: a `runs.lifter.Lifter` ([N, 16, 2] px -> root-relative [N, 16,
      3] mm), e.g. of an export directory or a .tflite file.
    protocol_dir: prepared protocol.
    inputs: any of 'exact', 'noisy'.
    cameras: cameras tested (None: all four; what the lifter was trained
      on is not known, so no protocol number is claimed).
    split, limit, batch_size: as `evaluate_run`.

  Returns:
    A record shaped like `evaluate_run`'s (regressor 'export:<backend>',
    unknown training fields None, protocol '-').
  """
  _check_inputs(inputs)
  test_cams = (evaluator.check_cameras(cameras) if cameras is not None
               else evaluator.ALL_CAMERAS)
  path = os.path.normpath(lifter.path)
  record = dict(name=display_name(path), model_dir=path,
                regressor=f'export:{lifter.backend}', num_labels=None,
                label_seed=None, train_noisy_2d=None, train_cameras=None,
                protocol_dir=protocol_dir, split=split,
                test_cameras=list(test_cams), protocol='-', results={})
  for name in inputs:
    record['results'][name] = evaluator.evaluate_lifter(
        lambda kp: lifter(kp.numpy()), protocol_dir, split, test_cams,
        name == 'noisy', batch_size=batch_size, limit=limit)
  return record

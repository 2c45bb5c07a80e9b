"""Writes a lifter as a SavedModel and TFLite files, verified, atomically.

Layout of an export directory:
  saved_model/                 TensorFlow Serving-loadable, signatures in
                               `serving.py`
  lifter_fp32.tflite           2D px -> skeleton map -> phi -> regressor,
  lifter_fp16.tflite           one graph, builtin ops only (signature
  lifter_int8.tflite           `keypoints_to_pose3d`)
  export.json                  what was exported: signatures, joint order,
                               units, confidence threshold, map drawing
  verification.json            `verify.verify_export`'s report

Everything is written into a hidden temporary directory beside the target,
verified there, and renamed into place only when every check passed; a
failed verification leaves `OUT.rejected` for inspection and raises.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from typing import Dict, Iterable, Optional

import keras
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError, GeoRepError
from geo_rep_tf.export import layout, serving, verify
from geo_rep_tf.geometry import joints
from geo_rep_tf.runs.lifter import DEFAULT_CONFIDENCE_THRESHOLD
from geo_rep_tf.utils.files import write_json

PRECISIONS = ('fp32', 'fp16', 'int8')


class ExportError(GeoRepError):
  """The converter failed or the written export did not pass verification."""


def convert_tflite(saved_model_dir: str, precision: str = 'fp32') -> bytes:
  """The `keypoints_to_pose3d` signature as a TFLite flatbuffer.

  Args:
    saved_model_dir: written by `save_saved_model`.
    precision: 'fp32'; 'fp16' (weights stored as float16); 'int8'
      (dynamic-range quantisation: int8 weights, float activations
      quantised on the fly; no calibration data needed).

  Returns:
    The model bytes. Only TFLite builtin ops are allowed (no Flex/SELECT_TF
    ops), so the file runs with the plain LiteRT runtime.
  """
  if precision not in PRECISIONS:
    raise ArgumentError(f'precision must be one of {PRECISIONS}, got '
                        f'{precision!r}')
  converter = tf.lite.TFLiteConverter.from_saved_model(
      saved_model_dir, signature_keys=[serving.KEYPOINTS_TO_POSE3D])
  converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
  if precision in ('fp16', 'int8'):
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
  if precision == 'fp16':
    converter.target_spec.supported_types = [tf.float16]
  try:
    return converter.convert()
  except Exception as e:  # The converter raises several private types.
    message = ' '.join(str(e).split())[:1000]
    raise ExportError(f'TFLite conversion ({precision}) failed: '
                      f'{message}') from e


def save_saved_model(module: serving.ServingModule, path: str) -> None:
  """tf.saved_model.save with every signature of `module`."""
  tf.saved_model.save(module, path, signatures=module.signatures())


def _spec(spec_shape, dtype='float32'):
  return dict(shape=[-1 if d is None else d for d in spec_shape], dtype=dtype)


def describe(module: serving.ServingModule, precisions: Iterable[str],
             metadata: Optional[Dict] = None) -> Dict:
  """export.json: what the export holds and how to feed it."""
  lifter = module.lifter
  rep = module.representation
  sigs = {
      serving.KEYPOINTS_TO_POSE3D: dict(
          inputs={'keypoints_2d_px': _spec([None, 16, 2])},
          outputs={'pose_3d_mm': _spec([None, 16, 3])}),
      serving.WITH_CONFIDENCE: dict(
          inputs={'keypoints_2d_px': _spec([None, 16, 2]),
                  'confidence': _spec([None, 16])},
          outputs={'pose_3d_mm': _spec([None, 16, 3]),
                   'joint_confident': _spec([None, 16], 'bool'),
                   'pose_confident': _spec([None], 'bool')}),
  }
  if rep is not None and rep.medium == 'coords':
    sigs[serving.KEYPOINTS_TO_LATENT] = dict(
        inputs={'keypoints_2d_px': _spec([None, 16, 2])},
        outputs={'latent': _spec([None, rep.num_points, 3])})
  elif rep is not None:
    s = rep.map_size
    sigs[serving.MAP_TO_LATENT] = dict(
        inputs={'skeleton_maps': _spec([None, s, s, joints.NUM_BONES])},
        outputs={'latent': _spec([None, rep.num_points, 3])})
  if module.hourglass is not None:
    s = module.hourglass.input_size
    h = module.hourglass.heatmap_size
    sigs[serving.IMAGE_TO_POSE3D] = dict(
        inputs={'image': _spec([None, s, s, 3])},
        outputs={'heatmaps': _spec([None, h, h, 16]),
                 'keypoints_2d_px': _spec([None, 16, 2]),
                 'confidence': _spec([None, 16]),
                 'pose_3d_mm': _spec([None, 16, 3]),
                 'joint_confident': _spec([None, 16], 'bool'),
                 'pose_confident': _spec([None], 'bool')})
  return dict(
      format_version=1,
      signatures=sigs, serving_default=serving.KEYPOINTS_TO_POSE3D,
      tflite={p: f'lifter_{p}.tflite' for p in precisions},
      joints=list(joints.MODEL16.names), parents=list(joints.MODEL16.parents),
      units=dict(keypoints_2d_px='image pixels (x, y)',
                 pose_3d_mm='mm, root-relative (pelvis at 0), camera frame '
                 '(x right, y down, z forward)',
                 image='float32 RGB in [0, 1], one person crop'),
      confidence_threshold=module.confidence_threshold,
      confidence_semantics='flags only: the pose never depends on it',
      regressor_type=getattr(lifter, 'regressor_type', None),
      map_margin=getattr(lifter, 'map_margin', None),
      medium=None if rep is None else rep.medium,
      map_size=None if rep is None or rep.medium != 'map' else rep.map_size,
      map_sigma=None if rep is None or rep.medium != 'map' else rep.map_sigma,
      num_points=None if rep is None else rep.num_points,
      latent_encoders=None if rep is None else rep.latent_encoders,
      tensorflow=tf.__version__, keras=keras.__version__,
      **(metadata or {}))


def _remove(path: str) -> None:
  if os.path.isdir(path) and not os.path.islink(path):
    shutil.rmtree(path)
  elif os.path.lexists(path):
    os.remove(path)


def export_lifter(lifter: keras.Model, out_dir: str, *,
                  hourglass: Optional[keras.Model] = None,
                  precisions: Iterable[str] = PRECISIONS,
                  confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
                  overwrite: bool = False, num_check: int = 64,
                  seed: int = 0,
                  tolerances: Optional[Dict[str, verify.Tolerance]] = None,
                  metadata: Optional[Dict] = None,
                  log=None) -> Dict:
  """Exports, verifies and atomically publishes a lifter.

  Args:
    lifter: a built `PoseLifter` (weights loaded).
    out_dir: the export directory to create (layout in the module doc).
    hourglass: optional built `StackedHourglass` for `image_to_pose3d`.
    precisions: TFLite files to write, a subset of `PRECISIONS` (may be
      empty: SavedModel only).
    confidence_threshold: see `serving.ServingModule`.
    overwrite: replace an existing `out_dir` (only after the new export
      passed verification, and only an earlier export: see
      `layout.check_out_dir`).
    num_check: keypoint examples in the verification.
    seed: of the verification inputs.
    tolerances: overrides of `verify.TOLERANCES`.
    metadata: extra JSON-able fields for export.json (e.g. the source run).
    log: callable(str) for progress lines, or None.

  Returns:
    The verification report (also in OUT/verification.json), with
    'timings_s' added.

  Raises:
    ArgumentError: bad arguments, or `out_dir` exists and is not an
      earlier export replaced with `overwrite`.
    ExportError: conversion failed or the export did not verify.
  """
  log = log or (lambda _: None)
  precisions = tuple(precisions)
  for p in precisions:
    if p not in PRECISIONS:
      raise ArgumentError(f'precision must be in {PRECISIONS}, got {p!r}')
  out_dir = os.path.abspath(out_dir)
  layout.check_out_dir(out_dir, overwrite, flag='out_dir')
  parent = os.path.dirname(out_dir)
  os.makedirs(parent, exist_ok=True)
  module = serving.ServingModule(lifter, hourglass, confidence_threshold)
  tmp = tempfile.mkdtemp(prefix='.' + os.path.basename(out_dir) + '.',
                         suffix='.tmp', dir=parent)
  umask = os.umask(0)
  os.umask(umask)
  os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would survive the rename.
  timings = {}
  try:
    t = time.perf_counter()
    save_saved_model(module, os.path.join(tmp, 'saved_model'))
    timings['saved_model'] = time.perf_counter() - t
    log(f'saved_model: {timings["saved_model"]:.1f} s')
    for p in precisions:
      t = time.perf_counter()
      data = convert_tflite(os.path.join(tmp, 'saved_model'), p)
      with open(os.path.join(tmp, f'lifter_{p}.tflite'), 'wb') as fh:
        fh.write(data)
      timings[f'tflite_{p}'] = time.perf_counter() - t
      log(f'lifter_{p}.tflite: {len(data)} bytes, '
          f'{timings[f"tflite_{p}"]:.1f} s')
    write_json(os.path.join(tmp, 'export.json'),
               describe(module, precisions, metadata))
    t = time.perf_counter()
    report = verify.verify_export(tmp, module, num=num_check, seed=seed,
                                  tolerances=tolerances)
    timings['verify'] = time.perf_counter() - t
    report['timings_s'] = {k: round(v, 2) for k, v in timings.items()}
    write_json(os.path.join(tmp, 'verification.json'), report)
    log(f'verification: {"ok" if report["ok"] else "FAILED"} '
        f'({timings["verify"]:.1f} s)')
  except BaseException:
    with contextlib.suppress(OSError):
      shutil.rmtree(tmp)
    raise
  if not report['ok']:
    rejected = out_dir + '.rejected'
    _remove(rejected)
    os.replace(tmp, rejected)
    raise ExportError(f'{out_dir}: the export did not pass verification; '
                      f'see {rejected}/verification.json')
  if os.path.lexists(out_dir):
    old = tempfile.mkdtemp(prefix='.' + os.path.basename(out_dir) + '.',
                           suffix='.old', dir=parent)
    os.replace(out_dir, os.path.join(old, 'x'))
    os.replace(tmp, out_dir)
    shutil.rmtree(old)
  else:
    os.replace(tmp, out_dir)
  return report

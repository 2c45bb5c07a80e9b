"""Checks a written export against the Keras model it came from.

Every export is checked before it is moved into place:
1. `saved_model_cli show --dir D --all` (a separate program) must list every
   signature;
2. a fresh Python process (`reload_check`) loads the SavedModel and every
   TFLite file (LiteRT interpreter) and runs them on the same inputs;
3. their outputs are compared with the Keras model run eagerly in this
   process, within the tolerances below.

Tolerances (on pose_3d_mm, mm; other float outputs of the SavedModel use
`SAVEDMODEL_RTOL` / `SAVEDMODEL_ATOL` in their own units, flags must match):
- SavedModel: the same TF kernels run the same graph: <= 0.01 mm.
- TFLite float32: other kernels (XNNPACK) and fused ops change float
  rounding; a keypoint right on a pixel border can light a different map
  pixel, so an example may move by more than rounding: max <= 0.5 mm,
  mean <= 0.01 mm.
- TFLite float16 (weights stored as fp16, dequantised to fp32 on CPU):
  max <= 5 mm, mean <= 0.5 mm.
- TFLite dynamic-range int8 (int8 weights, activations quantised on the
  fly): max <= 40 mm, mean <= 5 mm: under the model's own error (tens of
  mm MPJPE) but not negligible.
Measured (max / mean, 64 poses): the main job's Regression#1 run
(work_dirs/main/regression1, loaded before the by-path checkpoints of
model_state, so its encoder may have been at initial weights): fp32
0.0007 / 0.00004 mm, fp16 0.92 / 0.046 mm, int8 1.6 / 0.17 mm; a
random-weight Regression#2+G on soft maps (the
slow test): fp32 0.0005 / 0.0001, fp16 0.52 / 0.11, int8 16 / 3.5 mm (the
residual MLP's activations quantise worse). fp32 and fp16 keep about 10x of
margin; int8 about 2x on the worst model seen.
The measured values are in every report, so a user can see the margin.

The inputs are synthetic but realistic: a standing template skeleton with
seeded joint noise, turned to a random yaw and pitch and projected by a
pinhole camera 3.5-5.5 m away into a 1000 x 1000 image.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from typing import Dict, Optional

import numpy as np

from geo_rep_tf.export import serving

SAVEDMODEL_RTOL = 1e-5
SAVEDMODEL_ATOL = 1e-3


@dataclasses.dataclass(frozen=True)
class Tolerance:
  """Allowed pose_3d_mm differences to the Keras model (mm)."""
  max_abs_mm: float
  mean_abs_mm: float


TOLERANCES = {
    'savedmodel': Tolerance(max_abs_mm=0.01, mean_abs_mm=0.001),
    'fp32': Tolerance(max_abs_mm=0.5, mean_abs_mm=0.01),
    'fp16': Tolerance(max_abs_mm=5.0, mean_abs_mm=0.5),
    'int8': Tolerance(max_abs_mm=40.0, mean_abs_mm=5.0),
}

# A standing person, body frame (x: the person's left, y: up, z: forward),
# mm, pelvis at the origin, model joint order.
_TEMPLATE_MM = np.array([
    [0, 0, 0], [-130, 0, 0], [-130, -440, 30], [-130, -880, 0],
    [130, 0, 0], [130, -440, 30], [130, -880, 0], [0, 230, 0],
    [0, 480, 0], [0, 680, 20], [170, 450, 0], [190, 180, 40],
    [200, -70, 80], [-170, 450, 0], [-190, 180, 40], [-200, -70, 80]],
                        np.float64)


def synthetic_keypoints(num: int, seed: int = 0) -> np.ndarray:
  """[num, 16, 2] float32 pixel keypoints of plausible people (see module)."""
  rng = np.random.RandomState(seed)
  pose = _TEMPLATE_MM[None] + rng.normal(0, 60, (num, 16, 3))
  pose[:, 0] = 0.0
  yaw = rng.uniform(-np.pi, np.pi, num)
  pitch = rng.uniform(-0.3, 0.3, num)
  cy, sy, cp, sp = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch)
  zero, one = np.zeros(num), np.ones(num)
  r_yaw = np.stack([np.stack([cy, zero, sy], -1), np.stack([zero, one, zero],
                                                           -1),
                    np.stack([-sy, zero, cy], -1)], -2)
  r_pitch = np.stack([np.stack([one, zero, zero], -1),
                      np.stack([zero, cp, -sp], -1),
                      np.stack([zero, sp, cp], -1)], -2)
  pose = np.einsum('nij,nkj->nki', r_pitch @ r_yaw, pose)
  # Body y up -> camera y down; the person 3.5-5.5 m in front.
  pose[..., 1] *= -1.0
  offset = np.stack([rng.uniform(-300, 300, num), rng.uniform(-200, 200, num),
                     rng.uniform(3500, 5500, num)], -1)
  cam = pose + offset[:, None]
  keypoints = 1000.0 * cam[..., :2] / cam[..., 2:] + 500.0
  return keypoints.astype(np.float32)


def reference_inputs(module: serving.ServingModule, num: int = 64,
                     num_images: int = 2, seed: int = 0
                     ) -> Dict[str, Dict[str, np.ndarray]]:
  """Inputs of every signature of `module` (signature -> name -> array)."""
  rng = np.random.RandomState(seed + 1)
  keypoints = synthetic_keypoints(num, seed)
  inputs = {
      serving.KEYPOINTS_TO_POSE3D: {'keypoints_2d_px': keypoints},
      serving.WITH_CONFIDENCE: {
          'keypoints_2d_px': keypoints,
          'confidence': rng.uniform(0, 1, (num, 16)).astype(np.float32)},
  }
  rep = module.representation
  if rep is not None and rep.medium == 'coords':
    inputs[serving.KEYPOINTS_TO_LATENT] = {'keypoints_2d_px': keypoints[:8]}
  elif rep is not None:
    from geo_rep_tf.geometry import skeleton_maps
    maps = skeleton_maps.skeleton_maps(keypoints[:8], size=rep.map_size,
                                       sigma=rep.map_sigma)
    inputs[serving.MAP_TO_LATENT] = {'skeleton_maps': maps.numpy()}
  if module.hourglass is not None:
    size = module.hourglass.input_size
    inputs[serving.IMAGE_TO_POSE3D] = {'image': rng.uniform(
        0, 1, (num_images, size, size, 3)).astype(np.float32)}
  return inputs


def start_saved_model_cli(saved_model_dir: str) -> subprocess.Popen:
  """Starts `saved_model_cli show --dir D --all` (runs beside the reload)."""
  cli = os.path.join(os.path.dirname(sys.executable), 'saved_model_cli')
  cmd = ([cli] if os.path.exists(cli) else
         [sys.executable, '-m', 'tensorflow.python.tools.saved_model_cli'])
  return subprocess.Popen(cmd + ['show', '--dir', saved_model_dir, '--all'],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2'))


def saved_model_cli_signatures(proc: subprocess.Popen) -> Dict:
  """Waits for `start_saved_model_cli`; the signature names it listed."""
  try:
    stdout, stderr = proc.communicate(timeout=600)
  except subprocess.TimeoutExpired:
    proc.kill()
    stdout, stderr = proc.communicate()
  names = []
  for line in stdout.splitlines():
    line = line.strip()
    if line.startswith("signature_def['"):
      names.append(line.split("'")[1])
  return dict(returncode=proc.returncode, signatures=sorted(names),
              stderr_tail=stderr[-500:] if proc.returncode else '')


def reload_in_fresh_process(export_dir: str, inputs) -> tuple:
  """Runs `reload_check` in a subprocess; returns (outputs, info)."""
  with tempfile.TemporaryDirectory() as tmp:
    in_path = os.path.join(tmp, 'inputs.npz')
    out_path = os.path.join(tmp, 'outputs.npz')
    np.savez(in_path, **{f'{sig}/{name}': value
                         for sig, feeds in inputs.items()
                         for name, value in feeds.items()})
    proc = subprocess.run(
        [sys.executable, '-m', 'geo_rep_tf.export.reload_check', export_dir,
         in_path, out_path], capture_output=True, text=True, timeout=600,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2'))
    if proc.returncode != 0:
      return None, dict(error=proc.stderr[-2000:])
    with np.load(out_path) as npz:
      outputs = {k: npz[k] for k in npz.files}
  info = json.loads(proc.stdout.strip().splitlines()[-1])
  return outputs, info


def _pose_diff(got, want, tol: Tolerance) -> Dict:
  diff = np.abs(np.asarray(got, np.float64) - np.asarray(want, np.float64))
  result = dict(max_abs_diff_mm=float(diff.max()),
                mean_abs_diff_mm=float(diff.mean()),
                tolerance=dataclasses.asdict(tol))
  result['ok'] = bool(diff.max() <= tol.max_abs_mm and
                      diff.mean() <= tol.mean_abs_mm)
  return result


def _output_diff(got, want) -> Dict:
  got, want = np.asarray(got), np.asarray(want)
  if got.shape != want.shape or got.dtype != want.dtype:
    return dict(ok=False, error=f'got {got.dtype}{list(got.shape)}, want '
                f'{want.dtype}{list(want.shape)}')
  if want.dtype == bool:
    return dict(ok=bool(np.array_equal(got, want)),
                mismatches=int(np.sum(got != want)))
  diff = np.abs(got.astype(np.float64) - want)
  bound = SAVEDMODEL_ATOL + SAVEDMODEL_RTOL * np.abs(want)
  return dict(ok=bool(np.all(diff <= bound)), max_abs_diff=float(diff.max()))


def verify_export(export_dir: str, module: serving.ServingModule,
                  num: int = 64, seed: int = 0,
                  tolerances: Optional[Dict[str, Tolerance]] = None) -> Dict:
  """Checks an export directory against `module`'s Keras models.

  Args:
    export_dir: holds `saved_model/` and `lifter_PREC.tflite` files.
    module: the `ServingModule` that was exported (its eager methods are the
      Keras reference).
    num: keypoint examples compared.
    seed: of the inputs.
    tolerances: precision ('savedmodel', 'fp32', ...) -> Tolerance.

  Returns:
    The verification report (JSON-able); report['ok'] says if all passed.
  """
  tols = dict(TOLERANCES, **(tolerances or {}))
  inputs = reference_inputs(module, num, seed=seed)
  expected = {sig: {k: v.numpy() for k, v in
                    module.reference(sig, **feeds).items()}
              for sig, feeds in inputs.items()}
  report = {'inputs': dict(
      keypoints=f'{num} synthetic poses (seed {seed}): template skeleton + '
      'N(0, 60 mm) joint noise, random yaw/pitch, pinhole f=1000 px, '
      '1000x1000 image', images='uniform noise in [0, 1]'),
            'tolerances_mm': {k: dataclasses.asdict(v)
                              for k, v in tols.items()}}
  saved_dir = os.path.join(export_dir, 'saved_model')
  wanted_sigs = sorted(set(module.signature_names()))
  cli_proc = start_saved_model_cli(saved_dir)
  outputs, info = reload_in_fresh_process(export_dir, inputs)
  report['fresh_process'] = info
  cli = saved_model_cli_signatures(cli_proc)
  cli['ok'] = cli['returncode'] == 0 and set(wanted_sigs) <= set(
      cli['signatures'])
  report['saved_model_cli'] = cli
  ok = cli['ok'] and outputs is not None
  if outputs is None:
    report['ok'] = False
    return report
  sm = {}
  for sig, want in expected.items():
    checks = {}
    for name, value in want.items():
      key = f'savedmodel/{sig}/{name}'
      if key not in outputs:
        checks[name] = dict(ok=False, error='missing')
      elif name == 'pose_3d_mm':
        checks[name] = _pose_diff(outputs[key], value, tols['savedmodel'])
      else:
        checks[name] = _output_diff(outputs[key], value)
      ok &= checks[name]['ok']
    sm[sig] = checks
  report['savedmodel'] = sm
  tfl = {}
  want = expected[serving.KEYPOINTS_TO_POSE3D]['pose_3d_mm']
  for precision, details in sorted(info.get('tflite', {}).items()):
    entry = _pose_diff(outputs[f'tflite_{precision}/pose_3d_mm'], want,
                       tols[precision])
    builtin_only = not any(op.startswith('Flex') or op in ('CUSTOM',
                                                           'DELEGATE')
                           for op in details['ops'])
    entry.update(ops=details['ops'], builtin_ops_only=builtin_only,
                 size_bytes=os.path.getsize(os.path.join(
                     export_dir, f'lifter_{precision}.tflite')))
    entry['ok'] = entry['ok'] and builtin_only
    ok &= entry['ok']
    tfl[precision] = entry
  report['tflite'] = tfl
  report['ok'] = bool(ok)
  return report

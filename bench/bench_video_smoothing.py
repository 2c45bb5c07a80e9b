r"""Video smoothing: jitter on a still clip, lag and error on real motion.

  .venv/bin/python bench/bench_video_smoothing.py [--lifter_dir=DIR]

Two clips, each lifted frame by frame with the default lifter, without and
with the One Euro smoothing of `tools/infer.py` (geo_rep_tf.inference
.smoothing, default parameters), in one process:

- still: the sample photo filmed 30 times at 30 fps with camera noise
  (Gaussian, sigma 2 grey levels per pixel and frame, seeded), through
  BlazePose (the models of tools/fetch_models.py; skipped with a reason
  where they are missing). video.still.jitter_mm_per_frame_{raw,smoothed}:
  the mean over frames and joints of |pose_t - pose_t-1| (3D, mm); the
  person does not move, so all of it is jitter. Goal: <= 2 mm smoothed.
- motion: real motion capture (the sample clip
  dataset-1_walk_normal_001, every frame, 30 fps) projected by the
  Human3.6M camera 0 of S9, with the protocol's 2D noise (sigma 5 px,
  seeded) as the 2D backend. video.motion.*: MPJPE (mm, root-relative)
  against the true 3D, jitter as above (and that of the true motion), and
  the lag: the shift of the smoothed poses (in frames and ms) that best
  matches the true ones.

`video.jitter_mm_per_frame` is the still clip's smoothed figure. The default
filter parameters were chosen on these two clips (a grid over both filters'
cutoff and beta: the lowest motion MPJPE with still jitter <= 2 mm). Prints
JSON and replaces the video.* figures of bench/results/export.json (the
other figures there are bench/bench_export.py's, which runs `measure` too).
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import common  # noqa: E402

GOAL_JITTER_MM = 2.0
FPS = 30.0
SAMPLE_PHOTO = os.path.join(common.REPO, 'data', 'samples',
                            '000000000785.jpg')
MOTION_CLIP = os.path.join(common.REPO, 'data', 'samples', 'bandai_namco',
                           'dataset-1', 'dataset-1_walk_normal_001.bvh')


def jitter_mm(poses: np.ndarray) -> float:
  """Mean |pose_t - pose_t-1| over frames and joints, [T, 16, 3] mm."""
  return float(np.linalg.norm(np.diff(poses, axis=0), axis=-1).mean())


def lift_sequence(keypoints: np.ndarray, lifter, smooth: bool) -> np.ndarray:
  """[T, 16, 2] px of one person -> [T, 16, 3] mm, causally smoothed."""
  from geo_rep_tf.inference import smoothing
  smoother = smoothing.PoseSmoother() if smooth else None
  out = []
  for t, kp in enumerate(keypoints):
    if smoother is None:
      out.append(lifter(kp[None])[0])
      continue
    ids = smoother.assign([kp])
    (kp_s,) = smoother.smooth_2d(ids, [kp], t / FPS)
    out.append(smoother.smooth_3d(ids, lifter(kp_s[None]), t / FPS)[0])
  return np.stack(out)


def still_clip(lifter, frames: int = 30, seed: int = 0):
  """2D keypoints [T, 16, 2] of the noisy still clip (BlazePose)."""
  from geo_rep_tf.inference.blazepose import BlazePose
  from geo_rep_tf.inference.pipeline import read_image
  image = read_image(SAMPLE_PHOTO).astype(np.float64)
  backend = BlazePose(None)
  rng = np.random.default_rng(seed)
  keypoints = []
  for _ in range(frames):
    frame = np.clip(image + rng.normal(0, 2.0, image.shape), 0, 255)
    people = backend(frame.astype(np.uint8))
    if not people:
      continue
    best = max(people, key=lambda p: p.score)
    keypoints.append(best.keypoints_px)
  return np.stack(keypoints)


def motion_clip(seed: int = 0):
  """(2D [T, 16, 2] px with noise, true root-relative 3D [T, 16, 3] mm)."""
  from geo_rep_tf.data import protocol, rigs
  from geo_rep_tf.geometry import cameras
  poses, _ = rigs.load_bvh_poses(MOTION_CLIP)
  cams = cameras.load_rig(None).cameras('S9')
  one = {k: v[:1] for k, v in cams.items()}
  uv, _ = protocol.project_clip(poses, one, 90.0)
  uv = uv[0] + np.random.default_rng(seed).normal(0, 5.0, uv[0].shape)
  # True 3D in camera 0, root-relative (what the lifter predicts).
  x_cam = (np.einsum('ij,fkj->fki', cams['R_w2c'][0], poses) +
           cams['t_mm'][0])
  return uv.astype(np.float32), x_cam - x_cam[:, :1]


def lag_frames(smoothed: np.ndarray, truth: np.ndarray,
               max_lag: int = 15) -> int:
  """The k >= 0 for which smoothed[t] best matches truth[t - k]."""
  errors = [np.linalg.norm(smoothed[k:] - truth[:len(truth) - k],
                           axis=-1).mean() for k in range(max_lag + 1)]
  return int(np.argmin(errors))


def measure(lifter_dir=None):
  """video.* figures (the still clip skipped where BlazePose is missing)."""
  from geo_rep_tf.errors import GeoRepError
  from geo_rep_tf.runs import lifter as lifter_lib
  lifter = lifter_lib.load_lifter(lifter_dir)
  out = {'video.lifter': lifter.version, 'video.fps': FPS,
         'goal_video_jitter_mm_per_frame': GOAL_JITTER_MM}
  kp, truth = motion_clip()
  raw = lift_sequence(kp, lifter, smooth=False)
  smooth = lift_sequence(kp, lifter, smooth=True)
  lag = lag_frames(smooth, truth)
  out.update({
      'video.motion.clip': os.path.relpath(MOTION_CLIP, common.REPO),
      'video.motion.frames': len(kp),
      'video.motion.mpjpe_mm_raw': round(float(np.linalg.norm(
          raw - truth, axis=-1).mean()), 2),
      'video.motion.mpjpe_mm_smoothed': round(float(np.linalg.norm(
          smooth - truth, axis=-1).mean()), 2),
      'video.motion.jitter_mm_per_frame_true': round(jitter_mm(truth), 2),
      'video.motion.jitter_mm_per_frame_raw': round(jitter_mm(raw), 2),
      'video.motion.jitter_mm_per_frame_smoothed': round(jitter_mm(smooth),
                                                         2),
      'video.motion.lag_frames': lag,
      'video.motion.lag_ms': round(1000.0 * lag / FPS, 1),
  })
  try:
    still = still_clip(lifter)
  except GeoRepError as e:  # BlazePose models not fetched.
    out['video.still.skipped'] = str(e)
    return out
  raw = lift_sequence(still, lifter, smooth=False)
  smooth = lift_sequence(still, lifter, smooth=True)
  out.update({
      'video.still.frames': len(still),
      'video.still.jitter_mm_per_frame_raw': round(jitter_mm(raw), 2),
      'video.still.jitter_mm_per_frame_smoothed': round(jitter_mm(smooth),
                                                        2),
      'video.jitter_mm_per_frame': round(jitter_mm(smooth), 2),
      'video.goal_met': bool(jitter_mm(smooth) <= GOAL_JITTER_MM),
  })
  return out


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument('--lifter_dir', default=None,
                  help='Lifter (default: the committed default lifter).')
  ap.add_argument('--out', default=os.path.join(
      common.REPO, 'bench', 'results', 'export.json'), help='JSON file whose '
      'video.* figures are replaced (others kept; empty: print only).')
  args = ap.parse_args()
  os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
  result = measure(args.lifter_dir)
  print(json.dumps(result, indent=2))
  if args.out:
    from geo_rep_tf.utils.files import write_json
    kept = {}
    if os.path.exists(args.out):
      with open(args.out) as fh:
        kept = {k: v for k, v in json.load(fh).items()
                if not k.startswith('video.') and
                k != 'goal_video_jitter_mm_per_frame'}
    write_json(args.out, dict(kept, **result))


if __name__ == '__main__':
  main()

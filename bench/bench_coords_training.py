r"""How long a 'coords' representation takes to train to a flat test loss.

  .venv/bin/python bench/bench_coords_training.py \
      [--protocol_dir=work_dirs/bandai_h36m_full] [--flagfile=flags/rep_coords.cfg] \
      [--train_steps=N]

Trains the flagfile's representation (the full protocol, BL+DG+AUG on the
coords medium) into a temporary directory with tools/train_representation.py
in a subprocess, evaluating the test pairs every --eval_every steps, and
records when each evaluation line appears. "Flat" is the first evaluation
whose total test loss is within --flat_tolerance (relative) of the final
one. Adds the figures under `train_coords_representation` to
bench/results/training.json (the file's other entries are kept):
  wall_s                total wall time of the run (process start to exit)
  wall_s_to_flat        wall time until the first flat evaluation (null:
                        never flat)
  curve                 [step, wall_s, test total loss] per evaluation
  goal_wall_s           900 (15 minutes on 2 cores); goal_met
plus the 1/5/15-minute load averages before and after (the machine is
shared; a loaded machine makes the run slower, never faster).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import common  # noqa: E402

GOAL_WALL_S = 900.0
_EVAL = re.compile(r'eval @ (\d+):.* total ([0-9.e+-]+)')


def flat_point(curve, tolerance):
  """Index of the first (step, wall_s, loss) whose loss changed by less than
  `tolerance` (relative) since the previous one; None if none did."""
  for i in range(1, len(curve)):
    before, loss = curve[i - 1][2], curve[i][2]
    if abs(loss - before) < tolerance * abs(before):
      return i
  return None


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument('--protocol_dir', default='work_dirs/bandai_h36m_full')
  ap.add_argument('--flagfile', default=os.path.join(common.REPO, 'flags',
                                                     'rep_coords.cfg'))
  ap.add_argument('--eval_every', type=int, default=1000)
  ap.add_argument('--train_steps', type=int, default=None,
                  help="Overrides the flagfile's --train_steps (the cosine "
                  'schedule spans them).')
  ap.add_argument('--flat_tolerance', type=float, default=0.02)
  ap.add_argument('--out', default=os.path.join(common.REPO, 'bench',
                                                'results', 'training.json'))
  args = ap.parse_args()
  if not os.path.isfile(os.path.join(args.protocol_dir, 'manifest.json')):
    sys.exit(f'error: {args.protocol_dir}: no prepared protocol (run '
             'tools/prepare_data.py first)')
  load_before = [round(x, 2) for x in os.getloadavg()]
  curve = []
  with tempfile.TemporaryDirectory() as tmp:
    cmd = [sys.executable,
           os.path.join(common.REPO, 'tools', 'train_representation.py'),
           f'--flagfile={args.flagfile}', f'--protocol_dir={args.protocol_dir}',
           f'--model_dir={os.path.join(tmp, "run")}',
           f'--eval_every={args.eval_every}', '--image_summaries_every=0']
    if args.train_steps:
      cmd.append(f'--train_steps={args.train_steps}')
    start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    with common.PeakRss(proc.pid) as rss:
      for line in proc.stdout:
        m = _EVAL.search(line)
        if m and (not curve or int(m.group(1)) != curve[-1][0]):
          curve.append([int(m.group(1)), round(time.time() - start, 1),
                        float(m.group(2))])
      proc.wait()
    wall = time.time() - start
  if proc.returncode or not curve:
    sys.exit(f'error: training failed (exit {proc.returncode})')
  i = flat_point(curve, args.flat_tolerance)
  entry = dict(
      flagfile=os.path.relpath(args.flagfile, common.REPO),
      train_steps=args.train_steps or curve[-1][0],
      protocol_dir=args.protocol_dir, wall_s=round(wall, 1),
      wall_s_to_flat=None if i is None else curve[i][1],
      step_flat=None if i is None else curve[i][0], curve=curve,
      flat_tolerance=args.flat_tolerance, peak_rss_gib=round(rss.peak_gib, 2),
      goal_wall_s=GOAL_WALL_S,
      goal_met=i is not None and curve[i][1] <= GOAL_WALL_S,
      load_before=load_before,
      load_after=[round(x, 2) for x in os.getloadavg()],
      date=time.strftime('%Y-%m-%d %H:%M:%S'))
  try:
    with open(args.out) as fh:
      result = json.load(fh)
  except FileNotFoundError:
    result = {}
  result['train_coords_representation'] = entry
  from geo_rep_tf.utils.files import write_json
  write_json(args.out, result)
  print(json.dumps(entry, indent=2))


if __name__ == '__main__':
  main()

r"""How long 'coords' representations take to train to a flat test loss.

  .venv/bin/python bench/bench_coords_training.py \
      [--protocol_dir=work_dirs/bandai_h36m_full] \
      [--flagfiles=flags/rep_coords.cfg,flags/rep_coords_fast.cfg] \
      [--train_steps=N]

Trains each flagfile's representation (the full protocol, BL+DG+AUG on the
coords medium) in turn, side by side in one run, into a temporary directory
with tools/train_representation.py in a subprocess, evaluating the test pairs
every --eval_every steps, and records when each evaluation line appears.
"Flat" is the first evaluation from which the total test loss changes by
less than --flat_tolerance (relative) between every two evaluations to the
end. Writes the figures under
`train_coords_representation` in bench/results/training.json (the file's
other entries are kept): `runs`, one entry per flagfile with
  wall_s                total wall time of the run (process start to exit)
  wall_s_to_flat        wall time until the first flat evaluation (null:
                        never flat)
  curve                 [step, wall_s, test total loss] per evaluation
  goal_met              flat within goal_wall_s
plus `goal_wall_s` (900: 15 minutes on 2 cores), `speedup` (each run's
seconds per step against the first's) and the 1/5/15-minute load averages
before and after each run (the machine is shared; a loaded machine makes a
run slower, never faster).
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
  """Index of the first (step, wall_s, loss) from which every evaluation to
  the end changed the loss by less than `tolerance` (relative) since the
  previous one; None if the last one did not. A passing dip that the loss
  later falls out of again does not count."""
  flat = None
  for i in range(1, len(curve)):
    before, loss = curve[i - 1][2], curve[i][2]
    if abs(loss - before) < tolerance * abs(before):
      flat = i if flat is None else flat
    else:
      flat = None
  return flat


def train_and_time(flagfile, args):
  """Trains one flagfile's representation; its timing entry."""
  load_before = [round(x, 2) for x in os.getloadavg()]
  curve = []
  with tempfile.TemporaryDirectory() as tmp:
    cmd = [sys.executable,
           os.path.join(common.REPO, 'tools', 'train_representation.py'),
           f'--flagfile={flagfile}', f'--protocol_dir={args.protocol_dir}',
           f'--model_dir={os.path.join(tmp, "run")}',
           f'--eval_every={args.eval_every}', '--image_summaries_every=0']
    if args.train_steps:
      cmd.append(f'--train_steps={args.train_steps}')
    print(f'training {os.path.relpath(flagfile, common.REPO)} ...',
          flush=True)
    start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    with common.PeakRss(proc.pid) as rss:
      for line in proc.stdout:
        m = _EVAL.search(line)
        if m and (not curve or int(m.group(1)) != curve[-1][0]):
          curve.append([int(m.group(1)), round(time.time() - start, 1),
                        float(m.group(2))])
          print(f'  step {curve[-1][0]}: {curve[-1][1]} s, test loss '
                f'{curve[-1][2]}', flush=True)
      proc.wait()
    wall = time.time() - start
  if proc.returncode or not curve:
    sys.exit(f'error: {flagfile}: training failed (exit {proc.returncode})')
  i = flat_point(curve, args.flat_tolerance)
  return dict(
      flagfile=os.path.relpath(flagfile, common.REPO),
      train_steps=args.train_steps or curve[-1][0],
      wall_s=round(wall, 1),
      wall_s_to_flat=None if i is None else curve[i][1],
      step_flat=None if i is None else curve[i][0], curve=curve,
      peak_rss_gib=round(rss.peak_gib, 2),
      goal_met=i is not None and curve[i][1] <= GOAL_WALL_S,
      load_before=load_before,
      load_after=[round(x, 2) for x in os.getloadavg()])


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument('--protocol_dir', default='work_dirs/bandai_h36m_full')
  ap.add_argument('--flagfiles', default=','.join(
      os.path.join(common.REPO, 'flags', f)
      for f in ('rep_coords.cfg', 'rep_coords_fast.cfg')),
                  help='Comma-separated representation flagfiles, timed in '
                  'this order.')
  ap.add_argument('--eval_every', type=int, default=1000)
  ap.add_argument('--train_steps', type=int, default=None,
                  help="Overrides each flagfile's --train_steps (the cosine "
                  'schedule spans them).')
  ap.add_argument('--flat_tolerance', type=float, default=0.02)
  ap.add_argument('--out', default=os.path.join(common.REPO, 'bench',
                                                'results', 'training.json'))
  args = ap.parse_args()
  if not os.path.isfile(os.path.join(args.protocol_dir, 'manifest.json')):
    sys.exit(f'error: {args.protocol_dir}: no prepared protocol (run '
             'tools/prepare_data.py first)')
  flagfiles = [f for f in args.flagfiles.split(',') if f]
  for f in flagfiles:
    if not os.path.isfile(f):
      sys.exit(f'error: --flagfiles: {f}: no such file')
  runs = [train_and_time(f, args) for f in flagfiles]
  per_step = [r['wall_s'] / r['curve'][-1][0] for r in runs]
  for r, t in zip(runs, per_step):
    r['speedup'] = round(per_step[0] / t, 2)
  entry = dict(protocol_dir=args.protocol_dir, runs=runs,
               flat_tolerance=args.flat_tolerance, goal_wall_s=GOAL_WALL_S,
               goal_met_by=[r['flagfile'] for r in runs if r['goal_met']],
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

r"""Training benchmarks: representation-training throughput, FLOPs, CPU options.

  .venv/bin/python tools/prepare_data.py --out_dir=/tmp/bench_proto
  .venv/bin/python bench/bench_training.py --protocol_dir=/tmp/bench_proto

About 10 minutes on 2 cores. Prints JSON and writes bench/results/training.json:

  train_representation   full method ('dg', virtual_fraction 0.5), batch 64,
                         for two model sizes: 'paper' (base_filters=32,
                         depth=4, M=32, the binary's default) and 'cpu_small'
                         (base_filters=8, same depth and M).
    .examples_per_s      through `Trainer.train()` (the binary's compiled
                         loop, data pipeline included): median over windows
                         of `steps_per_loop` steps after a warm-up loop.
    .flops_per_example   counted (bench/flops.py) on the traced forward +
                         backward + Adam step of the same model, / 64.
    .flops_ratio         achieved FLOP/s (flops_per_example x examples/s)
                         over float32 2048^3 matmul FLOP/s measured in the
                         same process between loops; median over windows.
    .peak_rss_gib        sampled RSS of the training subprocess (PeakRss).
  cpu_options            examples/s of one step function on in-memory
                         batches: float32 with oneDNN on / off, float32 +
                         XLA (jit_compile=True), mixed_bfloat16,
                         mixed_float16; whether the losses stay finite and
                         within LOSS_TOLERANCE of float32's; the fastest
                         correct one. oneDNN-on settings alternate window by
                         window in one subprocess; oneDNN off runs between
                         two float32 oneDNN runs (A B A). All on
                         'cpu_small'; on 'paper', settings slower than
                         SKIP_BELOW x float32 on 'cpu_small' are skipped.
  machine, load          versions, CPU; os.getloadavg() and the processes
                         busy on the CPU before and after (shared machine).

Goals (2 cores): flops_ratio >= 0.5, peak_rss_gib <= 4.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import common  # noqa: E402

BATCH = 64
# |loss - float32 loss| / float32 loss, at every step, for 'correct'.
LOSS_TOLERANCE = 0.05
MODELS = {
    'paper': dict(base_filters=32, depth=4, num_points=32),
    'cpu_small': dict(base_filters=8, depth=4, num_points=32),
}
# name -> (TF_ENABLE_ONEDNN_OPTS, precision policy, jit_compile)
OPTIONS = {
    'float32_onednn': ('1', 'float32', False),
    'float32_no_onednn': ('0', 'float32', False),
    'float32_xla': ('1', 'float32', True),
    'mixed_bfloat16': ('1', 'mixed_bfloat16', False),
    'mixed_float16': ('1', 'mixed_float16', False),
}
RESULT_TAG = 'BENCH_RESULT '
# Settings below this speed-up on cpu_small are not rerun on 'paper'.
SKIP_BELOW = 0.5


# ------------------------------------------------------------------ workers
# Run in subprocesses: oneDNN is chosen when TensorFlow is imported.

_MATMUL = {}  # n -> (traced matmul, a, b), built once per process


def _median_rate(window_s, steps):
  return round(statistics.median(steps * BATCH / t for t in window_s), 2)


def _matmul_flops_per_s(n=2048, runs=3, per_run=2):
  """Median float32 n x n matmul FLOP/s of a tf.function (this process)."""
  import tensorflow as tf
  if n not in _MATMUL:
    a, b = tf.random.uniform([n, n]), tf.random.uniform([n, n])
    mm = tf.function(lambda a, b: tf.reduce_sum(tf.linalg.matmul(a, b)))
    mm(a, b).numpy()
    _MATMUL[n] = (mm, a, b)
  mm, a, b = _MATMUL[n]
  times = []
  for _ in range(runs):
    t = time.perf_counter()
    for _ in range(per_run):
      mm(a, b).numpy()
    times.append((time.perf_counter() - t) / per_run)
  return 2 * n**3 / statistics.median(times)


def _make_step(model, optimizer, total_loss, jit_compile=False):
  """One forward + backward + Adam step: returns a tf.function of a batch."""
  import keras
  import tensorflow as tf
  scaled = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)

  @tf.function(jit_compile=jit_compile)
  def step(batch):
    with tf.GradientTape() as tape:
      loss = tf.reduce_mean(total_loss(model, batch))
      scaled_loss = optimizer.scale_loss(loss) if scaled else loss
    grads = tape.gradient(scaled_loss, model.trainable_variables)
    optimizer.apply(grads, model.trainable_variables)
    return loss
  return step


def worker_trainer(args):
  """Times Trainer.train() loops and counts the step's FLOPs.

  The matmul reference runs between loops (inside the log callback, outside
  the timed windows), so each window has a reference measured under the
  same load of this shared machine.
  """
  import tensorflow as tf
  from bench import flops
  from geo_rep_tf.training import representation_task as rt
  from geo_rep_tf.training.trainer import Trainer, TrainerConfig
  out = dict(loadavg_start=os.getloadavg())
  rep = rt.RepresentationConfig(
      protocol_dir=args.protocol_dir, variant='dg', virtual_fraction=0.5,
      global_batch_size=BATCH, **MODELS[args.model])
  task = rt.RepresentationTask(rep)
  steps = args.steps
  enter, leave, matmul = [], [], []

  def log(line):
    if line.startswith('step '):
      enter.append(time.perf_counter())
      matmul.append(_matmul_flops_per_s())
      leave.append(time.perf_counter())

  with tempfile.TemporaryDirectory() as model_dir:
    cfg = TrainerConfig(model_dir=model_dir,
                        train_steps=(1 + args.windows) * steps,
                        steps_per_loop=steps, checkpoint_every=10**9,
                        global_batch_size=BATCH, image_summaries_every=0,
                        log_every_s=0)
    trainer = Trainer(task, cfg, log=log)
    step = _make_step(trainer.model, trainer.optimizer,
                      lambda m, b: task.compute_losses(m, b, True)['total'])
    batch = next(iter(task.dataset(tf.distribute.InputContext(), 'test')))
    counted = flops.function_flops(step, batch)
    t0 = time.perf_counter()
    last = trainer.train()
  # A log line follows each loop; the first loop (tracing) warms up.
  window_s = [b - a for a, b in zip(leave, enter[1:])]
  per_example = counted['total'] / BATCH
  ratios = [per_example * steps * BATCH / t / (0.5 * (m0 + m1))
            for t, m0, m1 in zip(window_s, matmul, matmul[1:])]
  out.update(
      first_loop_s=enter[0] - t0, window_s=window_s,
      examples_per_s=_median_rate(window_s, steps),
      flops_per_example=per_example,
      flops_by_op_per_example={k: v / BATCH for k, v in counted.items()
                               if k != 'total'},
      matmul_flops_per_s=matmul, flops_ratio_windows=ratios,
      flops_ratio=round(statistics.median(ratios), 4),
      parameters=int(sum(v.shape.num_elements()
                         for v in trainer.model.trainable_variables)),
      last_losses=last, tf_version=tf.__version__,
      loadavg_end=os.getloadavg())
  return out


def worker_step(args):
  """Times the step function under OPTIONS settings sharing one oneDNN mode.

  Settings alternate window by window (round robin), so load changes on the
  shared machine hit them alike. Each gets the same initial weights and
  batches.
  """
  import keras
  import tensorflow as tf
  from geo_rep_tf.data import pipeline
  from geo_rep_tf.losses import representation as rep_losses
  from geo_rep_tf.models.view_synthesis import ViewSynthesis
  loadavg_start = os.getloadavg()
  ds = pipeline.pair_dataset(
      args.protocol_dir, 'train',
      pipeline.PairConfig(batch_size=BATCH, virtual_fraction=0.5), seed=0)
  batches = [{k: v for k, v in b.items()
              if k in ('source_map', 'target_map', 'R_rel')}
             for b in ds.take(3)]

  def total_loss(m, batch):
    # Losses in float32 whatever the compute dtype (as a float32 output
    # layer would give), so the policies are compared on the same loss.
    outputs = {k: tf.cast(v, tf.float32)
               for k, v in m(batch, training=True).items()}
    return rep_losses.representation_losses(outputs, batch, 'dg')['total']

  runs = {}
  for name in args.settings.split(','):
    _, policy, xla = OPTIONS[name.replace('_repeat', '')]
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    model = ViewSynthesis('dg', **MODELS[args.model])
    model(batches[0])
    optimizer = keras.optimizers.Adam(1e-3)
    if policy == 'mixed_float16':
      optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    optimizer.build(model.trainable_variables)
    runs[name] = dict(step=_make_step(model, optimizer, total_loss, xla),
                      losses=[], window_s=[])
  keras.mixed_precision.set_global_policy('float32')

  def run(r, n):
    t = time.perf_counter()
    for _ in range(n):
      r['losses'].append(float(r['step'](
          batches[len(r['losses']) % len(batches)])))
    return time.perf_counter() - t

  for r in runs.values():
    r['first_step_s'] = run(r, 1)  # trace (and XLA compile) + one step
  for _ in range(args.windows):
    for r in runs.values():
      w = r['window_s']
      # A slow setting stops early rather than overrun its budget.
      if not w or sum(w) + w[-1] <= args.budget_s:
        w.append(run(r, args.steps))
  out = {}
  for name, r in runs.items():
    del r['step']
    out[name] = dict(r, steps=args.steps, loadavg_start=loadavg_start,
                     loadavg_end=os.getloadavg(),
                     examples_per_s=_median_rate(r['window_s'], args.steps))
  return out


# ------------------------------------------------------------------- driver

def _run_worker(kind, model, protocol_dir, onednn='1', timeout_s=600,
                extra=()):
  """Runs a worker subprocess; its result dict + wall_s and peak_rss_gib."""
  cmd = [sys.executable, os.path.abspath(__file__), f'--worker={kind}',
         f'--model={model}', f'--protocol_dir={protocol_dir}', *extra]
  env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=onednn,
             TF_CPP_MIN_LOG_LEVEL='2')
  start = time.time()
  proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env)
  with common.PeakRss(proc.pid) as rss:
    try:
      stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
      proc.kill()
      stdout, stderr = proc.communicate()
  meta = dict(wall_s=round(time.time() - start, 1),
              peak_rss_gib=round(rss.peak_gib, 3))
  for line in reversed(stdout.splitlines()):
    if line.startswith(RESULT_TAG):
      return dict(json.loads(line[len(RESULT_TAG):]), **meta)
  return dict(meta, error=(stderr or stdout)[-1500:],
              returncode=proc.returncode)


def _busy_processes(min_percent=10.0, interval_s=1.0):
  """Other processes using the CPU now: [(name, percent of one core)]."""
  import psutil
  procs = [p for p in psutil.process_iter(['name'])
           if p.pid != os.getpid()]
  for p in procs:
    try:
      p.cpu_percent(None)
    except psutil.Error:
      pass
  time.sleep(interval_s)
  busy = []
  for p in procs:
    try:
      pct = p.cpu_percent(None)
    except psutil.Error:
      continue
    if pct >= min_percent:
      busy.append((p.info['name'], round(pct)))
  return sorted(busy, key=lambda b: -b[1])


def _load():
  return dict(loadavg=os.getloadavg(), busy_processes=_busy_processes())


def _finite(values):
  return bool(values) and all(math.isfinite(v) for v in values)


def bench_trainer(protocol_dir, model, windows, steps):
  r = _run_worker('trainer', model, protocol_dir,
                  extra=[f'--windows={windows}', f'--steps={steps}'])
  r['config'] = dict(variant='dg', virtual_fraction=0.5, batch_size=BATCH,
                     steps_per_loop=steps, **MODELS[model])
  return r


def bench_options(protocol_dir, model, windows, steps, budget_s, skip=None):
  """OPTIONS settings on `model`; speed and losses vs float32_onednn.

  oneDNN-on settings share one process (round robin); oneDNN off needs its
  own, so float32_onednn is run again after it ('float32_onednn_repeat')
  and oneDNN off is compared with the mean of the two (A B A).

  Args:
    skip: setting name -> why it is not run.
  """
  skip = skip or {}

  def worker(names, onednn):
    r = _run_worker('step', model, protocol_dir, onednn=onednn,
                    timeout_s=len(names) * int(budget_s + 60) + 120,
                    extra=[f'--windows={windows}', f'--steps={steps}',
                           f'--budget_s={budget_s}',
                           f'--settings={",".join(names)}'])
    process = dict(wall_s=r.pop('wall_s'), peak_rss_gib=r.pop('peak_rss_gib'),
                   settings=names)
    return {n: dict(r.get(n, r), process=process) for n in names}

  by_mode = {m: [n for n, o in OPTIONS.items() if o[0] == m and n not in skip]
             for m in ('1', '0')}
  out = worker(by_mode['1'], '1')
  out.update(worker(by_mode['0'], '0'))
  out.update(worker(['float32_onednn_repeat'], '1'))
  out.update({n: dict(skipped=why) for n, why in skip.items()})
  ref, again = out['float32_onednn'], out['float32_onednn_repeat']
  for name, r in out.items():
    if 'skipped' in r:
      continue
    if 'error' in r or 'error' in ref:
      r['correct'] = False
      continue
    onednn, policy, xla = OPTIONS[name.replace('_repeat', '')]
    r.update(onednn=onednn == '1', policy=policy, jit_compile=xla)
    n = min(len(r['losses']), len(ref['losses']))
    rel = [abs(a - b) / abs(b) for a, b in zip(r['losses'][:n],
                                               ref['losses'][:n])]
    r.update(loss_max_rel_diff_vs_float32=max(rel), losses_compared=n,
             correct=_finite(r['losses']) and max(rel) <= LOSS_TOLERANCE)
    base = ref['examples_per_s']
    if onednn == '0' and 'error' not in again:
      base = 0.5 * (base + again['examples_per_s'])
    r['speedup_vs_float32_onednn'] = round(r['examples_per_s'] / base, 3)
  correct = [k for k in OPTIONS if out[k].get('correct')]
  return dict(settings={n: out[n] for n in (*OPTIONS, 'float32_onednn_repeat')},
              fastest_correct=max(correct,
                                  key=lambda k: out[k]['examples_per_s'],
                                  default=None),
              windows=windows, steps_per_window=steps, budget_s=budget_s)


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument('--protocol_dir', default='/tmp/bench_proto')
  ap.add_argument('--out', default=os.path.join(common.REPO, 'bench',
                                                'results', 'training.json'))
  ap.add_argument('--worker', choices=('trainer', 'step'))
  ap.add_argument('--model', choices=tuple(MODELS), default='paper')
  ap.add_argument('--windows', type=int, default=3)
  ap.add_argument('--steps', type=int, default=2)
  ap.add_argument('--settings', default='float32_onednn')
  ap.add_argument('--budget_s', type=float, default=120)
  args = ap.parse_args()
  if not os.path.isfile(os.path.join(args.protocol_dir, 'manifest.json')):
    sys.exit(f'error: {args.protocol_dir}: no prepared protocol (run '
             'tools/prepare_data.py --out_dir=...)')
  if args.worker:
    fn = worker_trainer if args.worker == 'trainer' else worker_step
    print(RESULT_TAG + json.dumps(fn(args)), flush=True)
    return

  from geo_rep_tf.utils.files import write_json
  start = time.time()
  load_before = _load()
  trainer = {'paper': bench_trainer(args.protocol_dir, 'paper', 3, 2),
             'cpu_small': bench_trainer(args.protocol_dir, 'cpu_small', 3, 10)}
  options = {'cpu_small': bench_options(args.protocol_dir, 'cpu_small', 3, 3,
                                        30)}
  # A setting much slower on the small model (mixed precision without
  # AVX-512 runs on Eigen fallbacks) would cost minutes per paper-size step.
  slow = {k: f'{r["speedup_vs_float32_onednn"]}x float32_onednn on cpu_small'
          for k, r in options['cpu_small']['settings'].items()
          if r.get('speedup_vs_float32_onednn', 1.0) < SKIP_BELOW}
  options['paper'] = bench_options(args.protocol_dir, 'paper', 3, 1, 45,
                                   skip=slow)
  pick = lambda key: {m: r.get(key) for m, r in trainer.items()}
  result = {
      'train_representation': {
          'examples_per_s': pick('examples_per_s'),
          'flops_per_example': pick('flops_per_example'),
          'flops_ratio': pick('flops_ratio'),
          'peak_rss_gib': pick('peak_rss_gib'),
          'goal': dict(flops_ratio=0.5, peak_rss_gib=4.0),
          'models': {m: dict(MODELS[m], parameters=r.get('parameters'))
                     for m, r in trainer.items()},
          'runs': trainer,
          'method': dict(
              examples_per_s='Trainer.train() with steps_per_loop = window '
              'steps; window = time between consecutive loop log lines; '
              'median; the first loop (tracing) is a warm-up; data pipeline '
              'included; TF_ENABLE_ONEDNN_OPTS=1',
              flops_per_example='bench/flops.py on the traced forward + '
              'backward + Adam step (MatMul/Einsum/Conv2D/Conv2DBackprop* '
              'ops, 2 FLOPs per multiply-add, element-wise ops left out) / '
              f'{BATCH}',
              flops_ratio='median over windows of flops_per_example * '
              'window examples/s / float32 2048x2048 tf.linalg.matmul '
              'FLOP/s (median of 3 runs of 2) measured in the same process '
              'just before and after that window (mean of the two)',
              peak_rss_gib='bench.common.PeakRss sampling (0.1 s) of the '
              'training subprocess; includes TF import, data pipeline, the '
              'matmul benchmark and FLOP tracing')},
      'cpu_options': dict(
          options, loss_tolerance=LOSS_TOLERANCE,
          method='own tf.function step (forward + backward + Adam, losses '
          'in float32) on 3 in-memory batches of 64; oneDNN-on settings '
          'alternate window by window in one subprocess, then oneDNN off '
          'in a second, then float32_onednn again in a third (oneDNN off '
          'is compared with the mean of the two float32_onednn runs); '
          'median window examples/s after one warm-up step (trace / XLA '
          'compile); a setting stops before `windows` when the next window '
          "would take its windows past budget_s; 'correct': all losses "
          'finite and within loss_tolerance (relative) of float32_onednn '
          'at every step; same seed and batches; mixed_float16 uses '
          'LossScaleOptimizer; process.peak_rss_gib covers all models of '
          'that process'),
      'machine': common.machine(),
      'load': dict(before=load_before, after=_load(),
                   note='1/5/15-min load averages (this benchmark adds ~2 '
                   'while it runs) and processes above 10% of a core; the '
                   'machine is shared'),
      'wall_s': round(time.time() - start, 1),
      'date': time.strftime('%Y-%m-%d %H:%M:%S'),
  }
  write_json(args.out, result)
  print(json.dumps(result, indent=2))


if __name__ == '__main__':
  main()

"""Running an experiment's plan resumably, and an experiment end to end.

`run_plan` runs a plan's `RunSpec`s one after the other into `out_dir`:
  out_dir/runs/<name>/         the run's model_dir (checkpoints, flags.txt,
                               train.log, ...)
  out_dir/results/<name>.json  written atomically once the run is evaluated
  out_dir/<experiment>.json    the collected results (`run_experiment`)
A run whose result file exists is skipped; one that was killed resumes from
its last checkpoint (the trainers resume from their model_dir, and one
already at its final step is not trained again). Training and evaluation
are injected (`train`, `evaluate` callables). `subprocess_trainer` is the
usual `train`: each run in its own process, by the training binary, so that
a run's flags are exactly a binary's flags (its shared flagfile and
overrides) and Keras' process-wide variable naming starts afresh per run.
`regressor_evaluator` is the usual `evaluate`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from typing import Callable, Dict, Mapping, Optional, Sequence

import keras

from geo_rep_tf.data.manifest import load_manifest
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.experiments.spec import Experiment, ExperimentOptions, RunSpec
from geo_rep_tf.runs.evaluation import evaluate_run
from geo_rep_tf.runs.latent_cache import LatentCache, latent_cache_dir
from geo_rep_tf.runs.loading import load_regressor_run
from geo_rep_tf.utils.files import write_json

TrainFn = Callable[[RunSpec, str], None]
EvaluateFn = Callable[[RunSpec, str], Dict]

# The training binary of each kind of run, beside the experiment binary.
TRAINERS = {'regressor': 'train_regressor.py',
            'representation': 'train_representation.py'}


def _read_json(path: str) -> Dict:
  try:
    with open(path) as fh:
      return json.load(fh)
  except json.JSONDecodeError as e:
    raise DataError(f'invalid JSON ({e.msg}); delete it to redo the run',
                    path, e.lineno) from None


def run_plan(plan: Sequence[RunSpec], out_dir: str, train: TrainFn,
             evaluate: EvaluateFn, log: Callable[[str], None] = print
             ) -> Dict:
  """Trains and evaluates every run of a plan not done yet.

  Args:
    plan: the runs, in order (representations before their users).
    out_dir: experiment directory (see the module docstring).
    train: train(spec, model_dir): trains the run to its final step,
      resuming from model_dir; `spec.flags` already holds the resolved
      --representation_dir.
    evaluate: evaluate(spec, model_dir) -> JSON-able result of a regressor.
    log: progress lines.

  Returns:
    {'results': {name: result record}, 'trained': [names trained now],
     'skipped': [names already done]}.
  """
  names = [s.name for s in plan]
  if len(set(names)) != len(names):
    raise ArgumentError(f'run names repeat in the plan: {names}')
  results, trained, skipped = {}, [], []
  dirs = {}
  for i, spec in enumerate(plan):
    model_dir = os.path.join(out_dir, 'runs', spec.name)
    dirs[spec.name] = model_dir
    result_path = os.path.join(out_dir, 'results', spec.name + '.json')
    if os.path.exists(result_path):
      results[spec.name] = _read_json(result_path)
      skipped.append(spec.name)
      log(f'[{i + 1}/{len(plan)}] {spec.name}: done before, skipped')
      continue
    if spec.representation:
      if spec.representation not in dirs:
        raise ArgumentError(f'{spec.name} needs representation run '
                            f'{spec.representation!r} earlier in the plan')
      spec = dataclasses.replace(spec, flags=dict(
          spec.flags, representation_dir=dirs[spec.representation]))
    log(f'[{i + 1}/{len(plan)}] {spec.name}: training ({spec.label})')
    start = time.time()
    train(spec, model_dir)
    train_s = time.time() - start
    record = dict(name=spec.name, kind=spec.kind, label=spec.label,
                  num_labels=spec.num_labels, protocol=spec.protocol,
                  flags=spec.flags, model_dir=model_dir,
                  train_wall_s=round(train_s, 1))
    if spec.kind == 'regressor':
      start = time.time()
      record['evaluation'] = evaluate(spec, model_dir)
      record['eval_wall_s'] = round(time.time() - start, 1)
      evaluated = record['evaluation']['results']
      mean = evaluated['exact' if 'exact' in evaluated else next(
          iter(evaluated))]['mean']
      log(f'    MPJPE {mean["mpjpe"]:.1f} mm, P-MPJPE '
          f'{mean["p_mpjpe"]:.1f} mm ({train_s:.0f} s training)')
    write_json(result_path, record)
    results[spec.name] = record
    trained.append(spec.name)
  return dict(results=results, trained=trained, skipped=skipped)


def subprocess_trainer(tools_dir: str,
                       protocol_dir: str,
                       regressor_args: Sequence[str] = (),
                       representation_args: Sequence[str] = (),
                       python: str = sys.executable,
                       env: Optional[Mapping[str, str]] = None,
                       regressor_type_args: Optional[
                           Mapping[str, Sequence[str]]] = None) -> TrainFn:
  """A `train` for `run_plan`: the training binaries in a child process.

  The binaries are run by file path (`python DIR/train_regressor.py`), which
  works from a checkout and from an installed geo_rep_tf_tools package
  alike. The command line is: the shared args of the kind (e.g. a
  --flagfile and --train_steps), those of the run's regressor type, then
  --protocol_dir, --model_dir and the run's own flags, so that the run's
  flags win. Output goes to model_dir/train.log.

  Args:
    tools_dir: directory of train_regressor.py / train_representation.py.
    protocol_dir: prepared protocol of every run.
    regressor_args, representation_args: shared flags of each kind.
    python: interpreter.
    env: environment of the child (None: this one).
    regressor_type_args: regressor type (`pose_lifter.REGRESSORS`) -> flags
      of the regressor runs of that type only (e.g. an option that only
      Regression#2 + G has).
  """
  type_args = dict(regressor_type_args or {})

  def train(spec: RunSpec, model_dir: str) -> None:
    shared = list({'regressor': regressor_args,
                   'representation': representation_args}[spec.kind])
    if spec.kind == 'regressor':
      shared += type_args.get(spec.flags.get('regressor'), [])
    argv = [python, os.path.join(tools_dir, TRAINERS[spec.kind]), *shared,
            f'--protocol_dir={protocol_dir}', f'--model_dir={model_dir}']
    argv += [f'--{k}={v}' for k, v in spec.flags.items()]
    os.makedirs(model_dir, exist_ok=True)
    log_path = os.path.join(model_dir, 'train.log')
    with open(log_path, 'a') as fh:
      fh.write(' '.join(argv) + '\n')
      fh.flush()
      rc = subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT,
                          env=None if env is None else dict(env)).returncode
    if rc != 0:
      with open(log_path, errors='replace') as fh:
        tail = fh.read()[-1500:]
      raise DataError(f'training {spec.name} failed (exit {rc}); last '
                      f'output:\n{tail}', log_path)

  return train


def regressor_evaluator(inputs: str, limit: int = 0,
                        log: Callable[[str], None] = print) -> EvaluateFn:
  """An `evaluate` for `run_plan`: a regressor run on the test split.

  Runs on one representation encode the test split once between them (a
  shared latent cache).

  Args:
    inputs: 'exact' or 'noisy' 2D.
    limit: evaluate the first N test samples only (0: all).
    log: progress lines of the latent cache.
  """
  latent_cache = LatentCache(log=log)

  def evaluate(spec: RunSpec, model_dir: str) -> Dict:
    # Keras names dropout seed generators from a process-wide counter, and
    # checkpoints hold variables by path: load each run as in a fresh process.
    keras.backend.clear_session()
    model, cfg = load_regressor_run(model_dir)
    return evaluate_run(model, cfg, model_dir, (inputs,), spec.test_cameras,
                        limit=limit or None, latent_cache=latent_cache,
                        latent_dir=latent_cache_dir(cfg))

  return evaluate


def run_experiment(experiment: Experiment, options: ExperimentOptions,
                   out_dir: str, protocol_dir: str, train: TrainFn,
                   evaluate: Optional[EvaluateFn] = None,
                   log: Callable[[str], None] = print) -> Dict:
  """Plans, runs (resumably), summarises and plots one experiment.

  Writes out_dir/<name>.json (the summary, the protocol, which runs were
  trained now or skipped, every run's record) and, for a figure,
  out_dir/<name>.png; logs the summary's text.

  Args:
    experiment: what is run (`registry.EXPERIMENTS`).
    options: the user's choices; `options.label_seed` goes to every
      regressor run.
    out_dir: experiment directory (see the module docstring).
    protocol_dir: prepared protocol of every run.
    train: trains one run (`subprocess_trainer`).
    evaluate: evaluates one regressor run (None: `regressor_evaluator` on
      `options.inputs` and `options.eval_limit`).
    log: progress lines and the summary's text.

  Returns:
    The JSON written.
  """
  manifest = load_manifest(protocol_dir)
  plan = experiment.plan(options)
  for spec in plan:
    if spec.kind == 'regressor':
      spec.flags['label_seed'] = str(options.label_seed)
  if evaluate is None:
    evaluate = regressor_evaluator(options.inputs, options.eval_limit, log)
  os.makedirs(out_dir, exist_ok=True)
  done = run_plan(plan, out_dir, train, evaluate, log)
  results = done['results']
  summary = experiment.summarise(results, options.inputs, manifest)
  text = experiment.format(summary)
  if experiment.plot is not None:
    experiment.plot(summary, os.path.join(out_dir, experiment.name + '.png'))
  log(text)
  out = os.path.join(out_dir, experiment.name + '.json')
  data = dict(experiment=experiment.name, summary=summary,
              protocol_dir=protocol_dir, trained_now=done['trained'],
              skipped=done['skipped'], runs=results)
  write_json(out, data)
  log(f'trained {len(done["trained"])} runs now, {len(done["skipped"])} '
      f'were done before; wrote {out}')
  return data

"""The paper's experiments as plans of training runs, run resumably.

An experiment is a list of `RunSpec`s (which binary trains what, with which
flags), run one after the other by `run_plan` into `out_dir`:
  out_dir/runs/<name>/      the run's model_dir (checkpoints, flags.txt, ...)
  out_dir/results/<name>.json  written atomically once the run is evaluated
  out_dir/<experiment>.json    the collected results
A run whose result file exists is skipped; one that was killed resumes from
its last checkpoint (the trainers resume from their model_dir). Training and
evaluation are injected (`train`, `evaluate` callables), so this module
neither imports the training stage nor starts processes itself;
`subprocess_trainer` builds the usual trainer: the training binaries in a
child process.

Experiments (paper section 4):
- data_efficiency (Fig. 5): Regression#1 on G ("OursShallow") vs Baseline#1
  with N labelled samples, N in {50, 500, 2500, 5000, 25000, all}.
- ablation (Fig. 6): Regression#2 alone (BL) and Regression#2 + G on G of
  each representation variant (BL+AE, BL+SG, BL+SG+AUG, BL+DG+AUG).
  BL+I_SG needs multi-view images, which the motion-capture protocol lacks:
  not run.
- table1 (Table 1): Regression#1 (on G), Regression#2, Regression#2 + G under
  Protocols #1 and #2 (trained and tested on all 4 cameras) and #3 (a
  representation and regressors trained on 3 cameras, tested on the 4th).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from typing import Callable, Dict, List, Mapping, Optional, Sequence

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.utils.files import write_json

EXPERIMENTS = ('data_efficiency', 'ablation', 'table1')
DATA_EFFICIENCY_LABELS = (50, 500, 2500, 5000, 25000, 0)  # 0: all
# Method label -> regressor type (Fig. 5).
DATA_EFFICIENCY_METHODS = (('OursShallow', 'regression1'),
                           ('Baseline#1', 'baseline1'))
ABLATION_VARIANTS = ('BL', 'BL+AE', 'BL+SG', 'BL+SG+AUG', 'BL+DG+AUG')
NOT_RUN = {'BL+I_SG': 'not run: view synthesis on raw images needs '
                      'multi-view images; the motion-capture protocol has '
                      'only 2D skeletons'}
TABLE1_REGRESSORS = (('Regression#1', 'regression1'),
                     ('Regression#2', 'regression2'),
                     ('Regression#2 + G', 'regression2_g'))
ALL_CAMERAS = (0, 1, 2, 3)


@dataclasses.dataclass
class RunSpec:
  """One training run of an experiment.

  Attributes:
    name: unique, file-name safe; the run's directory and result file.
    kind: 'regressor' or 'representation' (which binary trains it).
    flags: the run's own flags, name -> value (win over any shared flags).
    label: what the run stands for in the results (method, variant, row).
    num_labels: N labelled samples (regressors; 0: all).
    representation: name of a representation run of the same plan whose
      model_dir becomes this run's --representation_dir (trained first).
    test_cameras: cameras evaluated (None: the evaluator's default).
    protocol: 'P1' (all cameras) or 'P3' (held-out camera).
  """
  name: str
  kind: str
  flags: Dict[str, str]
  label: str = ''
  num_labels: int = 0
  representation: Optional[str] = None
  test_cameras: Optional[Sequence[int]] = None
  protocol: str = 'P1'


def labels_name(n: int) -> str:
  return 'all' if n == 0 else str(n)


def _cams(c: Sequence[int]) -> str:
  return ','.join(str(i) for i in c)


def _regressor(name, regressor, label, n, representation_dir=None,
               cameras=ALL_CAMERAS, representation=None, protocol='P1',
               test_cameras=None) -> RunSpec:
  flags = dict(regressor=regressor, num_labels=str(n), cameras=_cams(cameras))
  if representation_dir:
    flags['representation_dir'] = representation_dir
  return RunSpec(name=name, kind='regressor', flags=flags, label=label,
                 num_labels=n, representation=representation,
                 test_cameras=test_cameras, protocol=protocol)


def data_efficiency_plan(representation_dir: str,
                         num_labels: Sequence[int] = DATA_EFFICIENCY_LABELS
                         ) -> List[RunSpec]:
  """Fig. 5: OursShallow and Baseline#1 for each N (0: all)."""
  if not representation_dir:
    raise ArgumentError('data_efficiency needs a representation run '
                        '(--representation_dir)')
  plan = []
  for n in num_labels:
    for label, regressor in DATA_EFFICIENCY_METHODS:
      plan.append(_regressor(f'{regressor}_n{labels_name(n)}', regressor,
                             label, n, representation_dir
                             if regressor == 'regression1' else None))
  return plan


def _safe(variant: str) -> str:
  return variant.lower().replace('+', '_').replace('#', '')


def ablation_plan(representation_dirs: Mapping[str, str],
                  num_labels: int = 0) -> List[RunSpec]:
  """Fig. 6: BL (Regression#2 alone), then Regression#2 + G per variant.

  Args:
    representation_dirs: variant (e.g. 'BL+SG') -> representation run.
    num_labels: N labelled samples of every regressor (0: all).
  """
  unknown = set(representation_dirs) - set(ABLATION_VARIANTS[1:])
  if unknown:
    raise ArgumentError(f'unknown ablation variants {sorted(unknown)}; '
                        f'expected some of {ABLATION_VARIANTS[1:]}'
                        + ('; BL+I_SG is not run (needs multi-view images)'
                           if 'BL+I_SG' in unknown else ''))
  plan = [_regressor(f'bl_n{labels_name(num_labels)}', 'regression2', 'BL',
                     num_labels)]
  for variant in ABLATION_VARIANTS[1:]:
    if variant in representation_dirs:
      plan.append(_regressor(
          f'{_safe(variant)}_n{labels_name(num_labels)}', 'regression2_g',
          variant, num_labels, representation_dirs[variant]))
  return plan


# Table 1's column groups: Protocols #1/#2 (4 cameras) and #3 (held-out).
TABLE1_PROTOCOLS = ('P1', 'P3')


def table1_plan(representation_dir: str, holdout_camera: int = 3,
                regressors: Sequence = TABLE1_REGRESSORS,
                num_labels: int = 0,
                protocols: Sequence[str] = TABLE1_PROTOCOLS) -> List[RunSpec]:
  """Table 1: each regressor under Protocols #1/#2 and #3.

  Protocol #3 trains its own representation on the 3 other cameras (run
  'representation_p3', flags from the trainer's representation settings)
  and regressors on those cameras, tested on `holdout_camera` only.
  `protocols` ('P1': #1 and #2, which share runs; 'P3') limits the plan to
  some columns; the runs keep their names, so a later run of the whole
  plan in the same directory reuses them.
  """
  if holdout_camera not in ALL_CAMERAS:
    raise ArgumentError(f'holdout_camera must be in 0..3, got '
                        f'{holdout_camera}')
  protocols = tuple(protocols)
  if not protocols or any(p not in TABLE1_PROTOCOLS for p in protocols):
    raise ArgumentError(f'protocols must be among {TABLE1_PROTOCOLS}, got '
                        f'{protocols}')
  train_cams = tuple(c for c in ALL_CAMERAS if c != holdout_camera)
  needs_g = any(r in ('regression1', 'regression2_g') for _, r in regressors)
  if needs_g and not representation_dir and 'P1' in protocols:
    raise ArgumentError('table1 needs a representation run trained on all '
                        'cameras (--representation_dir)')
  plan = []
  if needs_g and 'P3' in protocols:
    plan.append(RunSpec(name='representation_p3', kind='representation',
                        flags=dict(cameras=_cams(train_cams)),
                        label='representation (Protocol #3 cameras)',
                        protocol='P3'))
  n = labels_name(num_labels)
  for label, regressor in regressors:
    uses_g = regressor in ('regression1', 'regression2_g')
    if 'P1' in protocols:
      plan.append(_regressor(f'{regressor}_p1_n{n}', regressor, label,
                             num_labels,
                             representation_dir if uses_g else None))
    if 'P3' in protocols:
      plan.append(_regressor(
          f'{regressor}_p3_n{n}', regressor, label, num_labels,
          cameras=train_cams, representation='representation_p3'
          if uses_g else None, protocol='P3',
          test_cameras=(holdout_camera,)))
  return plan


# ---------------------------------------------------------------- running
TrainFn = Callable[[RunSpec, str], None]
EvaluateFn = Callable[[RunSpec, str], Dict]


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
      mean = record['evaluation']['results']['exact' if 'exact' in record[
          'evaluation']['results'] else next(iter(record['evaluation'][
              'results']))]['mean']
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
                       env: Optional[Mapping[str, str]] = None) -> TrainFn:
  """A `train` for `run_plan`: the training binaries in a child process.

  The command line is: the shared args of the kind (e.g. a --flagfile and
  --train_steps), then --protocol_dir, --model_dir and the run's own flags,
  so that the run's flags win. Output goes to model_dir/train.log.

  Args:
    tools_dir: directory of train_regressor.py / train_representation.py.
    protocol_dir: prepared protocol of every run.
    regressor_args, representation_args: shared flags of each kind.
    python: interpreter.
    env: environment of the child (None: this one).
  """

  def train(spec: RunSpec, model_dir: str) -> None:
    binary, shared = {
        'regressor': ('train_regressor.py', regressor_args),
        'representation': ('train_representation.py', representation_args),
    }[spec.kind]
    argv = [python, os.path.join(tools_dir, binary), *shared,
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

"""What every experiment is made of: its runs, its options, its interface.

An experiment (one module of this package each) turns `ExperimentOptions`
into a plan, a list of `RunSpec`s run by `runner.run_plan`, and the plan's
run records into its figure's or table's data (`summarise`), text
(`format`) and, for figures, a PNG (`plot`). `registry.EXPERIMENTS` lists
them by name.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from geo_rep_tf.errors import ArgumentError

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


@dataclasses.dataclass(frozen=True)
class ExperimentOptions:
  """What a user chooses about an experiment; each reads the fields it needs.

  Attributes:
    representation_dir: representation run trained on all cameras
      (data_efficiency, table1).
    representation_dirs: ablation: variant (e.g. 'BL+SG') -> its
      representation run.
    num_labels: labelled samples N (0: all); data_efficiency runs each,
      ablation and table1 take exactly one.
    label_seed: which N samples are labelled.
    holdout_camera: table1: the Protocol #3 test camera.
    protocols: table1: column groups run ('P1': Protocols #1 and #2; 'P3').
    noisy_2d: train and evaluate on the noisy 2D (default: exact 2D).
    eval_limit: evaluate the first N test samples only (0: all).
    ablation_regressor: ablation: 'regression2' (BL = Regression#2) or
      'regression1' (BL = Baseline#1, rows Regression#1 on G).
  """
  representation_dir: Optional[str] = None
  representation_dirs: Mapping[str, str] = dataclasses.field(
      default_factory=dict)
  num_labels: Tuple[int, ...] = (0,)
  label_seed: int = 0
  holdout_camera: int = 3
  protocols: Tuple[str, ...] = ('P1', 'P3')
  noisy_2d: bool = False
  eval_limit: int = 0
  ablation_regressor: str = 'regression2'

  @property
  def inputs(self) -> str:
    """The evaluated 2D: 'exact' or 'noisy'."""
    return 'noisy' if self.noisy_2d else 'exact'

  def single_num_labels(self, experiment: str) -> int:
    """The one N of an experiment that takes one, else ArgumentError."""
    if len(self.num_labels) != 1:
      raise ArgumentError(
          f'--experiment={experiment} takes one --num_labels value, got '
          f'{",".join(labels_name(n) for n in self.num_labels)}')
    return self.num_labels[0]


@dataclasses.dataclass(frozen=True)
class Experiment:
  """One of the paper's experiments.

  Attributes:
    name: its registry name (also the name of its JSON and PNG).
    description: one line (paper figure or table, what it compares).
    plan: options -> the runs, in order (representations before users).
    summarise: (results of `run_plan`, inputs 'exact'/'noisy', the
      protocol's manifest) -> the figure's or table's data (JSON-able).
    format: summary -> printable text.
    plot: (summary, PNG path) -> None; None for a table.
  """
  name: str
  description: str
  plan: Callable[[ExperimentOptions], List[RunSpec]]
  summarise: Callable[[Mapping[str, Mapping], str, Mapping], Dict]
  format: Callable[[Mapping], str]
  plot: Optional[Callable[[Mapping, str], None]] = None


def labels_name(n: int) -> str:
  """Name of N labelled samples in run names and summaries (0: 'all')."""
  return 'all' if n == 0 else str(n)


def cameras_text(cameras: Sequence[int]) -> str:
  """(0, 1, 2) -> '0,1,2', the --cameras value."""
  return ','.join(str(i) for i in cameras)


def regressor_run(name: str, regressor: str, label: str, n: int,
                  representation_dir: Optional[str] = None,
                  cameras: Sequence[int] = ALL_CAMERAS,
                  representation: Optional[str] = None, protocol: str = 'P1',
                  test_cameras: Optional[Sequence[int]] = None) -> RunSpec:
  """A train_regressor run of `regressor` on N labelled samples.

  Args:
    name, label, representation, protocol, test_cameras: see `RunSpec`.
    regressor: the --regressor type.
    n: N labelled samples (0: all).
    representation_dir: its --representation_dir (regressors on G).
    cameras: training cameras.
  """
  flags = dict(regressor=regressor, num_labels=str(n),
               cameras=cameras_text(cameras))
  if representation_dir:
    flags['representation_dir'] = representation_dir
  return RunSpec(name=name, kind='regressor', flags=flags, label=label,
                 num_labels=n, representation=representation,
                 test_cameras=test_cameras, protocol=protocol)


def without_counts(summarise: Callable[[Mapping[str, Mapping], str], Dict]
                   ) -> Callable[[Mapping[str, Mapping], str, Mapping], Dict]:
  """An `Experiment.summarise` from a summary that needs no protocol counts.

  The runner hands every summary the protocol's manifest; tables whose rows
  do not depend on its sample counts (ablation, Table 1) ignore it.
  """
  def summarise_runs(results: Mapping[str, Mapping], inputs: str,
                     manifest: Mapping) -> Dict:
    del manifest  # The rows do not depend on the protocol's counts.
    return summarise(results, inputs)
  return summarise_runs

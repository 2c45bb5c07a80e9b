"""The paper's experiments by name (tools/run_experiment.py --experiment)."""

from __future__ import annotations

from typing import Dict

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import ablation, data_efficiency, table1
from geo_rep_tf.experiments.spec import Experiment

EXPERIMENTS: Dict[str, Experiment] = {
    m.EXPERIMENT.name: m.EXPERIMENT
    for m in (data_efficiency, ablation, table1)}


def get(name: str) -> Experiment:
  """The experiment called `name`, else ArgumentError listing them."""
  if name not in EXPERIMENTS:
    raise ArgumentError(f'unknown experiment {name!r}; expected one of '
                        f'{sorted(EXPERIMENTS)}')
  return EXPERIMENTS[name]

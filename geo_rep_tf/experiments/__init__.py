"""The paper's experiments: one module per experiment (plan, run, summarise, plot).

- data_efficiency (Fig. 5), ablation (Fig. 6), table1 (Table 1): plans of
  training runs, listed by name in `registry.EXPERIMENTS`, each an
  `spec.Experiment` (plan, summarise, format, plot) run by
  `runner.run_experiment`.
- interpolation (Fig. 4): latent interpolation between two poses of trained
  runs (tools/interpolate.py).
- probe: linear probes of a representation run's G
  (tools/probe_representation.py).
"""

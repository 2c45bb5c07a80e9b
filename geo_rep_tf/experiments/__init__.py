"""The paper's experiments: one module per experiment (plan, run, summarise, plot)."""

"""Finished runs: reading a run directory, restoring its variables, loading its models.

Sits between `models` and the stages that use trained models (training,
export, inference, experiments, tools); it never imports them.
"""

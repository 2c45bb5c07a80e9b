"""Distribution strategies: default, mirrored (GPUs or logical CPUs), multi-worker.

Logical CPU devices must be configured before TensorFlow initialises its
runtime, so `make_strategy` is called first thing in a binary.
"""

from __future__ import annotations

import json
import os

import tensorflow as tf

from geo_rep_tf.errors import ArgumentError

STRATEGIES = ('default', 'mirrored', 'multi_worker')


def configure_cpu_devices(num_devices: int) -> None:
  """Splits the CPU into `num_devices` logical devices (call before any op)."""
  if num_devices < 1:
    raise ArgumentError(f'num_cpu_devices must be >= 1, got {num_devices}')
  cpus = tf.config.list_physical_devices('CPU')
  current = tf.config.get_logical_device_configuration(cpus[0])
  if current is not None and len(current) == num_devices:
    return
  try:
    tf.config.set_logical_device_configuration(
        cpus[0], [tf.config.LogicalDeviceConfiguration()] * num_devices)
  except RuntimeError as e:
    raise ArgumentError(
        'logical CPU devices must be configured before TensorFlow runs any '
        f'op ({e})') from None


def make_strategy(kind: str = 'default', num_cpu_devices: int = 0
                  ) -> tf.distribute.Strategy:
  """Builds a distribution strategy.

  Args:
    kind: 'default' (one device), 'mirrored' (all GPUs, or
      `num_cpu_devices` logical CPUs when there is no GPU), 'multi_worker'
      (MultiWorkerMirroredStrategy from the TF_CONFIG environment variable).
    num_cpu_devices: logical CPU devices for 'mirrored' / 'multi_worker'
      without GPUs (0: one device).

  Returns:
    The strategy.
  """
  if kind not in STRATEGIES:
    raise ArgumentError(f'strategy must be one of {STRATEGIES}, got {kind!r}')
  gpus = tf.config.list_physical_devices('GPU')
  if num_cpu_devices and not gpus:
    configure_cpu_devices(num_cpu_devices)
  if kind == 'default':
    return tf.distribute.get_strategy()
  if kind == 'mirrored':
    if gpus:
      return tf.distribute.MirroredStrategy()
    devices = [d.name for d in tf.config.list_logical_devices('CPU')]
    return tf.distribute.MirroredStrategy(devices=devices)
  tf_config = os.environ.get('TF_CONFIG')
  if not tf_config:
    raise ArgumentError('strategy multi_worker needs the TF_CONFIG variable')
  try:
    json.loads(tf_config)
  except json.JSONDecodeError as e:
    raise ArgumentError(f'TF_CONFIG is not valid JSON: {e.msg}') from None
  return tf.distribute.MultiWorkerMirroredStrategy()


def is_chief(strategy: tf.distribute.Strategy) -> bool:
  """Whether this worker writes checkpoints' canonical copy and summaries."""
  resolver = getattr(strategy, 'cluster_resolver', None)
  if resolver is None or not resolver.task_type:
    return True
  return resolver.task_type == 'chief' or (
      resolver.task_type == 'worker' and resolver.task_id == 0)


def input_context(strategy: tf.distribute.Strategy
                  ) -> tf.distribute.InputContext:
  """This worker's input pipeline: its id, the pipeline count, replicas."""
  # MultiWorkerMirroredStrategy knows the worker's place in the cluster;
  # the default and single-machine mirrored strategies have one pipeline.
  make = getattr(strategy.extended, '_make_input_context', None)
  if callable(make):
    return make()
  return tf.distribute.InputContext(1, 0, strategy.num_replicas_in_sync)

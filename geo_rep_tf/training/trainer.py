"""One trainer for every stage: custom `tf.function` loops under a strategy.

The structure follows orbit: a traced inner loop runs `strategy.run(step)`
`steps_per_loop` times over `tf.range`; an outer Python loop owns logging,
summaries, evaluation and checkpoints. What is trained is a `Task`
(model, data, per-example losses); the trainer reduces the losses with the
global batch size, so the gradient is the same for any replica count.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Callable, Dict, Optional

import keras
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError, DataError, GeoRepError
from geo_rep_tf.runs import model_state
from geo_rep_tf.runs.model_dir import check_run_kind
from geo_rep_tf.training import checkpoints
from geo_rep_tf.training.strategy import input_context, is_chief
from geo_rep_tf.training.task import Task
from geo_rep_tf.utils.files import atomic_path, write_json
from geo_rep_tf.utils.progress import format_hms


class TrainingError(GeoRepError):
  """Training cannot go on (e.g. too many non-finite steps in a row)."""


@dataclasses.dataclass
class TrainerConfig:
  """Loop cadence and optimisation settings (the binaries fill it from flags).

  Attributes:
    model_dir: checkpoints, summaries, flags.txt and config.json go here.
    train_steps: the final step.
    steps_per_loop: steps per traced inner loop (log/summary granularity).
    checkpoint_every: steps between checkpoints (rounded to loops).
    eval_every: steps between evaluations (0: only at the end).
    eval_batches: batches per evaluation.
    keep_checkpoints: how many checkpoints to keep.
    learning_rate: peak learning rate of Adam.
    decay: 'cosine' to 0.01x at the end, or 'constant'.
    warmup_steps: linear warm-up.
    global_batch_size: examples per step over all replicas.
    seed: seeds weights and data; with `deterministic`, also op determinism.
    deterministic: `tf.config.experimental.enable_op_determinism()`.
    max_nonfinite_steps: stop after this many non-finite steps in a row.
    checkpoint_data: also checkpoint the input iterator (shuffle buffers and
      all), so that a resumed run sees exactly the batches an uninterrupted
      run would; with `deterministic`, it then ends with the same weights.
      Costs checkpoint size (the buffered examples are saved).
    image_summaries_every: steps between image/mesh summaries (0: never).
    log_every_s: seconds between progress lines.
  """
  model_dir: str
  train_steps: int = 1000
  steps_per_loop: int = 50
  checkpoint_every: int = 500
  eval_every: int = 0
  eval_batches: int = 20
  keep_checkpoints: int = 3
  learning_rate: float = 1e-3
  decay: str = 'cosine'
  warmup_steps: int = 0
  global_batch_size: int = 64
  seed: int = 0
  deterministic: bool = False
  max_nonfinite_steps: int = 20
  checkpoint_data: bool = True
  image_summaries_every: int = 500
  log_every_s: float = 10.0

  def __post_init__(self):
    for name in ('train_steps', 'steps_per_loop', 'checkpoint_every',
                 'global_batch_size', 'eval_batches', 'keep_checkpoints',
                 'max_nonfinite_steps'):
      if getattr(self, name) < 1:
        raise ArgumentError(f'{name} must be >= 1, got {getattr(self, name)}')
    if not self.learning_rate > 0:
      raise ArgumentError(
          f'learning_rate must be > 0, got {self.learning_rate}')
    if not 0 <= self.warmup_steps < self.train_steps:
      raise ArgumentError(f'warmup_steps must be in [0, train_steps = '
                          f'{self.train_steps}), got {self.warmup_steps}')
    if self.decay not in ('cosine', 'constant'):
      raise ArgumentError(f"decay must be 'cosine' or 'constant', got "
                          f'{self.decay!r}')


def _learning_rate(config: TrainerConfig):
  if config.decay == 'constant' and not config.warmup_steps:
    return config.learning_rate
  decay_steps = max(config.train_steps - config.warmup_steps, 1)
  if config.decay == 'cosine':
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate if not config.warmup_steps else 0.0,
        decay_steps, alpha=0.01,
        warmup_target=config.learning_rate if config.warmup_steps else None,
        warmup_steps=config.warmup_steps)
    return schedule
  return keras.optimizers.schedules.CosineDecay(
      0.0, decay_steps, alpha=1.0, warmup_target=config.learning_rate,
      warmup_steps=config.warmup_steps)


class Trainer:
  """Trains a Task under a strategy with checkpoints, summaries and resume."""

  def __init__(self, task: Task, config: TrainerConfig,
               strategy: Optional[tf.distribute.Strategy] = None,
               flags_text: Optional[str] = None,
               extra_config: Optional[Dict] = None,
               log: Callable[[str], None] = print):
    self.task, self.config = task, config
    self.strategy = strategy or tf.distribute.get_strategy()
    self.log = task.log = log
    self.chief = is_chief(self.strategy)
    self._prepare_run()
    self._build()
    self._restore()
    # Written only once the run could be built and resumed: a run that
    # fails on its inputs (a wrong --representation_dir) leaves nothing.
    if self.chief:
      self._write_run_files(flags_text, extra_config)
    self._writer, self._eval_writer = self._summary_writers()
    self._loop = None

  # ---------------------------------------------------------------- setup
  def _prepare_run(self) -> None:
    """Seeds, the run directory (of this stage), the batch check."""
    config = self.config
    check_run_kind(config.model_dir, self.task.name)
    if config.deterministic:
      tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(config.seed)
    try:
      os.makedirs(config.model_dir, exist_ok=True)
    except OSError as e:
      raise ArgumentError(f'model_dir {config.model_dir}: cannot create it '
                          f'({e.strerror})') from None
    replicas = self.strategy.num_replicas_in_sync
    if config.global_batch_size % replicas:
      raise ArgumentError(f'global_batch_size {config.global_batch_size} is '
                          f'not divisible by {replicas} replicas')

  def _build(self) -> None:
    """The input pipeline, the model (built on one batch), the optimizer."""
    task = self.task
    # The input pipeline of this worker, iterated as a plain (checkpointable)
    # tf.data iterator; each step hands its local replicas consecutive
    # batches, as `distribute_datasets_from_function` would.
    self._input_context = input_context(self.strategy)
    self._local_replicas = (self.strategy.num_replicas_in_sync //
                            self._input_context.num_input_pipelines)
    self._train_ds = task.dataset(self._input_context, 'train')
    with self.strategy.scope():
      self.model = task.build_model()
      # Build eagerly on one (held-out) batch so variables exist before
      # tracing; the same batch feeds the image summaries.
      try:
        self._build_batch = next(iter(task.dataset(
            tf.distribute.InputContext(1, 0, 1), 'test')))
      except (StopIteration, tf.errors.OutOfRangeError):
        raise DataError(f'task {task.name}: the test split gives no batch '
                        '(empty after filtering?)') from None
      task.compute_losses(self.model, self._build_batch, training=False)
      task.after_build(self.model)
      self.variables = task.trainable_variables(self.model)
      self.optimizer = keras.optimizers.Adam(_learning_rate(self.config))
      self.optimizer.build(self.variables)
      self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name='step')
      self.nonfinite_run = tf.Variable(0, dtype=tf.int64, trainable=False)
      self.nonfinite_total = tf.Variable(0, dtype=tf.int64, trainable=False)
      self.metrics: Dict[str, keras.metrics.Mean] = {}
    # One iterator for the trainer's life, created before the restore so
    # that its position (and its shuffle buffers) come back with the weights.
    self._iterator = iter(self._train_ds)

  def _restore(self) -> None:
    """Resumes from the latest checkpoint, or initialises a fresh run."""
    config, log = self.config, self.log
    # Every model variable by path (see model_state: `model=` alone misses
    # list-held layers and batch-norm statistics under Keras 3).
    tracked = dict(model=self.model,
                   model_variables=model_state.variables_by_path(self.model),
                   optimizer=self.optimizer, step=self.step,
                   nonfinite_total=self.nonfinite_total)
    # Several workers each read their own shard, and only the chief's
    # checkpoint is kept, so there the data position is not saved (a resumed
    # multi-worker run starts its data order afresh).
    if config.checkpoint_data and self._input_context.num_input_pipelines == 1:
      tracked['data'] = self._iterator
    self.ckpt = tf.train.Checkpoint(**tracked)
    self.manager = checkpoints.make_manager(
        self.ckpt, config.model_dir, config.keep_checkpoints, self.chief)
    restored = checkpoints.restore_latest(
        self.ckpt, checkpoints.read_manager(self.ckpt, config.model_dir,
                                            self.manager), log)
    if restored:
      log(f'resumed from {restored} at step {int(self.step.numpy())}')
    else:
      with self.strategy.scope():
        self.task.initialize(self.model, log)

  def _summary_writers(self):
    """Train and eval summary writers (no-ops off the chief)."""
    if not self.chief:
      return tf.summary.create_noop_writer(), tf.summary.create_noop_writer()
    return tuple(tf.summary.create_file_writer(
        os.path.join(self.config.model_dir, name)) for name in ('train', 'eval'))

  # ---------------------------------------------------------------- files
  def _write_run_files(self, flags_text, extra_config) -> None:
    d = self.config.model_dir
    if flags_text is not None:
      with atomic_path(os.path.join(d, 'flags.txt')) as tmp:
        with open(tmp, 'w') as fh:
          fh.write(flags_text)
    cfg = dict(trainer=dataclasses.asdict(self.config), task=self.task.name,
               **(extra_config or {}))
    write_json(os.path.join(d, 'config.json'), cfg)

  # ----------------------------------------------------------------- step
  def _metric(self, name: str) -> keras.metrics.Mean:
    if name not in self.metrics:
      with self.strategy.scope():
        self.metrics[name] = keras.metrics.Mean(name=name)
    return self.metrics[name]

  def _step_fn(self, batch):
    gbs = self.config.global_batch_size
    with tf.GradientTape() as tape:
      losses = self.task.compute_losses(self.model, batch, training=True)
      loss = tf.nn.compute_average_loss(losses['total'], global_batch_size=gbs)
    grads = tape.gradient(loss, self.variables)
    finite = tf.math.is_finite(loss)
    for g in grads:
      if g is not None:
        finite &= tf.reduce_all(tf.math.is_finite(g))
    ctx = tf.distribute.get_replica_context()
    bad_replicas = ctx.all_reduce(tf.distribute.ReduceOp.SUM,
                                  1.0 - tf.cast(finite, tf.float32))
    all_finite = bad_replicas < 0.5
    ctx.merge_call(self._maybe_apply, args=(all_finite, grads))
    # A skipped step does not enter the loss means (weight 0).
    weight = tf.cast(all_finite, tf.float32)
    for name, value in losses.items():
      safe = tf.where(tf.math.is_finite(value), value, tf.zeros_like(value))
      self._metric(name).update_state(
          safe, sample_weight=tf.broadcast_to(weight, tf.shape(safe)))
    return all_finite

  def _maybe_apply(self, strategy, all_finite, grads):
    """Applies the gradients only if every replica's step was finite.

    A non-finite step is a true skip: weights, Adam's moments and its
    iteration count stay as they were (zeroed gradients would still move the
    weights by Adam's momentum). The cond runs in cross-replica context,
    because DistributionStrategy allows no merge_call (which the optimizer's
    gradient reduction makes) inside a replica-context cond; the replicas
    then run the update together, all taking the same branch.
    """
    ok = strategy.experimental_local_results(all_finite)[0]

    def apply():
      strategy.extended.call_for_each_replica(
          lambda g: self.optimizer.apply(g, self.variables), args=(grads,))
      return tf.constant(True)

    tf.cond(ok, apply, lambda: tf.constant(False))

  def _make_loop(self):
    strategy = self.strategy
    local = self._local_replicas

    def next_batches(iterator):
      batches = [next(iterator) for _ in range(local)]
      return strategy.experimental_distribute_values_from_function(
          lambda ctx: batches[ctx.replica_id_in_sync_group % local])

    @tf.function
    def loop(iterator, num_steps):
      for _ in tf.range(num_steps):
        finite = strategy.run(self._step_fn, args=(next_batches(iterator),))
        finite = strategy.experimental_local_results(finite)[0]
        self.step.assign_add(1)
        if finite:
          self.nonfinite_run.assign(0)
        else:
          self.nonfinite_run.assign_add(1)
          self.nonfinite_total.assign_add(1)
    return loop

  # ----------------------------------------------------------------- run
  def train(self) -> Dict[str, float]:
    """Trains to `train_steps`; returns the last loop's mean losses."""
    cfg = self.config
    if self._loop is None:
      # Metrics are created on first use: trace once in a throwaway pass
      # would cost a step, so create them from the build batch's keys.
      for name in self.task.compute_losses(self.model, self._build_batch,
                                           training=False):
        self._metric(name)
      self._loop = self._make_loop()
    iterator = self._iterator
    start_step = int(self.step.numpy())
    if start_step >= cfg.train_steps:
      self.log(f'already at step {start_step} >= {cfg.train_steps}')
      return {}
    t_start = t_log = time.time()
    last: Dict[str, float] = {}
    last_ckpt = start_step
    while int(self.step.numpy()) < cfg.train_steps:
      step = int(self.step.numpy())
      n = min(cfg.steps_per_loop, cfg.train_steps - step)
      for m in self.metrics.values():
        m.reset_state()
      t0 = time.time()
      try:
        self._loop(iterator, tf.constant(n, tf.int32))
      except tf.errors.OutOfRangeError:
        raise DataError(f'task {self.task.name}: the training data ran out '
                        f'at step {int(self.step.numpy())} (empty after '
                        'filtering, or fewer examples than one global batch '
                        f'of {cfg.global_batch_size}?)') from None
      step = int(self.step.numpy())
      dt = time.time() - t0
      last = {k: float(m.result()) for k, m in self.metrics.items()}
      ex_per_s = n * cfg.global_batch_size / max(dt, 1e-9)
      self._write_scalars(step, last, ex_per_s)
      if int(self.nonfinite_run.numpy()) >= cfg.max_nonfinite_steps:
        raise TrainingError(
            f'{int(self.nonfinite_run.numpy())} non-finite steps in a row at '
            f'step {step}; lower --learning_rate or check the data')
      now = time.time()
      if now - t_log >= cfg.log_every_s or step >= cfg.train_steps:
        t_log = now
        rate = (step - start_step) / max(now - t_start, 1e-9)
        eta = (cfg.train_steps - step) / max(rate, 1e-9)
        terms = ' '.join(f'{k} {v:.4g}' for k, v in last.items())
        self.log(f'step {step}/{cfg.train_steps} | {terms} | '
                 f'{ex_per_s:.0f} ex/s | ETA {format_hms(eta)}')
      if cfg.image_summaries_every and (
          step // cfg.image_summaries_every !=
          (step - n) // cfg.image_summaries_every) and self.chief:
        with self._writer.as_default(step=step):
          self.task.write_images(self.model, self._build_batch, step)
      if cfg.eval_every and (step // cfg.eval_every !=
                             (step - n) // cfg.eval_every):
        self.evaluate()
      if step - last_ckpt >= cfg.checkpoint_every or step >= cfg.train_steps:
        self.manager.save(checkpoint_number=step)
        last_ckpt = step
    self._writer.flush()
    return last

  def _write_scalars(self, step, values, ex_per_s) -> None:
    with self._writer.as_default(step=step):
      for k, v in values.items():
        tf.summary.scalar(f'loss/{k}', v)
      lr = self.optimizer.learning_rate
      tf.summary.scalar('learning_rate', float(
          lr.numpy() if hasattr(lr, 'numpy') else lr))
      tf.summary.scalar('examples_per_s', ex_per_s)
      tf.summary.scalar('nonfinite_steps', int(self.nonfinite_total.numpy()))

  def evaluate(self, split: str = 'test') -> Dict[str, float]:
    """Mean of the task's eval metrics over `eval_batches` batches."""
    ds = self.task.dataset(tf.distribute.InputContext(1, 0, 1), split)
    sums: Dict[str, float] = {}
    count = 0
    for batch in ds.take(self.config.eval_batches):
      values = self.task.eval_metrics(self.model, batch)
      for k, v in values.items():
        sums[k] = sums.get(k, 0.0) + float(tf.reduce_sum(v))
      count += int(tf.shape(next(iter(values.values())))[0])
    result = {k: v / max(count, 1) for k, v in sums.items()}
    step = int(self.step.numpy())
    with self._eval_writer.as_default(step=step):
      for k, v in result.items():
        tf.summary.scalar(f'eval/{k}', v)
    self._eval_writer.flush()
    self.log(f'eval @ {step}: ' + ' '.join(f'{k} {v:.4g}'
                                            for k, v in result.items()))
    return result


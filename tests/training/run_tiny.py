"""Runs a tiny training job in a fresh process (strategies need a fresh runtime).

  python run_tiny.py PROTOCOL_DIR MODEL_DIR STEPS STRATEGY NUM_CPU_DEVICES \
      [--steps_per_loop=5] [--checkpoint_every=5] [--weights_out=W.npz] \
      [--progress] [--decay=cosine|constant]

Prints one JSON line: final step, last losses and, per replica, a checksum of
every trainable variable. --weights_out saves every model and optimizer
variable (replica 0) for exact comparisons; --progress prints `step N` after
every loop, flushed, so that a test can kill the job at a chosen step.
"""

import argparse
import json
import sys

from geo_rep_tf.training import strategy as strategy_lib


def main():
  parser = argparse.ArgumentParser()
  for name in ('protocol_dir', 'model_dir', 'steps', 'kind', 'devices'):
    parser.add_argument(name)
  parser.add_argument('--steps_per_loop', type=int, default=5)
  parser.add_argument('--checkpoint_every', type=int, default=5)
  parser.add_argument('--weights_out')
  parser.add_argument('--progress', action='store_true')
  parser.add_argument('--decay', default='cosine')
  args = parser.parse_args()
  strategy = strategy_lib.make_strategy(args.kind, int(args.devices))
  import numpy as np
  from geo_rep_tf.runs.configs import RegressorConfig
  from geo_rep_tf.training import regressor_task as rt
  from geo_rep_tf.training.trainer import Trainer, TrainerConfig
  task = rt.RegressorTask(RegressorConfig(
      protocol_dir=args.protocol_dir, regressor='baseline1', hidden=64,
      global_batch_size=32, num_labels=500))
  cfg = TrainerConfig(model_dir=args.model_dir, train_steps=int(args.steps),
                      steps_per_loop=args.steps_per_loop,
                      checkpoint_every=args.checkpoint_every,
                      global_batch_size=32, image_summaries_every=0,
                      deterministic=True, log_every_s=0, decay=args.decay)

  def log(line):
    if args.progress:
      print(line, flush=True)
  trainer = Trainer(task, cfg, strategy, log=log)
  last = trainer.train()
  replicas = []
  for v in trainer.variables:
    values = strategy.experimental_local_results(getattr(v, "value", v))
    replicas.append([float(np.asarray(x, np.float64).sum()) for x in values])
  if args.weights_out:
    arrays = {}
    for i, v in enumerate(list(trainer.model.weights) +
                          list(trainer.optimizer.variables)):
      value = strategy.experimental_local_results(getattr(v, 'value', v))[0]
      arrays[f'v{i:03d}'] = np.asarray(value)
    np.savez(args.weights_out, **arrays)
  print(json.dumps(dict(step=int(trainer.step.numpy()), losses=last,
                        replicas=replicas,
                        num_replicas=strategy.num_replicas_in_sync,
                        optimizer_iterations=int(
                            trainer.optimizer.iterations.numpy()))))


if __name__ == '__main__':
  main()

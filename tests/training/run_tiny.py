"""Runs a tiny training job in a fresh process (strategies need a fresh runtime).

  python run_tiny.py PROTOCOL_DIR MODEL_DIR STEPS STRATEGY NUM_CPU_DEVICES

Prints one JSON line: final step, last losses and, per replica, a checksum of
every trainable variable.
"""

import json
import sys

from geo_rep_tf.training import strategy as strategy_lib


def main():
  protocol_dir, model_dir, steps, kind, devices = sys.argv[1:6]
  strategy = strategy_lib.make_strategy(kind, int(devices))
  import numpy as np
  from geo_rep_tf.training import regressor_task as rt
  from geo_rep_tf.training.trainer import Trainer, TrainerConfig
  task = rt.RegressorTask(rt.RegressorConfig(
      protocol_dir=protocol_dir, regressor='baseline1', hidden=64,
      global_batch_size=32, num_labels=500))
  cfg = TrainerConfig(model_dir=model_dir, train_steps=int(steps),
                      steps_per_loop=5, checkpoint_every=5,
                      global_batch_size=32, image_summaries_every=0,
                      deterministic=True, log_every_s=0)
  trainer = Trainer(task, cfg, strategy, log=lambda s: None)
  last = trainer.train()
  replicas = []
  for v in trainer.variables:
    values = strategy.experimental_local_results(getattr(v, "value", v))
    replicas.append([float(np.asarray(x, np.float64).sum()) for x in values])
  print(json.dumps(dict(step=int(trainer.step.numpy()), losses=last,
                        replicas=replicas,
                        num_replicas=strategy.num_replicas_in_sync,
                        optimizer_iterations=int(
                            trainer.optimizer.iterations.numpy()))))


if __name__ == '__main__':
  main()

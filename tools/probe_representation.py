r"""Does a representation run's G carry the pose? Linear probes and map fit.

  python tools/probe_representation.py --representation_dir=work_dirs/rep_long \
      [--protocol_dir=work_dirs/bandai_h36m_full] [--out=probe.json]

Prints one JSON line (and writes it to --out atomically): the held-out
MPJPE (mm) of ridge regressions from G, from normalised 2D and from both to
the 3D pose, on exact and on noisy 2D, how much of the test views'
variance the decoder explains, and the latent's diagnostics (per-axis
variance, the share a rotation-consistent linear function of the 3D
explains); geo_rep_tf/experiments/probe.py describes each field. Fits on 8,000 training samples, scores on 3,000 test samples.
"""

import json

from absl import flags

from geo_rep_tf import cli
from geo_rep_tf.experiments import probe
from geo_rep_tf.utils.files import write_json

FLAGS = flags.FLAGS
flags.DEFINE_string('representation_dir', None, 'Representation run '
                    '(tools/train_representation.py).')
flags.DEFINE_string('protocol_dir', 'work_dirs/bandai_h36m_full',
                    'Prepared protocol whose samples are probed.')
flags.DEFINE_integer('train_samples', probe.ProbeConfig.train_samples,
                     'Training samples the probes fit.', lower_bound=2)
flags.DEFINE_integer('test_samples', probe.ProbeConfig.test_samples,
                     'Test samples the probes are scored on.', lower_bound=1)
flags.DEFINE_string('out', None, 'JSON written (default: printed only).')
flags.mark_flag_as_required('representation_dir')


def main(argv):
  del argv
  config = probe.ProbeConfig(train_samples=FLAGS.train_samples,
                             test_samples=FLAGS.test_samples)
  out = probe.probe_representation(FLAGS.representation_dir,
                                   FLAGS.protocol_dir, config)
  print(json.dumps(out))
  if FLAGS.out:
    write_json(FLAGS.out, out)


def run():
  cli.run(main)


if __name__ == '__main__':
  run()

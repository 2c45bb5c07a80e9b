"""Runs a written export in a fresh process (what a server or a phone sees).

  python -m geo_rep_tf.export.reload_check EXPORT_DIR INPUTS.npz OUTPUTS.npz

INPUTS.npz holds `SIGNATURE/INPUT` arrays. Every SavedModel signature named
there is run from `tf.saved_model.load` (`savedmodel/SIG/OUTPUT` in
OUTPUTS.npz) and every `lifter_*.tflite` beside it with the LiteRT
interpreter on its `keypoints_to_pose3d` inputs (`tflite_PREC/OUTPUT`).
Prints one JSON line: the loaded signature names, each TFLite file's ops
and signature list. Nothing from the exporting process is reused.
"""

import glob
import json
import os
import sys


def _inputs_by_signature(npz):
  out = {}
  for key in npz.files:
    sig, name = key.split('/', 1)
    out.setdefault(sig, {})[name] = npz[key]
  return out


def main(argv):
  export_dir, inputs_path, outputs_path = argv[1:4]
  os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
  import numpy as np
  import tensorflow as tf
  from ai_edge_litert.interpreter import Interpreter

  with np.load(inputs_path) as npz:
    inputs = _inputs_by_signature(npz)
  outputs = {}
  info = {'saved_model_signatures': [], 'tflite': {}}
  saved_dir = os.path.join(export_dir, 'saved_model')
  if os.path.isdir(saved_dir):
    loaded = tf.saved_model.load(saved_dir)
    info['saved_model_signatures'] = sorted(loaded.signatures)
    for sig, feeds in inputs.items():
      if sig not in loaded.signatures:
        continue
      result = loaded.signatures[sig](
          **{k: tf.constant(v) for k, v in feeds.items()})
      for name, value in result.items():
        outputs[f'savedmodel/{sig}/{name}'] = value.numpy()
  for path in sorted(glob.glob(os.path.join(export_dir, 'lifter_*.tflite'))):
    precision = os.path.basename(path)[len('lifter_'):-len('.tflite')]
    interpreter = Interpreter(model_path=path)
    ops = sorted({op['op_name'] for op in interpreter._get_ops_details()})  # pylint: disable=protected-access
    signatures = interpreter.get_signature_list()
    info['tflite'][precision] = dict(ops=ops, signatures=signatures)
    sig = next(iter(signatures))
    runner = interpreter.get_signature_runner(sig)
    for name, value in runner(**inputs[sig]).items():
      outputs[f'tflite_{precision}/{name}'] = np.asarray(value)
  np.savez(outputs_path, **outputs)
  print(json.dumps(info))


if __name__ == '__main__':
  main(sys.argv)

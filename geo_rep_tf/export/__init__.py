"""SavedModel and TFLite export of the lifter, its verification and loading.

  from geo_rep_tf.export import export_lifter, load_lifter
  report = export_lifter(lifter, 'work_dirs/export')   # verified, atomic
  lifter = load_lifter('work_dirs/export')             # [N,16,2] px -> [N,16,3] mm

Names are imported on first use, so `load_lifter` of a .tflite file does not
import TensorFlow.
"""

import importlib

_WHERE = {
    'PRECISIONS': 'exporter', 'ExportError': 'exporter',
    'convert_tflite': 'exporter', 'export_lifter': 'exporter',
    'Lifter': 'loader', 'check_keypoints': 'loader', 'load_lifter': 'loader',
    'LifterServing': 'serving', 'TOLERANCES': 'verify', 'Tolerance': 'verify',
    'verify_export': 'verify',
}

__all__ = sorted(_WHERE)


def __getattr__(name):
  if name in _WHERE:
    module = importlib.import_module(f'geo_rep_tf.export.{_WHERE[name]}')
    return getattr(module, name)
  raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

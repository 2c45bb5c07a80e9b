"""SavedModel and TFLite export of the lifter, its verification and loading.

  from geo_rep_tf.export import export_lifter, load_lifter
  report = export_lifter(lifter, 'work_dirs/export')   # verified, atomic
  lifter = load_lifter('work_dirs/export')             # [N,16,2] px -> [N,16,3] mm

`Lifter`, `load_lifter` and `check_keypoints` are those of
`geo_rep_tf.runs.lifter` (which also loads regressor runs). Names are
imported on first use, so `load_lifter` of a .tflite file does not import
TensorFlow.
"""

import importlib

_WHERE = {
    'PRECISIONS': 'export.exporter', 'ExportError': 'export.exporter',
    'convert_tflite': 'export.exporter', 'export_lifter': 'export.exporter',
    'Lifter': 'runs.lifter', 'check_keypoints': 'runs.lifter',
    'load_lifter': 'runs.lifter', 'ServingModule': 'export.serving',
    'TOLERANCES': 'export.verify', 'Tolerance': 'export.verify',
    'verify_export': 'export.verify',
}

__all__ = sorted(_WHERE)


def __getattr__(name):
  if name in _WHERE:
    module = importlib.import_module(f'geo_rep_tf.{_WHERE[name]}')
    return getattr(module, name)
  raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

"""geo_rep_tf: weakly-supervised geometry-aware representation for 3D pose."""

import os as _os

# TensorFlow's C++ info lines drown the tools' own output; a user's own
# setting wins.
_os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
# oneDNN kernels made a representation training step 1.8x faster on our
# 2-core CPU (bench/results/training.json, cpu_options); TensorFlow reads the
# variable once, at import, so it is set before any submodule imports it.
_os.environ.setdefault('TF_ENABLE_ONEDNN_OPTS', '1')

__version__ = '0.1.0'

"""Plotting shared by training, evaluation and inference (matplotlib, no TF).

Pictures are only ever written to files or encoded to arrays, never shown,
so importing this package selects matplotlib's non-interactive Agg backend,
once for the whole project: a module that draws imports a `viz` module
before it makes its first figure. `skeletons` holds the skeleton colours,
maps and 2D skeletons; `figures` the multi-panel figures and saving them.
"""

import matplotlib

matplotlib.use('Agg')

"""The binaries' layer: running absl binaries and their shared flags.

`geo_rep_tf.cli` sits above every other part of geo_rep_tf (it is what
tools/ is made of) and nothing in the library imports it, so unlike the
library it may read absl flags. This module runs a binary's main with
one-line errors and exit code 2 for user mistakes; `geo_rep_tf.cli.flags`
defines the flags the trainers share and turns them into configs.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, List

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

# absl's flags module under another name: `flags` is the submodule
# geo_rep_tf.cli.flags, which importing it binds here.
from absl import app  # noqa: E402
from absl import flags as absl_flags  # noqa: E402

from geo_rep_tf.errors import GeoRepError  # noqa: E402

USAGE_ERROR = 2
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a Ctrl-C'd command


def fail(message: str) -> None:
  """Prints `error: message` on one line to stderr and exits with code 2."""
  message = ' '.join(str(message).split())
  sys.stderr.write(f'error: {message}\n')
  sys.exit(USAGE_ERROR)


def _parse_flags(argv: List[str]) -> List[str]:
  try:
    return absl_flags.FLAGS(argv)
  except absl_flags.Error as e:
    fail(str(e))


def run(main: Callable[[List[str]], None]) -> None:
  """app.run(main), turning GeoRepError and flag errors into one line + exit 2."""

  def wrapped(argv):
    if len(argv) > 1:
      fail(f'unexpected positional arguments: {" ".join(argv[1:])}')
    try:
      main(argv)
    except GeoRepError as e:
      fail(str(e))
    except KeyboardInterrupt:
      # Outputs go to temporary paths renamed when complete (checkpoints
      # by their manager), so an interrupted tool leaves no partial file.
      sys.stderr.write('error: interrupted (Ctrl-C)\n')
      sys.exit(INTERRUPTED)
    except Exception as e:  # pylint: disable=broad-except
      # A file damaged after its checks (a TFRecord or checkpoint changed
      # under a running job) reaches us as tf.errors.DataLossError.
      tf = sys.modules.get('tensorflow')
      if tf is not None and isinstance(e, tf.errors.DataLossError):
        first = (str(e).strip().splitlines() or [''])[0]
        fail(f'damaged data file: {first}')
      raise

  app.run(wrapped, flags_parser=_parse_flags)

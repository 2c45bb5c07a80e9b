"""Input handling shared by the regressors that may take the latent G."""

from __future__ import annotations

from geo_rep_tf.errors import ArgumentError


def check_rate(name: str, rate: float) -> None:
  """ArgumentError naming `name` unless 0 <= rate < 1 (a dropout rate)."""
  if not 0.0 <= rate < 1.0:
    raise ArgumentError(f'{name} must be in [0, 1), got {rate}')


def split_latent_inputs(model_name: str, inputs, main_key: str,
                        use_latent: bool):
  """(main input, latent or None) from a tensor or a dict of inputs.

  Raises ArgumentError, naming the model, when `main_key` is missing, when
  `use_latent` is set but no 'latent' is given, when a 'latent' is given
  to a model built without it (silently ignoring it would hide a wrong
  variant), or when the latent is not [B, M, 3]-ranked.
  """
  if not isinstance(inputs, dict):
    inputs = {main_key: inputs}
  if main_key not in inputs:
    article = 'an' if main_key[0] in 'aeiou' else 'a'
    raise ArgumentError(f'{model_name}: inputs need {article} {main_key!r} '
                        f'entry, got keys {sorted(inputs)}')
  latent = inputs.get('latent')
  if use_latent and latent is None:
    raise ArgumentError(f'{model_name}: use_latent=True needs a \'latent\' '
                        'input [B, M, 3]')
  if not use_latent and latent is not None:
    raise ArgumentError(f'{model_name}: got a \'latent\' input but the '
                        'model was built with use_latent=False')
  if latent is not None and len(latent.shape) != 3:
    raise ArgumentError(f'{model_name}: latent must have shape [B, M, 3], '
                        f'got {latent.shape}')
  return inputs[main_key], latent

"""Which paths `--overwrite` may replace: only an earlier export."""

import pytest

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.export import layout


def _export(path):
  path.mkdir()
  (path / 'saved_model').mkdir()
  for name in ('export.json', 'verification.json', 'lifter_fp32.tflite'):
    (path / name).write_text('x')
  return path


def test_an_earlier_export_is_replaceable_with_overwrite(tmp_path):
  out = _export(tmp_path / 'e')
  assert layout.is_export(str(out))
  layout.check_out_dir(str(out), overwrite=True)
  with pytest.raises(ArgumentError, match='already exists'):
    layout.check_out_dir(str(out), overwrite=False)
  layout.check_out_dir(str(tmp_path / 'new'), overwrite=False)


@pytest.mark.parametrize('make,match', [
    (lambda p: p.write_text('x'), 'is a file, not an earlier export'),
    (lambda p: p.mkdir(), 'no export.json'),
    (lambda p: (_export(p) / 'notes.txt').write_text('mine'), 'notes.txt'),
])
def test_anything_else_is_refused_even_with_overwrite(tmp_path, make, match):
  out = tmp_path / 'target'
  make(out)
  with pytest.raises(ArgumentError, match=match):
    layout.check_out_dir(str(out), overwrite=True)
  assert out.exists()


def test_a_link_to_an_export_is_not_replaced(tmp_path):
  out = _export(tmp_path / 'e')
  (tmp_path / 'link').symlink_to(out)
  with pytest.raises(ArgumentError, match='not an earlier export'):
    layout.check_out_dir(str(tmp_path / 'link'), overwrite=True)

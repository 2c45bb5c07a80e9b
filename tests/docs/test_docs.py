"""The manual: README.md, docs/ and the model cards.

- README.md is short (<= 200 lines);
- no text about sessions or issues, and no reference to a design file outside
  the repository;
- every work_dirs/ path they mention is created by a documented command;
- every command in their code blocks names an existing tool, flags that tool
  defines and repository files that exist;
- every results table matches its JSON (tests/docs/results_tables.py);
- (slow) the README's quick-start commands run as written.
"""

import functools
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import pytest

from tests.docs import results_tables

REPO = results_tables.REPO
TOOLS_DIR = os.path.join(REPO, 'tools')


def _rel(path):
  return os.path.relpath(path, REPO)


def _doc_files():
  files = [os.path.join(REPO, 'README.md')]
  files += sorted(glob.glob(os.path.join(REPO, 'docs', '**', '*.md'),
                            recursive=True))
  files += sorted(glob.glob(os.path.join(REPO, 'models', '*', 'README.md')))
  return files


DOCS = _doc_files()


def _read(path):
  with open(path, encoding='utf-8') as fh:
    return fh.read()


# ---------------------------------------------------------------- parsing

FENCE = re.compile(r'^```([^\n`]*)\n(.*?)^```', re.M | re.S)
INLINE = re.compile(r'(?<!`)`([^`]+)`(?!`)')


def _code_blocks(text):
  """(language, first line number, body) of each fenced block."""
  out = []
  for m in FENCE.finditer(text):
    line = text.count('\n', 0, m.start(2)) + 1
    out.append((m.group(1).strip(), line, m.group(2)))
  return out


def _inline_code(text):
  """(line, code) of each inline code span outside fenced blocks."""
  masked = FENCE.sub(lambda m: '\n' * m.group(0).count('\n'), text)
  return [(masked.count('\n', 0, m.start()) + 1, m.group(1))
          for m in INLINE.finditer(masked)]


def _logical_lines(body, first_line):
  """Shell lines of a code block: continuations joined, comments cut."""
  out, buf, start = [], '', None
  for i, raw in enumerate(body.split('\n')):
    line = raw.rstrip()
    if start is None:
      start = first_line + i
    if line.endswith('\\'):
      buf += line[:-1] + ' '
      continue
    buf += line
    if buf.strip():
      out.append((start, buf))
    buf, start = '', None
  return out


TOOL_RE = re.compile(r'(?:^|[\s/])(?:tools/([a-z_0-9]+)\.py|geo-rep-([a-z-]+))'
                     r'(?=\s|$)')


def _commands(path):
  """(line, tool, argument list) of each tool call in the file's code blocks."""
  out = []
  for lang, first, body in _code_blocks(_read(path)):
    if lang not in ('', 'bash', 'sh', 'shell', 'console'):
      continue
    for line, text in _logical_lines(body, first):
      text = text.split(' #', 1)[0] if not text.lstrip().startswith('#') else ''
      for part in re.split(r'&&|;|\|', text):
        m = TOOL_RE.search(part)
        if not m:
          continue
        tool = m.group(1) or m.group(2).replace('-', '_')
        try:
          args = shlex.split(part[m.end():])
        except ValueError as e:
          raise AssertionError(f'{_rel(path)}:{line}: cannot parse: {e}')
        out.append((line, tool, args))
  return out


# ---------------------------------------------------------------- (a), (b)

def test_readme_is_at_most_200_lines():
  n = len(_read(os.path.join(REPO, 'README.md')).splitlines())
  assert n <= 200, f'README.md has {n} lines (at most 200)'


DIARY = re.compile(r'\b(session|issue)\s*#?\d', re.I)
SHARED_DESIGN = re.compile(r'shared/DESIGN\.md|\.\./shared/[^\s)`]*DESIGN')


def test_no_sessions_issues_or_outside_design_file():
  bad = []
  for path in DOCS:
    for i, line in enumerate(_read(path).splitlines(), 1):
      for m in DIARY.finditer(line):
        bad.append(f'{_rel(path)}:{i}: {m.group(0)!r}: {line.strip()}')
      if SHARED_DESIGN.search(line):
        bad.append(f'{_rel(path)}:{i}: reference to ../shared DESIGN.md: '
                   f'{line.strip()}')
  assert not bad, '\n'.join(bad)


# ---------------------------------------------------------------- (c)

OUTPUT_FLAGS = ('out_dir', 'model_dir', 'out', 'output_dir', 'protocol_dir')
WORK_PATH = re.compile(r'work_dirs/[^\s`\'",;:)\]|*]*')


def _clean(path):
  """(path without trailing punctuation, globs or placeholders, whether one
  was cut: then the rest is a prefix)."""
  head = re.split(r'[<{$*\[]', path)[0]
  return head.rstrip('/.') if head == path else head, head != path


@functools.lru_cache(maxsize=1)
def _created_paths():
  """Output paths of documented commands: flags in code, flagfiles, main.sh."""
  created = set()
  flag_re = re.compile(r'--(%s)=(work_dirs/[^\s`\'",;)|]+)' %
                       '|'.join(OUTPUT_FLAGS))
  for path in DOCS:
    text = _read(path)
    code = [b for _, _, b in _code_blocks(text)]
    code += [c for _, c in _inline_code(text)]
    for chunk in code:
      for m in flag_re.finditer(chunk):
        created.add(_clean(m.group(2)))
      for m in re.finditer(r'(?:mkdir -p|cp -r \S+) (work_dirs/[^\s`]+)',
                           chunk):
        created.add(_clean(m.group(1)))
  for cfg in glob.glob(os.path.join(REPO, 'flags', '*.cfg')):
    for line in _read(cfg).splitlines():
      m = re.match(r'--(out_dir|model_dir)=(work_dirs/\S+)', line)
      if m:
        created.add(_clean(m.group(2)))
  created.add(('work_dirs/main', False))  # scripts/main.sh: OUT=work_dirs/main
  return {c for c in created if c[0]}


def _covered(path, created):
  path, prefix = _clean(path)
  if not path or path == 'work_dirs':
    return True
  for c, c_prefix in created:
    if path == c or path.startswith(c + '/'):
      return True
    if c_prefix and path.startswith(c):
      return True
    if prefix and c.startswith(path):
      return True
  return False


def test_every_work_dirs_path_is_created_by_a_documented_command():
  created = _created_paths()
  bad = []
  for path in DOCS:
    for i, line in enumerate(_read(path).splitlines(), 1):
      for m in WORK_PATH.finditer(line):
        if not _covered(m.group(0), created):
          bad.append(f'{_rel(path)}:{i}: {m.group(0)} is created by no '
                     'documented command')
  assert not bad, '\n'.join(bad)


# ---------------------------------------------------------------- (d)

_LISTER = r'''
import json, os, sys
sys.argv = ['x']
import tensorflow, keras  # shared by every tool; imported once
from absl import flags
out = {}
for tool in sys.stdin.read().split():
  r, w = os.pipe()
  pid = os.fork()
  if pid == 0:
    os.close(r)
    try:
      import importlib
      importlib.import_module('geo_rep_tf_tools.' + tool)
      data = json.dumps(sorted(flags.FLAGS))
    except BaseException as e:
      data = json.dumps({'error': repr(e)})
    with os.fdopen(w, 'w') as fh:
      fh.write(data)
    os._exit(0)
  os.close(w)
  with os.fdopen(r) as fh:
    out[tool] = json.loads(fh.read() or '{"error": "no output"}')
  os.waitpid(pid, 0)
print(json.dumps(out))
'''


@functools.lru_cache(maxsize=1)
def _all_commands():
  return [(path, line, tool, args) for path in DOCS
          for line, tool, args in _commands(path)]


@functools.lru_cache(maxsize=1)
def _tool_flags():
  """{tool: set of flag names}, one subprocess for all tools."""
  tools = sorted({t for _, _, t, _ in _all_commands()
                  if os.path.isfile(os.path.join(TOOLS_DIR, t + '.py'))})
  proc = subprocess.run([sys.executable, '-c', _LISTER], input=' '.join(tools),
                        capture_output=True, text=True, cwd=REPO, timeout=600)
  assert proc.returncode == 0, proc.stderr[-3000:]
  data = json.loads(proc.stdout.strip().splitlines()[-1])
  for tool, names in data.items():
    assert isinstance(names, list), f'tools/{tool}.py: {names}'
  return {t: set(n) for t, n in data.items()}


REPO_PREFIXES = ('data/', 'models/', 'flags/', 'examples/', 'scripts/',
                 'bench/', 'tools/')


def _repo_paths(value):
  for item in value.split(','):
    item = item.split('=', 1)[-1] if '=' in item else item
    if item.startswith(REPO_PREFIXES) and not re.search(r'[<$*{]', item):
      yield item


def test_documented_commands_name_existing_tools_flags_and_files():
  commands = _all_commands()
  assert len(commands) >= 20, 'found too few commands in README.md and docs/'
  names = _tool_flags()
  bad = []
  for path, line, tool, args in commands:
    where = f'{_rel(path)}:{line}'
    if tool not in names:
      bad.append(f'{where}: no tool tools/{tool}.py')
      continue
    for arg in args:
      if not arg.startswith('--'):
        continue
      flag, _, value = arg[2:].partition('=')
      known = names[tool] | {'flagfile', 'undefok', 'helpfull'}
      if flag not in known and not (flag.startswith('no') and
                                    flag[2:] in known):
        bad.append(f'{where}: --{flag} is not a flag of tools/{tool}.py')
      if flag == 'flagfile' and not os.path.isfile(os.path.join(REPO, value)):
        bad.append(f'{where}: flagfile {value} does not exist')
      if flag in OUTPUT_FLAGS:
        continue  # Written by the command, need not exist.
      if flag == 'representation_flagfile' and not os.path.isfile(
          os.path.join(REPO, value)):
        bad.append(f'{where}: {value} does not exist')
      for p in _repo_paths(value):
        if not os.path.exists(os.path.join(REPO, p)):
          bad.append(f'{where}: --{flag}: {p} does not exist')
  assert not bad, '\n'.join(bad)


def test_links_and_pictures_exist():
  bad = []
  link = re.compile(r'\]\(([^)\s#]+)(?:#[^)]*)?\)')
  for path in DOCS:
    for i, line in enumerate(_read(path).splitlines(), 1):
      for m in link.finditer(line):
        target = m.group(1)
        if re.match(r'[a-z]+:', target):
          continue
        if not os.path.exists(os.path.join(os.path.dirname(path), target)):
          bad.append(f'{_rel(path)}:{i}: link to missing {target}')
  assert not bad, '\n'.join(bad)


def test_every_picture_in_docs_is_used():
  text = '\n'.join(_read(p) for p in DOCS)
  unused = [p for p in glob.glob(os.path.join(REPO, 'docs', '**', '*.png'),
                                 recursive=True)
            if os.path.splitext(os.path.basename(p))[0] not in text]
  assert not unused, 'pictures used by no page: ' + ', '.join(
      _rel(p) for p in unused)


# ---------------------------------------------------------------- tables

@pytest.mark.parametrize('page,render', [
    (page, fn) for page, fns in results_tables.PAGES.items() for fn in fns],
    ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_results_tables_match_their_json(page, render):
  table = render()
  assert table in _read(os.path.join(REPO, page)), (
      f'{page}: the table of {render.__name__} differs from its JSON; '
      f'expected:\n{table}\n(.venv/bin/python -m tests.docs.results_tables)')


# ---------------------------------------------------------------- (e)

def _readme_quick_start():
  """The quick-start section's shell commands and Python block, as written."""
  text = _read(os.path.join(REPO, 'README.md'))
  section = text.split('## Quick start', 1)[1].split('\n## ', 1)[0]
  blocks = _code_blocks(section)
  shell = [l for lang, first, body in blocks if lang == 'bash'
           for _, l in _logical_lines(body, first)]
  python = [body for lang, _, body in blocks if lang == 'python']
  assert shell and len(python) == 1
  return shell, python[0]


def test_readme_quick_start_is_found():
  shell, python = _readme_quick_start()
  assert any('geo-rep-infer' in c for c in shell)
  assert 'load_lifter' in python


@pytest.mark.slow
def test_readme_quick_start_runs_as_written(tmp_path):
  """The README's quick start, in a copy of the repository's files it reads."""
  bindir = os.path.dirname(sys.executable)
  if not os.path.isfile(os.path.join(bindir, 'geo-rep-infer')):
    pytest.skip('the package is not installed (no geo-rep-infer beside python)')
  from geo_rep_tf.inference import defaults, model_store
  if not model_store.is_cached(defaults.models_dir()):
    proc = subprocess.run([os.path.join(bindir, 'geo-rep-fetch-models')],
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
      pytest.skip('BlazePose models not cached and not fetchable: '
                  + proc.stderr[-500:])
  work = tmp_path / 'clone'
  shutil.copytree(os.path.join(REPO, 'data', 'samples'),
                  work / 'data' / 'samples')
  env = dict(os.environ, PATH=bindir + os.pathsep + os.environ['PATH'])
  shell, python = _readme_quick_start()
  for command in shell:
    proc = subprocess.run(command, shell=True, cwd=work, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (command, proc.stderr[-3000:])
  doc = json.loads((work / 'work_dirs' / 'infer' /
                    '000000000785.json').read_text())
  from geo_rep_tf.inference.pipeline import validate_result
  validate_result(doc)
  proc = subprocess.run([sys.executable, '-c', python], cwd=work, env=env,
                        capture_output=True, text=True, timeout=900)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert '(16, 2) (16, 3)' in proc.stdout, proc.stdout

#!/usr/bin/env bash
# Lints training/ with pyflakes and runs its unit tests (the golden checks the TypeScript side trusts among them).
# Uses Debian's /usr/bin/python3: the first python3 on PATH may be a pyenv build without torch.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
export OPENBLAS_NUM_THREADS=1  # the tests set torch's threads; OpenBLAS's own pool on top oversubscribes the CPU

# A missing dependency must never look like a pass.
if ! "$PY" -c 'import torch, numpy, pyflakes' 2>/dev/null; then
  reason="python-tests: $PY cannot import torch, numpy and pyflakes; install them with 'npm run setup:system'"
  if [ "${CI:-}" = true ]; then
    echo "$reason. CI=true: the Python tests are required." >&2
    exit 1
  elif [ "${KONTEXT_SKIP_PYTHON:-}" = 1 ]; then
    echo "$reason. Skipped: KONTEXT_SKIP_PYTHON=1."
    exit 0
  fi
  echo "$reason, or set KONTEXT_SKIP_PYTHON=1 to skip them." >&2
  exit 1
fi

start=$(date +%s%N)

"$PY" - training <<'PYEOF'
# pyflakes ignores "# noqa" (flake8 and ruff honour it). Honour the markers the code already has, so that
# side-effect imports like `import _paths  # noqa: F401` stay as written; a noqa naming only other codes
# (E402, ...) hides nothing.
import linecache
import re
import sys

from pyflakes.api import checkRecursive
from pyflakes.reporter import Reporter

NOQA = re.compile(r"#\s*noqa(?::\s*([\w, ]+))?", re.IGNORECASE)


class NoqaReporter(Reporter):
    hidden = 0

    def flake(self, message):
        m = NOQA.search(linecache.getline(message.filename, message.lineno))
        if m and (m.group(1) is None or any(c.strip().upper().startswith("F") for c in m.group(1).split(","))):
            self.hidden += 1
        else:
            super().flake(message)


reporter = NoqaReporter(sys.stdout, sys.stderr)
found = checkRecursive(sys.argv[1:], reporter) - reporter.hidden
print(f"pyflakes: {found} finding(s) in training/")
sys.exit(1 if found else 0)
PYEOF

"$PY" - <<'PYEOF'
import sys
import unittest

loader = unittest.TestLoader()
suite = unittest.TestSuite([
    loader.discover("training/tests"),  # these import `_paths` at top level, so they load from their own folder
    loader.loadTestsFromName("training.micro.test_micro"),  # this one imports `training.*` from the repo root
])
result = unittest.TextTestRunner().run(suite)
# Python 3.11's unittest reports OK when nothing ran (3.12 exits 5); a lost test folder must not pass.
sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
PYEOF

echo "python-tests: passed in $(( ($(date +%s%N) - start) / 1000000 )) ms"

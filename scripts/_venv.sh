# Sourced by scripts/demo and scripts/test: cd to the repository, make sure .venv exists
# and has yanpei installed (`pip install -e ".[test]"`, redone only when pyproject.toml
# changes), and put .venv/bin first on PATH. Needs nothing but Python >= 3.11 with pip.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.yanpei-install-stamp"
cd "$ROOT" || exit 1
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

die() { echo "error: $*" >&2; exit 1; }

is_python_311() {
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
        && is_python_311 "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! is_python_311 "$VENV/bin/python"; then
  python=$(find_python) || die "Python >= 3.11 not found (set PYTHON=/path/to/python3.11)"
  echo "Creating .venv with $python ($("$python" -V 2>&1))"
  "$python" -m venv --clear "$VENV" \
    || die "'$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
fi

wanted=$("$VENV/bin/python" -c '
import hashlib, sys
print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest(), sys.version.split()[0])
')
if [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ] \
    || ! "$VENV/bin/python" -c 'import yanpei' >/dev/null 2>&1; then
  echo "Installing yanpei and its test tools into .venv (pip install -e \".[test]\")"
  "$VENV/bin/python" -m pip install --quiet -e ".[test]" || die "pip install failed"
  echo "$wanted" > "$STAMP"
fi

export PATH="$VENV/bin:$PATH"

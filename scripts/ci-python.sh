#!/usr/bin/env bash
# Installs the Python test tools (moto, checkov) pinned in requirements-ci.txt into
# .venv (git-ignored). Idempotent: when .venv already holds exactly these pins it
# returns in well under a second without touching the network.
#
#   scripts/ci-python.sh            # create or update .venv
#   PYTHON=python3.12 scripts/ci-python.sh
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=requirements-ci.txt
stamp="$venv/.requirements-ci.sha256"

pick_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if (3, 9) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  echo "ci-python: no Python 3.9-3.13 found (set PYTHON=...)" >&2
  exit 1
}

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
pins="$(grep -E '^[a-z]' "$requirements" | paste -sd' ')"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
  [ -x "$venv/bin/moto_server" ] && [ -x "$venv/bin/checkov" ]; then
  echo "ci-python: $venv is up to date ($pins)"
  exit 0
fi

start=$SECONDS
if [ ! -x "$venv/bin/python" ]; then
  python="$(pick_python)"
  echo "ci-python: creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi
# This machine's pip config names local index directories that may not exist; pip
# warns once per package about them. Those warnings are noise; real errors still show.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" \
  2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
echo "$want" >"$stamp"
echo "ci-python: installed $pins into $venv in $((SECONDS - start)) s"

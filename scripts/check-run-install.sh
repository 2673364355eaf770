#!/usr/bin/env bash
# Installs exactly what `make run` / `make install` install (the Makefile's own install target: `pip install -e .`,
# no extras) into a fresh venv in a new temporary folder, then builds badges with it (scripts/check_run_install.py):
# a run-time import that only the [dev] extras bring fails here.
# usage: scripts/check-run-install.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/eventapp-run-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
venv=$scratch/venv

echo "== run-time install check: make install into $venv"
# The Makefile's recipe, with the venv elsewhere; a clean environment, so no PYTHONPATH or VIRTUAL_ENV of the
# caller's (CI runs this after `make install-dev`) reaches pip or the check.
clean_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="${HOME:-/root}" LANG=C.UTF-8)
while IFS='=' read -r name value; do
  case $name in PIP_* | http_proxy | https_proxy | no_proxy | HTTP_PROXY | HTTPS_PROXY | NO_PROXY) clean_env+=("$name=$value") ;; esac
done < <(env)
"${clean_env[@]}" make -C "$repo" --no-print-directory install VENV="$venv" >"$scratch/install.log" 2>&1 \
  || { tail -n 30 "$scratch/install.log" >&2; echo "check-run-install: FAILED: make install" >&2; exit 1; }

mkdir "$scratch/work"
cd "$scratch/work"
# -I: isolated mode; neither the working folder, the script's folder, PYTHONPATH nor user site-packages are on
# sys.path, only the fresh venv (and its editable eventapp). FLASK_SKIP_DOTENV: a developer's .env is not read.
"${clean_env[@]}" EVENTAPP_INSTANCE="$scratch/work/instance" DATABASE_URL="sqlite:///$scratch/work/check.sqlite3" \
  SECRET_KEY="run-install-check-$RANDOM$RANDOM" MAIL_DELIVERY=off FLASK_SKIP_DOTENV=1 \
  "$venv/bin/python" -I "$repo/scripts/check_run_install.py"

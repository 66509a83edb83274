#!/usr/bin/env bash
# Parses every .nix file of the repository with `nix-instantiate --parse` (no build, no daemon,
# no binary cache) and evaluates nix/defaults.nix. Installs Debian's nix-bin when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nix-instantiate >/dev/null 2>&1; then
  echo "nix-check: installing nix-bin (Debian apt)"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nix-bin >/dev/null
fi

# A store that is never opened: parsing and pure evaluation need neither /nix nor a daemon.
export NIX_REMOTE="dummy://"
export HOME="${HOME:-/tmp}"

mapfile -t files < <(find . \( -name node_modules -o -name .git -o -name build \) -prune -o -type f -name '*.nix' -print | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "nix-check: no .nix files found" >&2
  exit 1
fi

failed=0
for file in "${files[@]}"; do
  if nix-instantiate --parse "$file" >/dev/null; then
    echo "nix-check: parses: $file"
  else
    echo "nix-check: PARSE ERROR: $file" >&2
    failed=1
  fi
done

if [ -f nix/defaults.nix ] && ! nix-instantiate --eval --strict --json nix/defaults.nix >/dev/null; then
  echo "nix-check: nix/defaults.nix does not evaluate" >&2
  failed=1
fi

exit "$failed"

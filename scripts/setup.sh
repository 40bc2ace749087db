# Shared set-up, sourced by scripts/kiosk.sh and scripts/test.sh.
# Idempotent: installs only what is missing, so the second run starts at once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ensure_apt PKG...: install the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ensure_venv EXTRAS: a virtualenv in .venv with the project installed editable.
# Re-installs only when pyproject.toml or the extras change (stamp file).
ensure_venv() {
  local extras="$1" stamp
  # Debian ships venv without ensurepip unless python3-venv is installed.
  python3 -c "import ensurepip" >/dev/null 2>&1 || ensure_apt python3-venv
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  stamp="$VENV/.installed-$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)-${extras//,/_}"
  if [ ! -f "$stamp" ]; then
    echo "==> installing Python packages (.[${extras}])"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "$ROOT[${extras}]"
    touch "$stamp"
  fi
}

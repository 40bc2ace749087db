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

# ensure_postgres: the HQ tests need PostgreSQL on 127.0.0.1:5432 (trust auth, database "test").
# Start the machine's cluster if it is installed but stopped; the tests fail (never skip) if it stays down.
ensure_postgres() {
  command -v pg_isready >/dev/null 2>&1 || { echo "==> PostgreSQL client not found: HQ tests will fail"; return 0; }
  pg_isready -q -h 127.0.0.1 -p 5432 && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "==> starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
}

# ensure_redis: the rate-limit tests share counters between gunicorn workers through Redis on 127.0.0.1:6379.
# Start Debian's redis-server (loopback only, nothing kept on disk) if it is not answering; the tests fail
# (never skip) if it stays down.
ensure_redis() {
  ensure_apt redis-server
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
  echo "==> starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp >/dev/null || true
}

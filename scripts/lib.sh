# shellcheck shell=bash
# Shared helpers for the scripts that run real servers on loopback for the tests
# (scripts/elasticsearch, redis, postgres, jupyterhub, slurm, servers).
# Source it after `set -euo pipefail`:  . "$(dirname "$0")/lib.sh"
#
# Conventions: messages go to stderr (log/warn/die), connection details go to stdout as
# `export NAME=value` lines (emit), so `eval "$(scripts/NAME start)"` works.

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$PROJECT_DIR/.cache"
# shellcheck disable=SC2034 # used by the scripts that source this file
VENV_BIN="$PROJECT_DIR/.venv/bin"
LOG_NAME="${LOG_NAME:-$(basename "$0")}"

log() { printf '==> [%s] %s\n' "$LOG_NAME" "$*" >&2; }
warn() { printf 'WARNING [%s]: %s\n' "$LOG_NAME" "$*" >&2; }
die() {
  printf 'ERROR [%s]: %s\n' "$LOG_NAME" "$*" >&2
  exit 1
}

# emit NAME VALUE: print a shell-safe `export NAME=VALUE` line on stdout (single-quoted only
# when VALUE has characters a shell would interpret, so the lines also read as a .env file).
emit() {
  local v="$2"
  if [[ "$v" =~ ^[A-Za-z0-9_./:@,=+%-]*$ ]]; then
    printf 'export %s=%s\n' "$1" "$v"
  else
    printf "export %s='%s'\n" "$1" "${v//\'/\'\\\'\'}"
  fi
}

# state_dir NAME: create (mode 755) and print .cache/NAME.
state_dir() {
  mkdir -p "$CACHE_DIR/$1"
  chmod 755 "$CACHE_DIR" "$CACHE_DIR/$1"
  printf '%s\n' "$CACHE_DIR/$1"
}

# now_ms / elapsed START_MS: simple timing for log lines.
now_ms() { date +%s%3N; }
elapsed() { awk -v s="$1" -v e="$(now_ms)" 'BEGIN { printf "%.1fs", (e - s) / 1000 }'; }

# ---- process ids -------------------------------------------------------------------------------

# read_pid FILE: print the pid recorded in FILE (first line), or nothing.
read_pid() {
  [ -f "$1" ] || return 0
  head -n1 "$1" 2>/dev/null | tr -dc '0-9'
}

# pid_running PID: true when PID is a live process (zombies count as gone).
pid_running() {
  local pid="$1" state
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ')" || return 1
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

# pidfile_running FILE: true when FILE names a live process.
pidfile_running() { pid_running "$(read_pid "$1")"; }

# stop_pid PID [TIMEOUT_S] [NAME]: SIGTERM, wait, then SIGKILL. Returns 0 if it is gone.
stop_pid() {
  local pid="$1" timeout="${2:-20}" name="${3:-process}" i
  pid_running "$pid" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pid_running "$pid" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) did not stop after ${timeout}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    pid_running "$pid" || return 0
    sleep 0.1
  done
  die "$name (pid $pid) is still running"
}

# stop_pidfile FILE [TIMEOUT_S] [NAME]: stop the process recorded in FILE, then remove FILE.
stop_pidfile() {
  local file="$1"
  stop_pid "$(read_pid "$file")" "${2:-20}" "${3:-$(basename "$file" .pid)}"
  rm -f "$file"
}

# ---- waiting -----------------------------------------------------------------------------------

# show_log FILE...: the last 30 lines of each log, on stderr.
show_log() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    printf -- '---- last 30 lines of %s ----\n' "$f" >&2
    tail -n 30 "$f" >&2 || true
  done
}

# wait_for DESCRIPTION TIMEOUT_S "LOG FILES" COMMAND...: run COMMAND every 0.2 s until it succeeds.
# On timeout: print the last 30 lines of each log file and exit 1.
# Set WAIT_PID to a pid that must stay alive meanwhile (fail early when it dies).
wait_for() {
  local what="$1" timeout="$2" logs="$3" deadline
  shift 3
  deadline=$(($(date +%s) + timeout))
  while ! "$@" >/dev/null 2>&1; do
    if [ -n "${WAIT_PID:-}" ] && ! pid_running "$WAIT_PID"; then
      # shellcheck disable=SC2086
      show_log $logs
      die "$what: the process (pid $WAIT_PID) exited"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      # shellcheck disable=SC2086
      show_log $logs
      die "$what: not ready after ${timeout}s"
    fi
    sleep 0.2
  done
}

# ---- ports -------------------------------------------------------------------------------------

# port_in_use PORT [HOST]: true when something accepts TCP connections on HOST:PORT.
port_in_use() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# require_port_free PORT WHAT: die with a clear message when PORT is taken.
require_port_free() {
  if port_in_use "$1"; then
    die "port $1 ($2) on 127.0.0.1 is already in use by another process; choose another with its environment variable"
  fi
}

# free_port: print a TCP port that is free on 127.0.0.1 now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# http_ok URL [CURL ARGS...]: true when URL answers 2xx.
http_ok() {
  local url="$1"
  shift
  curl -fsS -o /dev/null --max-time 3 "$@" "$url"
}

# ---- users and secrets -------------------------------------------------------------------------

# ensure_user NAME: create a system user without login when missing. Serialised with flock:
# concurrent useradd calls (scripts/servers starts several scripts at once) fail on /etc/passwd.
ensure_user() {
  local name="$1"
  id -u "$name" >/dev/null 2>&1 && return 0
  mkdir -p "$CACHE_DIR"
  (
    flock -w 60 9 || die "could not lock $CACHE_DIR/.useradd.lock"
    id -u "$name" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin --user-group "$name"
  ) 9>"$CACHE_DIR/.useradd.lock"
  log "created system user $name"
}

# random_hex BYTES: print BYTES random bytes as hex.
random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# secret_file FILE BYTES [OWNER]: create FILE (mode 600) holding a random hex secret once.
secret_file() {
  local file="$1"
  if [ ! -s "$file" ]; then
    (
      umask 077
      random_hex "$2" >"$file"
    )
  fi
  chmod 600 "$file"
  [ -z "${3:-}" ] || chown "$3" "$file"
}

# require_cmd CMD HINT: die when CMD is not installed.
require_cmd() {
  command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || die "$1 is missing: $2"
}

# require_root: the server scripts create users and change owners.
require_root() {
  [ "$(id -u)" = 0 ] || die "run as root (it creates system users and changes owners)"
}

# usage_action ACTION ALLOWED...: die with usage unless ACTION is one of ALLOWED.
usage_action() {
  local action="$1" a
  shift
  for a in "$@"; do [ "$action" = "$a" ] && return 0; done
  die "usage: scripts/$LOG_NAME $(
    IFS='|'
    echo "$*"
  ) [options]"
}

# ---- the configuration a server was started with -----------------------------------------------
# A running server keeps the ports it was started with: `stop` and `status` use the recorded ones
# (config_load), and `start` refuses to report a running server under other ports (config_guard).

# config_save FILE VAR...: record VAR=value lines.
config_save() {
  local file="$1" v
  shift
  for v in "$@"; do printf '%s=%q\n' "$v" "${!v}"; done >"$file"
}

# config_load FILE: set the recorded variables (a file written by config_save).
config_load() {
  # shellcheck disable=SC1090
  [ ! -s "$1" ] || . "$1"
}

# config_guard FILE VAR...: die when FILE records other values than the current ones.
config_guard() {
  local file="$1" v want
  shift
  [ -s "$file" ] || return 0
  want="$(for v in "$@"; do printf '%s=%q\n' "$v" "${!v}"; done)"
  [ "$want" = "$(cat "$file")" ] && return 0
  die "already running with $(tr '\n' ' ' <"$file")but asked for $(echo "$want" | tr '\n' ' ')- run scripts/$LOG_NAME stop first, or leave the port variables as they were"
}

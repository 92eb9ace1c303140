#!/usr/bin/env bash
# Makes sure the real servers and clients the integration suites drive are on this machine:
# PostgreSQL server and psql/pgbench, PgBouncer, OpenSSH server and client, kcat (librdkafka's
# Kafka mock cluster), Chromium and asciinema. Installs what is missing with apt-get when run as
# root on Debian; otherwise prints the command and fails, so no suite silently skips.
set -euo pipefail

declare -A need=(
  [/usr/lib/postgresql]=postgresql
  [/usr/bin/psql]=postgresql-client
  [/usr/bin/pgbench]=postgresql-client
  [/usr/sbin/pgbouncer]=pgbouncer
  [/usr/sbin/sshd]=openssh-server
  [/usr/bin/ssh]=openssh-client
  [/usr/bin/kcat]=kcat
  [/usr/bin/chromium]=chromium
  [/usr/bin/asciinema]=asciinema
)

missing=()
for path in "${!need[@]}"; do
  [ -e "$path" ] || missing+=("${need[$path]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "tollgate tests: installing ${packages[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
else
  echo "tollgate tests need: ${packages[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi

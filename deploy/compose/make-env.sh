#!/usr/bin/env bash
# Writes .env beside docker-compose.yml with what docker-compose.cluster.yml needs and must not be in the
# repository: the two secrets (fresh random values) and the address the gates advertise.
#   deploy/compose/make-env.sh [ADVERTISED_IP]     (default: this host's first address)
# An existing .env is left alone (delete it to start over): the secrets must stay the same across restarts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
env_file="$root/.env"
if [ -e "$env_file" ]; then
  echo "make-env: $env_file exists; leaving it as it is" >&2
  exit 0
fi
random() { head -c 48 /dev/urandom | base64 | tr -d '\n'; }
ip="${1:-}"
if [ -z "$ip" ]; then
  ip="$(hostname -I 2>/dev/null | awk '{print $1}')"
fi
if [ -z "$ip" ]; then
  echo "make-env: cannot find this host's address; pass it: $0 192.168.1.20" >&2
  exit 1
fi
umask 077
cat > "$env_file" <<ENV
# written by deploy/compose/make-env.sh; never commit this file
MAGPIE_AUTH_TOKEN_SECRET=$(random)
MAGPIE_CLUSTER_SECRET=$(random)
# the gates advertise this address through the LSB to clients and to the routers (docs/operations.md,
# "Deploying with Docker Compose and Kubernetes"): it must be an IP of the Docker host that both reach
MAGPIE_PUBLIC_HOST=$ip
ENV
echo "make-env: wrote $env_file (gates advertise $ip)" >&2

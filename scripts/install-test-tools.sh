#!/usr/bin/env bash
# Installs the external programs the test suite talks to (dig for DNS, etcd for the scale-out store).
# kubectl ships with machines of this kind. Needs root (or sudo) for apt.
set -euo pipefail
need=()
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server etcd-client)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v kubectl >/dev/null 2>&1 || { echo "kubectl is not on PATH: the kubectl tests need it" >&2; exit 1; }

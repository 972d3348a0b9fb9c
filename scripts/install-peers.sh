#!/usr/bin/env bash
# Installs the real SIP peers the interop tests run against, from Debian's
# (or Ubuntu's) own packages, when they are missing:
#   kamailio, kamailio-tls-modules  - the registrar/proxy sites
#   sip-tester                      - SIPp
#   nftables, iproute2              - silent WAN cut-offs in network namespaces
# Non-interactive; uses sudo only when not root. Safe to run again: it does
# nothing when everything is installed.
set -euo pipefail

packages=(kamailio kamailio-tls-modules sip-tester nftables iproute2)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-peers: needs a Debian-like system (dpkg, apt-get); install by hand: ${packages[*]}" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-peers: all installed (${packages[*]})"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-peers: not root and no sudo; install as root: ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

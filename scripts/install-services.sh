#!/usr/bin/env bash
# Installs the Debian packages of the servers the tests run against (started per test by
# @s3notify/testkit's startService on free loopback ports; nothing here starts a daemon).
# Idempotent and silent when everything is already installed.
set -euo pipefail

PACKAGES=(redis-server mariadb-server rabbitmq-server mosquitto nats-server postgresql kafkacat python3-elasticsearch)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-services: apt-get not found; install these by other means: ${missing[*]}" >&2
  [[ "${CI:-}" == "true" ]] && exit 1 || exit 0
fi

as_root=()
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "install-services: not root; install these as root: apt-get install ${missing[*]}" >&2
    [[ "${CI:-}" == "true" ]] && exit 1 || exit 0
  fi
fi

echo "install-services: installing ${missing[*]}"
script='
set -e
export DEBIAN_FRONTEND=noninteractive
# Never let a postinst start a system-wide daemon: the tests start their own instances.
if [ ! -e /usr/sbin/policy-rc.d ]; then printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
apt-get update -qq
touch /tmp/s3notify-apt-updated
apt-get install -y -qq --no-install-recommends "$@" >/dev/null
'
# The same lock as startService, which may install a missing server on its own.
if command -v flock >/dev/null 2>&1; then
  "${as_root[@]}" flock /tmp/s3notify-apt.lock sh -c "$script" sh "${missing[@]}"
else
  "${as_root[@]}" sh -c "$script" sh "${missing[@]}"
fi
echo "install-services: done"

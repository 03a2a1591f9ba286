# Shared by the test install scripts: installs the Debian packages given as arguments that are not
# installed yet (as root; SKIP_APT=1 only reports them). Expects a `log` function from the caller.
ensure_apt_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "apt: all present ($*)"
  elif [ -n "${SKIP_APT:-}" ]; then
    log "apt: SKIP_APT set, but missing: ${missing[*]}"
  else
    [ "$(id -u)" = 0 ] || { log "apt: run as root to install ${missing[*]}"; exit 1; }
    log "apt: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

#!/usr/bin/env bash
# Installs what the docs-site test (tests_py/test_docs_site.py) needs from Debian's packages:
# Chromium, to open the static docs site headless, and a CJK font, so that the Chinese terms of
# the docs render as characters in the screenshot instead of empty boxes. Idempotent: does
# nothing when both are there. Needs root (or sudo) and Debian's package repositories.
set -euo pipefail

CHROMIUM="${TIERING_CHROMIUM:-/usr/bin/chromium}"
packages=()
[[ -x "$CHROMIUM" ]] || packages+=(chromium)
has_cjk_font() {
    dpkg-query -W -f='${Status}' fonts-wqy-microhei 2>/dev/null | grep -q "ok installed" && return 0
    command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list :lang=zh family 2>/dev/null)" ]]
}
has_cjk_font || packages+=(fonts-wqy-microhei)

if [[ ${#packages[@]} -eq 0 ]]; then
    echo "setup_browser: chromium and a CJK font are installed ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
    exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup_browser: need root or sudo to install ${packages[*]}" >&2; exit 1; }
    SUDO="sudo"
fi
echo "setup_browser: installing ${packages[*]} from Debian's packages"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
"$CHROMIUM" --version

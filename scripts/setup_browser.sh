#!/usr/bin/env bash
# Installs what the report (`make report`) and the browser tests (tests_py/test_docs_site.py,
# tests_py/test_report.py) need from Debian's packages: Chromium, to open the pages headless and
# screenshot the report's charts, and Noto Sans CJK (fonts-noto-cjk), the font whose subset the
# report embeds (report/fonts.py) and that renders the docs' Chinese terms as characters instead
# of empty boxes. Idempotent: does nothing when both are there. Needs root (or sudo) and Debian's
# package repositories.
set -euo pipefail

CHROMIUM="${TIERING_CHROMIUM:-/usr/bin/chromium}"
packages=()
[[ -x "$CHROMIUM" ]] || packages+=(chromium)
has_cjk_font() {
    dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" && return 0
    command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh-cn family 2>/dev/null | grep -q "Noto Sans CJK"
}
has_cjk_font || packages+=(fonts-noto-cjk)

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

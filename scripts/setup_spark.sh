#!/usr/bin/env bash
# Set-up for the Spark target (`make spark-test`): a Java runtime and the Spark extras.
#
# 1. Java 17 or later, which pyspark 4 needs. Spark uses $JAVA_HOME/bin/java when JAVA_HOME is
#    set, else `java` on the PATH. When neither is a Java 17+, Debian's openjdk-17-jre-headless is
#    installed with apt-get (as root, or through passwordless sudo); if that is not possible the
#    script stops with what to install by hand.
# 2. requirements-spark.txt (dbt-spark[session], pyspark) into the project's .venv, which
#    `make env` creates. Skipped when .venv/.spark-installed is newer than both requirement files.
#
# Idempotent, and about a second when everything is already there. Usage: scripts/setup_spark.sh
# (from any folder); VENV=path overrides the virtual environment.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
STAMP="$VENV/.spark-installed"
JAVA_MIN=17
JAVA_PACKAGE=openjdk-17-jre-headless

say() { printf 'setup_spark: %s\n' "$*"; }
die() {
    printf '\nsetup_spark: ERROR: %s\n\n' "$*" >&2
    exit 1
}

# The major version of the Java that Spark would start ("" when there is none).
java_major() {
    local java="java"
    if [[ -n "${JAVA_HOME:-}" ]]; then
        java="$JAVA_HOME/bin/java"
    fi
    if ! command -v "$java" >/dev/null 2>&1; then
        return 0
    fi
    # `openjdk version "17.0.15" 2025-04-15`, `java version "1.8.0_402"`, `openjdk version "21"`
    "$java" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9.]*\).*/\1/p' | head -n 1 \
        | awk -F. '{ print ($1 == 1 ? $2 : $1) }'
}

java_hint="Spark needs a Java ${JAVA_MIN}+ runtime. Install one and run this again:
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y ${JAVA_PACKAGE}
  macOS:          brew install openjdk@17
or point JAVA_HOME at an installed Java ${JAVA_MIN}+ (Spark uses \$JAVA_HOME/bin/java first)."

ensure_java() {
    local major
    major="$(java_major)"
    if [[ -n "$major" && "$major" -ge "$JAVA_MIN" ]]; then
        say "Java $major found"
        return 0
    fi
    if [[ -n "${JAVA_HOME:-}" ]]; then
        die "JAVA_HOME=$JAVA_HOME holds ${major:+Java $major, }no Java ${JAVA_MIN}+.
$java_hint"
    fi
    say "no Java ${JAVA_MIN}+ on the PATH${major:+ (found Java $major)}: installing $JAVA_PACKAGE with apt-get"
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            die "cannot install Java: not root and no passwordless sudo.
$java_hint"
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        die "cannot install Java: apt-get not found (not a Debian-like system).
$java_hint"
    fi
    # Slim Debian images lack the man folder that the JRE's postinst links into.
    ${sudo[@]+"${sudo[@]}"} mkdir -p /usr/share/man/man1 || true
    if ! ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        || ! ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "$JAVA_PACKAGE"; then
        die "apt-get could not install $JAVA_PACKAGE (see the apt output above).
$java_hint"
    fi
    hash -r
    major="$(java_major)"
    if [[ -z "$major" || "$major" -lt "$JAVA_MIN" ]]; then
        die "$JAVA_PACKAGE was installed but \`java\` on the PATH is ${major:+Java }${major:-missing}.
Select it with: sudo update-alternatives --config java   (or set JAVA_HOME)."
    fi
    say "Java $major installed"
}

ensure_spark_packages() {
    if [[ ! -x "$VENV/bin/pip" ]]; then
        die "no virtual environment at $VENV: run \`make env\` first (make spark-test does)."
    fi
    if [[ -f "$STAMP" && "$STAMP" -nt requirements-spark.txt && "$STAMP" -nt requirements.txt && "$STAMP" -nt constraints.txt ]]; then
        say "Spark extras already installed ($STAMP)"
        return 0
    fi
    say "installing requirements-spark.txt into $VENV (pyspark is a ~430 MB download the first time)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements-spark.txt -c constraints.txt
    # dbt-spark and dbt-duckdb share dbt-core, dbt-adapters and dbt-common: fail on a conflict.
    "$VENV/bin/pip" check --disable-pip-version-check >/dev/null || {
        "$VENV/bin/pip" check --disable-pip-version-check >&2 || true
        die "the Spark extras conflict with requirements.txt (pip check above)."
    }
    "$VENV/bin/python" -c "import pyspark, dbt.adapters.spark" \
        || die "pyspark or dbt-spark does not import after installing requirements-spark.txt."
    touch "$STAMP"
    say "Spark extras installed"
}

ensure_java
ensure_spark_packages

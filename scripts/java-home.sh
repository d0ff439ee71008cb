# Sourced by Berth's scripts: points JAVA_HOME at a JDK 25, or stops with a clear message.
berth_find_jdk25() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-openjdk-* /usr/lib/jvm/jdk-25*; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] \
        && grep -q '^JAVA_VERSION="25' "$candidate/release" 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
if ! JAVA_HOME=$(berth_find_jdk25); then
  echo "Berth needs a JDK 25 (none found in JAVA_HOME or /usr/lib/jvm). Install one, or set JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

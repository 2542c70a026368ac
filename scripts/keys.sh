# shellcheck shell=bash
# ./codeshard keys: the gateway's API keys (docs/tenants.md). Sourced by ./codeshard, which defines ROOT and say.
# The keys file holds "<tenant>:<sha256 hex of the key>" lines; the gateway re-reads it every second.

keys_file() {
  echo "${CODESHARD_API_KEYS_FILE:-${CODESHARD_DATA_DIR:-$ROOT/data}/api-keys}"
}

# Rewrites the keys file without the lines that match the extended regex $1 (atomically, same permissions).
keys_drop() {
  local file="$1" pattern="$2" next
  next="$(mktemp "$file.XXXXXX")"
  grep -Ev "$pattern" "$file" > "$next" || true
  chmod --reference="$file" "$next"
  mv "$next" "$file"
}

keys_cmd() {
  local sub="${1:-}" file
  shift || true
  file="$(keys_file)"
  case "$sub" in
    add)
      local tenant="${1:-}" key hash
      if ! [[ "$tenant" =~ ^[A-Za-z0-9_-]{1,32}$ ]]; then
        say "usage: ./codeshard keys add <tenant>   (a tenant is 1-32 of A-Z a-z 0-9 _ -)"
        exit 2
      fi
      key="csk_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
      hash="$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
      mkdir -p "$(dirname "$file")"
      (umask 077 && printf '%s:%s  # added %s\n' "$tenant" "$hash" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$file")
      say "added a key of tenant '$tenant' to $file (only its SHA-256 is kept); the key, shown this once:"
      echo "$key"
      ;;
    list)
      [ -f "$file" ] || { say "no keys file at $file"; exit 0; }
      say "keys in $file (tenant, start of the key's SHA-256, comment):"
      grep -Ev '^[[:space:]]*(#|$)' "$file" | sed -E 's/^[[:space:]]*([^:]+):([0-9a-fA-F]{12})[0-9a-fA-F]*/\1  \2.../' || true
      ;;
    remove)
      local what="${1:-}"
      [ -f "$file" ] || { say "no keys file at $file"; exit 1; }
      if [[ "$what" == csk_* ]]; then
        keys_drop "$file" ":$(printf %s "$what" | sha256sum | cut -d' ' -f1)([[:space:]]|#|$)"
        say "removed that key from $file"
      elif [[ "$what" =~ ^[A-Za-z0-9_-]{1,32}$ ]]; then
        keys_drop "$file" "^[[:space:]]*$what:"
        say "removed every key of tenant '$what' from $file"
      else
        say "usage: ./codeshard keys remove <tenant> | <key>"
        exit 2
      fi
      ;;
    *)
      say "usage: ./codeshard keys add <tenant> | list | remove <tenant>|<key>   (file: $file)"
      exit 2
      ;;
  esac
}

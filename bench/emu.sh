#!/usr/bin/env bash
# Requests per second of rackwatch-emu for one ~2 KB Redfish resource over HTTPS keep-alive,
# with 1, 10 and 100 concurrent clients (wrk), next to nginx serving the very same bytes
# over HTTPS on loopback.  A benchmark that prints figures, never a test.  Each row is also
# printed as "RESULT emu clients=C emu_rps=R nginx_rps=R" for bench/report.sh.
# Usage: bench/emu.sh [SECONDS] [BUILD_DIR]       (defaults: 5, build/release)
# Installs wrk and nginx (Debian packages) when missing; nginx runs with a private
# configuration in a temporary folder on a free 127.0.0.1 port and is stopped at the end.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_EACH=${1:-5}
BUILD=${2:-$ROOT/build/release}
RESOURCE=/redfish/v1/PowerEquipment/RackPDUs/1/Mains/AC1

export RW_SOURCE_DIR="$ROOT" RW_BIN_DIR="$BUILD/bin" RW_TEST_TMP="${TMPDIR:-/tmp}"
. "$ROOT/tests/integration/lib.sh"

EMU=$RW_BIN_DIR/rackwatch-emu
[[ -x $EMU ]] || { echo "build first: $EMU is missing" >&2; exit 1; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if [[ ${#missing[@]} -gt 0 ]]; then
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    echo "bench/emu.sh: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || exit 1
fi

rw_make_ca "$RW_WORK/ca" &&
    rw_make_cert "$RW_WORK/ca" srv localhost "DNS:localhost,IP:127.0.0.1" -1 30 || exit 1

# The emulator, plain: no auth, no faults.
rw_spawn "$RW_WORK/emu.log" "$EMU" --mockup "$ROOT/tests/data/pdu" --listen 127.0.0.1:0 \
    --ready-file "$RW_WORK/emu.ready" --tls-cert "$RW_WORK/ca/srv.crt" \
    --tls-key "$RW_WORK/ca/srv.key"
for ((i = 0; i < 200; i++)); do
    [[ -s $RW_WORK/emu.ready ]] && break
    sleep 0.05
done
EMU_URL=https://$(head -n 1 "$RW_WORK/emu.ready")

# nginx serves the emulator's own answer, byte for byte, from a file.
mkdir -p "$RW_WORK/www$RESOURCE" "$RW_WORK/nginx"
curl -sS --cacert "$RW_WORK/ca/ca.crt" -o "$RW_WORK/www$RESOURCE/index.json" \
    "$EMU_URL$RESOURCE" || exit 1
BYTES=$(stat -c %s "$RW_WORK/www$RESOURCE/index.json")
PORT=$(rw_free_port)
N=$RW_WORK/nginx
cat >"$N/nginx.conf" <<CONF
worker_processes auto;
pid $N/nginx.pid;
error_log $N/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $N/body;
    proxy_temp_path $N/proxy;
    fastcgi_temp_path $N/fastcgi;
    uwsgi_temp_path $N/uwsgi;
    scgi_temp_path $N/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $RW_WORK/ca/srv.crt;
        ssl_certificate_key $RW_WORK/ca/srv.key;
        root $RW_WORK/www;
        default_type application/json;
        location / { try_files \$uri/index.json =404; }
    }
}
CONF
rw_spawn "$N/stdout.log" /usr/sbin/nginx -p "$N" -e "$N/error.log" -c "$N/nginx.conf" \
    -g 'daemon off;'
rw_wait_port "$PORT" 10 || { cat "$N/error.log" >&2; exit 1; }
NGINX_URL=https://127.0.0.1:$PORT

# rps URL CONNECTIONS: wrk's requests per second (threads: at most 2, the cores here).
rps() {
    local threads=$(($2 < 2 ? $2 : 2))
    wrk -t "$threads" -c "$2" -d "${SECONDS_EACH}s" "$1$RESOURCE" 2>&1 |
        awk '/^Requests\/sec:/ { printf "%.0f", $2 }'
}

echo "rackwatch-emu vs nginx: GET $RESOURCE ($BYTES bytes), HTTPS keep-alive, ${SECONDS_EACH}s each, $(nproc) cores"
printf '%-12s %14s %14s\n' clients rackwatch-emu nginx
results=()
for c in 1 10 100; do
    ours=$(rps "$EMU_URL" "$c")
    theirs=$(rps "$NGINX_URL" "$c")
    printf '%-12s %14s %14s\n' "$c" "$ours" "$theirs"
    results+=("RESULT emu clients=$c emu_rps=${ours:--} nginx_rps=${theirs:--}")
done
printf '%s\n' "${results[@]}"

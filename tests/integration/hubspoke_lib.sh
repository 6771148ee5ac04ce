# Helpers for the hub/spoke plugin tests (hubspoke_cert.sh, hubspoke_version.sh,
# hubspoke.sh); sourced after lib.sh.  Servers: rackwatch-emu over HTTPS and openssl
# s_server, on 127.0.0.1 port 0 or a checked free port; certificates made here.

EMU="$RW_BIN_DIR/rackwatch-emu"
HUBDATA="$RW_SOURCE_DIR/tests/data/hub"
[[ -x $EMU ]] || rw_skip "rackwatch-emu not built"
command -v openssl >/dev/null || rw_skip "openssl not installed"
command -v curl >/dev/null || rw_skip "curl not installed"

# make_pki: PKI=<dir>, made once per day and build tree:
#   ca/ca.crt         the trusted test CA
#   ca/hub            localhost, 127.0.0.1, ::1; 300 days (hub and "identical" spokes)
#   ca/spoke          another leaf of the same CA, same names, 300 days
#   ca/soon           expires in 10 days
#   ca/expired        expired yesterday
#   ca/wronghost      only other.example
#   other/good        localhost, 127.0.0.1 from a CA the plugins are not told about
make_pki() {
    PKI="$RW_TEST_TMP/hubspoke-pki-$(date -u +%Y%m%d)"
    mkdir -p "$PKI"
    (
        flock 9
        [[ -f $PKI/done ]] && exit 0
        rm -rf "$PKI/ca" "$PKI/other"
        local san="DNS:localhost,IP:127.0.0.1,IP:::1"
        rw_make_ca "$PKI/ca" &&
            rw_make_cert "$PKI/ca" hub localhost "$san" -1 300 &&
            rw_make_cert "$PKI/ca" spoke localhost "$san" -1 300 &&
            rw_make_cert "$PKI/ca" soon localhost "$san" -1 10 &&
            rw_make_cert "$PKI/ca" expired localhost "$san" -10 -1 &&
            rw_make_cert "$PKI/ca" wronghost other.example "DNS:other.example" -1 300 &&
            rw_make_ca "$PKI/other" &&
            rw_make_cert "$PKI/other" good localhost "$san" -1 300 &&
            touch "$PKI/done"
    ) 9>"$PKI.lock"
    [[ -f $PKI/done ]] || { echo "certificate generation failed" >&2; exit 1; }
    CA="$PKI/ca/ca.crt"
}

# emu VAR CERT [emu options...]: rackwatch-emu over HTTPS with $PKI/CERT.{crt,key}, serving
# $MOCKUP (default the hub tree); sets ${VAR}_PORT.
emu() {
    local var=$1 cert=$2 ready="$RW_WORK/$1.ready" i
    shift 2
    rm -f "$ready"
    rw_spawn "$RW_WORK/$var.log" "$EMU" --mockup "${MOCKUP:-$HUBDATA}" --listen 127.0.0.1:0 \
        --tls-cert "$PKI/$cert.crt" --tls-key "$PKI/$cert.key" --ready-file "$ready" "$@"
    for ((i = 0; i < 200; i++)); do
        [[ -s $ready ]] && break
        sleep 0.05
    done
    [[ -s $ready ]] || { cat "$RW_WORK/$var.log"; echo "emu $var did not start" >&2; exit 1; }
    printf -v "${var}_PORT" '%s' "$(head -n 1 "$ready" | sed 's/.*://')"
}

# s_server VAR CERT [s_server args...]: openssl s_server -WWW over $RW_WORK/www with
# $PKI/CERT; sets ${VAR}_PORT.  www holds /redfish/v1/index.json (not a Redfish root).
s_server() {
    local var=$1 cert=$2 port
    shift 2
    mkdir -p "$RW_WORK/www/redfish/v1"
    [[ -f $RW_WORK/www/redfish/v1/index.json ]] ||
        echo '{"Name": "not a redfish service"}' >"$RW_WORK/www/redfish/v1/index.json"
    port=$(rw_free_port)
    (cd "$RW_WORK/www" && exec openssl s_server -accept "127.0.0.1:$port" -WWW -quiet \
        -cert "$PKI/$cert.crt" -key "$PKI/$cert.key" "$@") >"$RW_WORK/$var.log" 2>&1 &
    RW_PIDS+=("$!")
    rw_wait_port "$port" 10 || exit 1
    printf -v "${var}_PORT" '%s' "$port"
}

# fingerprint CERT: "sha256:AB:CD:..." of $PKI/CERT.crt.
fingerprint() {
    printf 'sha256:%s\n' "$(openssl x509 -in "$PKI/$1.crt" -noout -fingerprint -sha256 |
        sed 's/.*=//')"
}

# closed_port: a port on 127.0.0.1 where nothing listens (checked free a moment ago).
closed_port() {
    rw_free_port
}

# hub_tree DIR SPEC...: a copy of the hub mockup in DIR whose AggregationSources has one
# member per SPEC "NAME|HOSTNAME|HEALTH" (HOSTNAME "-" leaves it out).
hub_tree() {
    local dir=$1 spec name host health i=0 members="" sep=""
    local src="$dir/AggregationService/AggregationSources"
    shift
    rm -rf "$dir"
    cp -r "$HUBDATA" "$dir"
    for spec in "$@"; do
        i=$((i + 1))
        IFS='|' read -r name host health <<<"$spec"
        mkdir -p "$src/$i"
        if [[ $host == - ]]; then
            printf '{"@odata.id": "/redfish/v1/AggregationService/AggregationSources/%s", "Id": "%s", "Name": "%s", "Status": {"State": "Enabled", "Health": "%s"}}\n' \
                "$i" "$i" "$name" "$health" >"$src/$i/index.json"
        else
            printf '{"@odata.id": "/redfish/v1/AggregationService/AggregationSources/%s", "Id": "%s", "Name": "%s", "HostName": "%s", "Status": {"State": "Enabled", "Health": "%s"}}\n' \
                "$i" "$i" "$name" "$host" "$health" >"$src/$i/index.json"
        fi
        members+="$sep{\"@odata.id\": \"/redfish/v1/AggregationService/AggregationSources/$i\"}"
        sep=", "
    done
    printf '{"@odata.id": "/redfish/v1/AggregationService/AggregationSources", "Name": "Aggregation Source Collection", "Members@odata.count": %d, "Members": [%s]}\n' \
        "$i" "$members" >"$src/index.json"
}

# bad_args LABEL PLUGIN NAME WANT ARGS...: UNKNOWN, exit 3, exactly one line.
bad_args() {
    local label=$1 plugin=$2 name=$3 want=$4
    shift 4
    rw_expect "$name" 3 "^$label UNKNOWN - $want\$" "$plugin" "$@"
    if [[ $(wc -l <<<"$RW_OUT") -eq 1 ]]; then
        rw_pass "$name: one line"
    else
        rw_fail "$name: want exactly one line"
    fi
}

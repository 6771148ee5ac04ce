# Helpers for tests that need a private snmpd (source after lib.sh).

# rw_start_snmpd DIR: starts snmpd as an AgentX master on a free loopback UDP port with its
# AgentX socket at DIR/agentx.sock and traps sent to DIR's trap port; sets RW_SNMP_PORT,
# RW_AGENTX_SOCKET, RW_SNMPD_PID, RW_TRAP_PORT.
rw_start_snmpd() {
    local dir=$1
    mkdir -p "$dir"
    RW_SNMP_PORT=${RW_SNMP_PORT:-$(rw_free_port)}
    RW_TRAP_PORT=${RW_TRAP_PORT:-$(rw_free_port)}
    RW_AGENTX_SOCKET=$dir/agentx.sock
    cat >"$dir/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$RW_SNMP_PORT
master agentx
agentXSocket $RW_AGENTX_SOCKET
agentXPerms 0600 0700
rocommunity public 127.0.0.1
trap2sink udp:127.0.0.1:$RW_TRAP_PORT public
persistentDir $dir/persist
CONF
    # -C: our file only; MIBS empty: Debian ships no IETF MIBs, we use numeric OIDs.
    MIBS= SNMP_PERSISTENT_DIR=$dir/persist rw_spawn "$dir/snmpd.log" \
        snmpd -f -Lo -C -c "$dir/snmpd.conf" -p "$dir/snmpd.pid" -m ''
    RW_SNMPD_PID=$RW_LAST_PID
    rw_wait_file "$RW_AGENTX_SOCKET" 10
}

# rw_stop_snmpd: stops the snmpd started last and waits until it is gone.
rw_stop_snmpd() {
    kill "$RW_SNMPD_PID" 2>/dev/null
    wait "$RW_SNMPD_PID" 2>/dev/null
    rm -f "$RW_AGENTX_SOCKET"
}

# rw_wait_file PATH SECONDS: waits until PATH exists.
rw_wait_file() {
    local path=$1 limit=${2:-10} i
    for ((i = 0; i < limit * 20; i++)); do
        [[ -e $path ]] && return 0
        sleep 0.05
    done
    echo "$path did not appear within ${limit}s" >&2
    return 1
}

# rw_wait_grep FILE REGEX SECONDS [COUNT]: waits until FILE has COUNT lines matching REGEX.
rw_wait_grep() {
    local file=$1 regex=$2 limit=${3:-10} count=${4:-1} i
    for ((i = 0; i < limit * 20; i++)); do
        if [[ $(grep -cE -- "$regex" "$file" 2>/dev/null) -ge $count ]]; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# The Debian package: `cpack -G DEB` on this build tree (staging and .deb in $RW_WORK),
# its file list, control fields and conffiles, its plugins running from an unpacked copy,
# and lintian.  Nothing is installed on the machine.
. "$(dirname "$0")/lib.sh"

CACHE="$RW_BUILD_DIR/CMakeCache.txt"

for tool in cpack dpkg-deb; do
    command -v "$tool" >/dev/null || rw_skip "$tool is not installed"
done
if grep -q '^RACKWATCH_SANITIZE:BOOL=ON' "$CACHE"; then
    rw_skip "a sanitizer build is not packaged (the .deb comes from a release tree)"
fi
if [[ ! -f $RW_BUILD_DIR/CPackConfig.cmake ]]; then
    RW_RC=1 RW_OUT="" RW_ERR=""
    rw_fail "no CPackConfig.cmake: include(cmake/packaging.cmake) in CMakeLists.txt"
    rw_done
    exit 1
fi

# build_deb: runs cpack; sets DEB to the package file.
build_deb() {
    rw_run cpack -G DEB --config "$RW_BUILD_DIR/CPackConfig.cmake" -B "$RW_WORK/deb"
    DEB=$(compgen -G "$RW_WORK/deb/rackwatch_*.deb" | head -n 1)
    if [[ $RW_RC -ne 0 || -z $DEB ]]; then
        rw_fail "cpack -G DEB makes rackwatch_<version>_<arch>.deb"
        rw_done
        exit 1
    fi
    rw_pass "cpack -G DEB made $(basename "$DEB")"
}

# expect_file PATH [MODE]: the package holds PATH (./-relative), with MODE if given.
expect_file() {
    local path=$1 mode=${2:-} line
    line=$(awk -v p="$path" '$6 == p' "$RW_WORK/contents")
    RW_OUT=$line RW_RC=0 RW_ERR=""
    if [[ -z $line ]]; then
        rw_fail "package has $path"
    elif [[ -n $mode && ${line%% *} != "$mode" ]]; then
        rw_fail "package has $path with mode $mode"
    else
        rw_pass "package has $path${mode:+ ($mode)}"
    fi
}

check_contents() {
    local prog page places parents
    dpkg-deb -c "$DEB" >"$RW_WORK/contents"
    # Programs: plugins where Nagios and Icinga look, the daemon in sbin.
    for prog in "$RW_BIN_DIR"/check_*; do
        [[ $prog == *_live ]] && continue
        expect_file "./usr/lib/nagios/plugins/$(basename "$prog")" -rwxr-xr-x
    done
    # The live helpers, named: check_pdu and check_server exec them from their own
    # directory for a -H run, so they must sit beside them.
    for prog in check_pdu_live check_server_live; do
        expect_file "./usr/lib/nagios/plugins/$prog" -rwxr-xr-x
    done
    expect_file ./usr/sbin/rackwatchd -rwxr-xr-x
    for prog in rackwatch rackwatch-emu; do
        [[ -x $RW_BIN_DIR/$prog ]] && expect_file "./usr/bin/$prog" -rwxr-xr-x
    done
    expect_file ./usr/share/snmp/mibs/RACKWATCH-MIB.txt -rw-r--r--
    for page in "$RW_BUILD_DIR"/man/man[1-9]/*; do
        [[ -f $page ]] || continue
        expect_file "./usr/share/man/$(basename "$(dirname "$page")")/$(basename "$page").gz" \
            -rw-r--r--
    done
    expect_file ./etc/rackwatch/rackwatch.yaml -rw-r--r--
    expect_file ./lib/systemd/system/rackwatchd.service -rw-r--r--
    expect_file ./etc/nagios-plugins/config/rackwatch.cfg -rw-r--r--
    expect_file ./usr/share/icinga2/include/plugins-contrib.d/rackwatch.conf -rw-r--r--
    expect_file ./usr/share/doc/rackwatch/copyright -rw-r--r--
    expect_file ./usr/share/doc/rackwatch/changelog.gz -rw-r--r--
    # Nothing outside Debian's places, nothing owned by a build user.
    places='^\./(usr/(bin|sbin|lib/nagios|share)|etc|lib/systemd)(/|$)'
    parents='^\./((usr|lib|usr/lib)/)?$'
    RW_OUT=$(awk -v p="$places" -v d="$parents" '$6 !~ p && $6 !~ d' "$RW_WORK/contents")
    if [[ -z $RW_OUT ]]; then
        rw_pass "no file outside Debian's places"
    else
        rw_fail "no file outside Debian's places"
    fi
    RW_OUT=$(awk '$2 != "root/root"' "$RW_WORK/contents")
    if [[ -z $RW_OUT ]]; then
        rw_pass "every file is root/root"
    else
        rw_fail "every file is root/root"
    fi
}

check_control() {
    rw_run dpkg-deb -f "$DEB" Package Version Architecture Depends Section
    rw_expect_output control.package "^Package: rackwatch$"
    rw_expect_output control.version "^Version: [0-9]+\.[0-9]+\.[0-9]+$"
    # dpkg-shlibdeps found the libraries the programs link.
    rw_expect_output control.depends "^Depends: .*libcurl4.*"
    rw_expect_output control.depends.ssl "^Depends: .*libssl3"
    rw_run dpkg-deb -I "$DEB" conffiles
    rw_expect_output conffiles.yaml "^/etc/rackwatch/rackwatch\.yaml$"
    rw_expect_output conffiles.nagios "^/etc/nagios-plugins/config/rackwatch\.cfg$"
}

# The unpacked plugins run and are stripped (lintian checks the latter too).
check_programs() {
    local prog name plugins=$RW_WORK/root/usr/lib/nagios/plugins port
    dpkg-deb -x "$DEB" "$RW_WORK/root"
    for prog in "$plugins"/check_*; do
        # A live helper is its plugin built with libcurl: it prints the plugin's name.
        name=$(basename "$prog" _live)
        rw_expect "$(basename "$prog") from the package runs" 0 \
            "^$name \(rackwatch [0-9.]+\)$" "$prog" --version
    done
    # A -H run of the packaged plugin execs the packaged helper beside it, which polls:
    # a closed loopback port is CRITICAL (the device is down), not UNKNOWN "cannot run".
    port=$(rw_free_port)
    rw_expect "check_pdu from the package runs its live helper" 2 \
        "^PDU CRITICAL - /redfish/v1/: .*127\.0\.0\.1.*$port" \
        "$plugins/check_pdu" -H 127.0.0.1 -p "$port"
    rw_expect "check_server from the package runs its live helper" 2 \
        "^SERVER CRITICAL - /redfish/v1/: .*127\.0\.0\.1.*$port" \
        "$plugins/check_server" -H 127.0.0.1 -p "$port"
    rw_expect "rackwatchd from the package runs" 0 "^rackwatchd [0-9.]+$" \
        "$RW_WORK/root/usr/sbin/rackwatchd" --version
    # Stripped: no symbol table left (readelf, from binutils like the compiler).
    rw_run readelf -S "$RW_WORK/root/usr/sbin/rackwatchd"
    if [[ $RW_RC -eq 0 ]] && ! grep -q '\.symtab' <<<"$RW_OUT"; then
        rw_pass "rackwatchd is stripped"
    else
        rw_fail "rackwatchd is stripped"
    fi
}

check_lintian() {
    if ! command -v lintian >/dev/null; then
        echo "lintian is not installed (Debian package lintian): not run"
        return
    fi
    rw_run lintian --tag-display-limit 0 "$DEB"
    printf '%s\n' "${RW_OUT:-(no tags)}" | sed 's/^/  lintian: /'
    # lintian exits 1 when it reports an error, 2 when it could not check the package.
    if [[ $RW_RC -ne 0 ]] || grep -q '^E: ' <<<"$RW_OUT"; then
        rw_fail "lintian: no error (E:)"
    else
        rw_pass "lintian: no error (E:), $(grep -c '^W: ' <<<"$RW_OUT") warnings (W:)"
    fi
}

build_deb
check_contents
check_control
check_programs
check_lintian
rw_done

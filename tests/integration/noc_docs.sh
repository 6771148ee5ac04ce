# Manual pages and the other per-program documents: one case per run, noc_docs.sh CASE.
#   render     every generated page renders with man -l without a warning
#   help       every long option of each program's --help is in its man page, and every
#              option the page documents is in --help (the two cannot drift apart)
#   coverage   every program the build makes has a man page; every plugin has an
#              Icinga 2 CheckCommand and a Nagios command
. "$(dirname "$0")/lib.sh"

MAN_SRC="$RW_SOURCE_DIR/man"
MAN_OUT="$RW_BUILD_DIR/man"

# The programs rackwatch installs for users to run, as the build made them: plugins and
# daemons.  Test helpers in the same bin directory are not installed.  Nor are the
# check_*_live helpers documented apart, though they are installed: check_pdu execs
# check_pdu_live (its sibling with libcurl, see plugins/kit/rw_rfsrc.h) for a live -H run,
# so no user or monitoring core runs them; their options are the plugin's, and so is
# their page.
shipped_programs() {
    local p
    for p in "$RW_BIN_DIR"/check_* "$RW_BIN_DIR"/rackwatch "$RW_BIN_DIR"/rackwatchd \
        "$RW_BIN_DIR"/rackwatch-emu; do
        [[ $p == */check_*_live ]] && continue
        [[ -x $p ]] && basename "$p"
    done
}

# page_source NAME: the scdoc source of NAME's page (any section), or nothing.
page_source() {
    local f
    for f in "$MAN_SRC/$1".[1-9].scd; do
        [[ -f $f ]] && echo "$f"
    done
}

# need_pages: the generated pages exist, or the reason they do not.
need_pages() {
    if [[ ! -d $MAN_OUT ]]; then
        RW_RC=1 RW_OUT="" RW_ERR=""
        rw_fail "man/ is not part of the build: add_subdirectory(man) in CMakeLists.txt"
        rw_done
        exit 1
    fi
    if ! compgen -G "$MAN_OUT/man[1-9]/*" >/dev/null; then
        command -v scdoc >/dev/null ||
            rw_skip "scdoc is not installed (Debian package scdoc): no manual pages built"
        RW_RC=1 RW_OUT="" RW_ERR=""
        rw_fail "no page in $MAN_OUT/man*/ (was the 'man' target built?)"
        rw_done
        exit 1
    fi
}

case_render() {
    local page name
    need_pages
    for page in "$MAN_OUT"/man[1-9]/*; do
        name=$(basename "$page")
        # --warnings: groff's warnings (bad macros, unknown escapes, lines it cannot fit).
        rw_run env MANWIDTH=80 man --warnings=all -l "$page"
        if [[ $RW_RC -ne 0 || -n $RW_ERR ]]; then
            rw_fail "$name renders without warnings"
        elif ! grep -q "^NAME" <<<"$RW_OUT"; then
            rw_fail "$name has a NAME section"
        else
            rw_pass "$name renders without warnings"
        fi
        # The compressed page that is installed renders the same text.
        if [[ "$(MANWIDTH=80 man -l "$MAN_OUT/gz/$name.gz" 2>&1)" == "$RW_OUT" ]]; then
            rw_pass "$name.gz is the same page"
        else
            rw_fail "$name.gz is the same page"
        fi
    done
    # mandb and whatis read the NAME line, "name - summary": lexgrog parses it the same way.
    for page in "$MAN_OUT"/man[1-9]/*; do
        name=$(basename "$page")
        rw_run lexgrog "$page"
        rw_expect_output "$name: whatis entry" ": \"${name%.*} - [A-Za-z][^\"]+\"$"
    done
}

# long_options FILE: the --long-options named in FILE, one per line, sorted.
long_options() {
    grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' "$1" | sort -u
}

# help_text PROG: PROG --help, followed for a program with commands ("Usage: PROG COMMAND")
# by the --help of each command it lists ("  name   what it does").
help_text() {
    local prog=$1 text sub
    text=$("$RW_BIN_DIR/$prog" --help 2>&1)
    printf '%s\n' "$text"
    grep -q "^Usage: $prog COMMAND" <<<"$text" || return 0
    for sub in $(sed -nE 's/^  ([a-z][a-z-]*)  +[a-z].*/\1/p' <<<"$text"); do
        "$RW_BIN_DIR/$prog" "$sub" --help 2>&1
    done
}

case_help() {
    local prog src missing extra
    need_pages
    while read -r prog; do
        src=$(page_source "$prog")
        [[ -n $src ]] || continue # coverage reports the missing page
        help_text "$prog" >"$RW_WORK/help.txt"
        # The page's options as the reader sees them (bold *--name* in the source).
        grep -oE -- '\*--[a-z][a-z0-9-]*[a-z0-9]\*' "$src" | tr -d '*' | sort -u \
            >"$RW_WORK/page.txt"
        long_options "$RW_WORK/help.txt" >"$RW_WORK/help-opts.txt"
        missing=$(comm -23 "$RW_WORK/help-opts.txt" "$RW_WORK/page.txt" | tr '\n' ' ')
        extra=$(comm -13 "$RW_WORK/help-opts.txt" "$RW_WORK/page.txt" | tr '\n' ' ')
        RW_RC=0 RW_OUT="" RW_ERR=""
        if [[ ! -s $RW_WORK/help-opts.txt ]]; then
            rw_fail "$prog --help lists no long option"
        elif [[ -n $missing ]]; then
            rw_fail "$prog: options in --help but not in $(basename "$src"): $missing"
        elif [[ -n $extra ]]; then
            rw_fail "$prog: options in $(basename "$src") but not in --help: $extra"
        else
            rw_pass "$prog: --help and man page list the same $(wc -l <"$RW_WORK/page.txt") options"
        fi
    done < <(shipped_programs)
}

case_coverage() {
    local prog
    RW_RC=0 RW_OUT="" RW_ERR=""
    [[ -n $(shipped_programs) ]] || rw_fail "no program in $RW_BIN_DIR"
    while read -r prog; do
        if [[ -n $(page_source "$prog") ]]; then
            rw_pass "$prog has a man page"
        else
            rw_fail "$prog has no man page: add man/$prog.<section>.scd"
        fi
        [[ $prog == check_* ]] || continue
        if grep -qF "command = [ PluginDir + \"/$prog\" ]" \
            "$RW_SOURCE_DIR/config/icinga2/rackwatch.conf"; then
            rw_pass "$prog has an Icinga 2 CheckCommand"
        else
            rw_fail "$prog has no CheckCommand in config/icinga2/rackwatch.conf"
        fi
        if grep -qE "^ +command_line +\\\$USER1\\\$/$prog " \
            "$RW_SOURCE_DIR/config/nagios/rackwatch.cfg"; then
            rw_pass "$prog has a Nagios command"
        else
            rw_fail "$prog has no define command in config/nagios/rackwatch.cfg"
        fi
    done < <(shipped_programs)
}

case "${1:-}" in
    render) case_render ;;
    help) case_help ;;
    coverage) case_coverage ;;
    *)
        echo "usage: $0 render|help|coverage" >&2
        exit 2
        ;;
esac
rw_done

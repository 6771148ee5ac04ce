# Hostile servers (tests/integration/hostile.py) against every network plugin and
# `rackwatch poll` (with a session login first, and pollget: no credentials, so that the
# GETs on kept connections meet the server first): one ctest test per program and mode
# (hostile.sh PROGRAM MODE).  Each
# run is bounded by the program's own deadline (-t 3 / --budget 6); TIMEOUT is the guard.
foreach(program liveness cert version hubspoke pdu server poll pollget)
    foreach(mode huge huge_chunked header_line header_lines trickle renegotiate redirect
            nextlink garbage garbage_raw)
        rw_integration_test(NAME hostile.${program}.${mode} SCRIPT hostile.sh
                            ARGS ${program} ${mode} LABELS hostile TIMEOUT 60)
    endforeach()
endforeach()

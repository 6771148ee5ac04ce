# Issue 9: rackwatch in the tools NOC staff run.  The definitions of config/icinga2 and
# config/nagios in the real cores (both also run them against local spokes), the
# systemd unit checked by systemd-analyze, the manual pages, and the Debian package.
# A missing tool (icinga2, nagios4, systemd-analyze, scdoc) skips, saying which Debian
# package to install; without lintian, noc.deb says so and checks the rest.
foreach(core icinga nagios)
    foreach(case validate negative)
        rw_integration_test(NAME noc.${core}_${case} SCRIPT noc_${core}.sh ARGS ${case}
                            LABELS noc TIMEOUT 60)
    endforeach()
    # The core runs the shipped commands against local spokes; each result is polled
    # for (Icinga 2's perfdata files, Nagios' status.dat), giving up after 60 s.
    rw_integration_test(NAME noc.${core}_run SCRIPT noc_${core}.sh ARGS run LABELS noc
                        TIMEOUT 300)
    # The same for the PDU and server commands: check_pdu and check_server against an
    # emulated PDU and server, live and from a snapshot of `rackwatch poll --json`.
    rw_integration_test(NAME noc.${core}_devices SCRIPT noc_${core}.sh ARGS devices
                        LABELS noc TIMEOUT 300)
endforeach()
foreach(case verify hardening)
    rw_integration_test(NAME noc.systemd_${case} SCRIPT noc_systemd.sh ARGS ${case} LABELS noc
                        TIMEOUT 60)
endforeach()
foreach(case render help coverage)
    rw_integration_test(NAME noc.man_${case} SCRIPT noc_docs.sh ARGS ${case} LABELS noc
                        TIMEOUT 60)
endforeach()
# cpack strips the programs and runs dpkg-shlibdeps; lintian takes a while to start.
rw_integration_test(NAME noc.deb SCRIPT noc_deb.sh LABELS noc TIMEOUT 300)

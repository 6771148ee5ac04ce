# Debian packaging with CPack: `cpack -G DEB` in a build tree makes rackwatch_<version>_<arch>.deb.
# Included from the top-level CMakeLists.txt after the targets (their install() rules
# are what goes into the package).
#
# Where things land follows Debian, as monitoring-plugins and snmpd do:
#   /usr/lib/nagios/plugins/check_*                    plugins (RACKWATCH_PLUGINDIR), with
#                                                      check_pdu_live and check_server_live,
#                                                      which check_pdu and check_server exec
#                                                      from their own directory (-H runs)
#   /usr/sbin/rackwatchd, /usr/bin/rackwatch-emu       programs
#   /usr/share/snmp/mibs/RACKWATCH-MIB.txt             the MIB (RACKWATCH_MIBDIR)
#   /usr/share/man/man{1,8}/*.gz                       manual pages (man/)
#   /etc/rackwatch/rackwatch.yaml                      configuration (a conffile)
#   /lib/systemd/system/rackwatchd.service             the unit (bookworm: not /usr/lib yet)
#   /etc/nagios-plugins/config/rackwatch.cfg           Nagios commands, read by nagios4
#   /usr/share/icinga2/include/plugins-contrib.d/      Icinga 2 CheckCommands
#   /usr/share/doc/rackwatch/{copyright,changelog.gz}  what Debian policy asks for
# The package always uses prefix /usr; the files under /etc and /lib are installed at
# those absolute places by `cmake --install` too (the unit runs /usr/sbin/rackwatchd).
#
# Adding a program: its install() rule puts it in the package; its man page is man/*.scd.

set(RACKWATCH_CONFDIR "/etc/rackwatch" CACHE PATH "rackwatch configuration directory")
set(RACKWATCH_SYSTEMD_UNITDIR "/lib/systemd/system" CACHE PATH "systemd system unit directory")
set(RACKWATCH_NAGIOS_CONFDIR "/etc/nagios-plugins/config" CACHE PATH
    "Directory of Nagios command definitions that Debian's nagios4 reads")
set(RACKWATCH_ICINGA2_CONFDIR "${CMAKE_INSTALL_DATADIR}/icinga2/include/plugins-contrib.d"
    CACHE STRING "Icinga 2 ITL contrib directory (under the prefix)")
set(RACKWATCH_MAINTAINER "rackwatch maintainers <rackwatch@example.org>" CACHE STRING
    "Maintainer field of the Debian package")
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "rackwatch: prefix ${CMAKE_INSTALL_PREFIX}; note that the unit and "
                   "/etc files follow the Debian layout (the .deb always uses /usr)")
endif()

set(RW_PKG_DIR ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${RW_PKG_DIR})

# --- the files -------------------------------------------------------------------------
install(FILES ${PROJECT_SOURCE_DIR}/config/systemd/rackwatchd.service
        DESTINATION ${RACKWATCH_SYSTEMD_UNITDIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/nagios/rackwatch.cfg
        DESTINATION ${RACKWATCH_NAGIOS_CONFDIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/icinga2/rackwatch.conf
        DESTINATION ${RACKWATCH_ICINGA2_CONFDIR})
# The multi-site example (Icinga 2 master and satellites), documentation only.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/icinga2/distributed
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/rackwatch/examples/icinga2)
# The configuration starts as the documented example; the service is not enabled by the
# package, so nothing runs until it has been edited.
install(FILES ${PROJECT_SOURCE_DIR}/config/rackwatch.yaml.example
        DESTINATION ${RACKWATCH_CONFDIR} RENAME rackwatch.yaml)

# Debian policy: /usr/share/doc/<package>/copyright and a changelog, gzip -9n.
# The date is $SOURCE_DATE_EPOCH's when set (string(TIMESTAMP) honours it).
string(TIMESTAMP RW_PKG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
string(TIMESTAMP RW_PKG_YEAR "%Y" UTC)
file(WRITE ${RW_PKG_DIR}/copyright
     "rackwatch ${PROJECT_VERSION}: monitoring of rack power infrastructure\n"
     "(Redfish poller, SNMP AgentX subagent, Nagios/Icinga plugins).\n\n"
     "Copyright (C) ${RW_PKG_YEAR} the rackwatch authors.\n"
     "License: see the README of the source distribution.\n")
file(WRITE ${RW_PKG_DIR}/changelog
     "rackwatch (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
     "  * Package built by CPack from the rackwatch source tree.\n\n"
     " -- ${RACKWATCH_MAINTAINER}  ${RW_PKG_DATE}\n")
execute_process(COMMAND gzip -9nf ${RW_PKG_DIR}/changelog RESULT_VARIABLE rw_gzip_rc)
if(NOT rw_gzip_rc EQUAL 0)
    message(FATAL_ERROR "gzip ${RW_PKG_DIR}/changelog failed")
endif()
install(FILES ${RW_PKG_DIR}/copyright ${RW_PKG_DIR}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/rackwatch)

# dpkg treats the files under /etc as configuration: kept on upgrade when edited.
file(WRITE ${RW_PKG_DIR}/conffiles
     "${RACKWATCH_CONFDIR}/rackwatch.yaml\n"
     "${RACKWATCH_NAGIOS_CONFDIR}/rackwatch.cfg\n")

# --- the package -----------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rackwatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${RACKWATCH_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "monitoring of rack power infrastructure from Nagios, Icinga 2 and SNMP")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the ELF files' libraries (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "snmpd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "icinga2 | nagios4, snmp")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${RW_PKG_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Debian's extended description.  CPack puts the summary first and indents every line by
# one space, so the lines indented here stay verbatim (the list).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "rackwatch watches rack PDUs, servers and the hub/spoke servers of rack power
managers from the tools a NOC already runs:
 - monitoring plugins in /usr/lib/nagios/plugins: hub/spoke liveness,
   certificates and versions, rack PDUs and servers over Redfish (live or
   from rackwatchd's snapshot), with Icinga 2 CheckCommands and Nagios
   command definitions;
 - rackwatchd, an AgentX subagent of Net-SNMP's snmpd serving RACKWATCH-MIB;
 - rackwatch-emu, a Redfish emulator to try it all without hardware.
Examples of Icinga 2 and Nagios objects are in /usr/share/doc/rackwatch.")
include(CPack)

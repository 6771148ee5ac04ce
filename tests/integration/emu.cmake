# rackwatch-emu, the Redfish service emulator: each suite starts its own emulators on
# 127.0.0.1 port 0 (HTTPS with a certificate made at test time) and stops them.
foreach(suite resources auth_sessions paging_expand writes faults concurrency cli redfishtool
        sushy dmtf_mockups)
    rw_integration_test(NAME emu.${suite} SCRIPT emu_${suite}.sh LABELS emu TIMEOUT 180)
endforeach()

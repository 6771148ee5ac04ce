rw_integration_test(NAME install.layout SCRIPT install.sh LABELS install TIMEOUT 120)

rw_integration_test(NAME style.format_and_banned SCRIPT style.sh LABELS style TIMEOUT 120)

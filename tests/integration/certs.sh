# Test certificates made with the openssl CLI; sourced by lib.sh and scripts/demo.sh.

# rw_make_ca DIR: a test CA in DIR/ca.{key,crt}.
rw_make_ca() {
    local dir=$1
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
        -subj "/CN=rackwatch test CA $(basename "$dir")" \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1
}

# rw_make_cert CADIR NAME CN SAN DAYS_FROM DAYS_TO: a leaf for CN with subjectAltName SAN
# (e.g. "DNS:localhost,IP:127.0.0.1"), valid from now+DAYS_FROM to now+DAYS_TO days
# (negative numbers for the past), signed by CADIR's CA; files CADIR/NAME.{key,crt}.
# `openssl ca` because OpenSSL 3.0's x509 cannot set notBefore.
rw_make_cert() {
    local ca=$1 name=$2 cn=$3 san=$4 from=$5 to=$6
    local start end
    start=$(date -u -d "$from days" +%Y%m%d%H%M%SZ)
    end=$(date -u -d "$to days" +%Y%m%d%H%M%SZ)
    mkdir -p "$ca/db"
    [[ -f $ca/db/index ]] || : >"$ca/db/index"
    [[ -f $ca/db/serial ]] || echo 1000 >"$ca/db/serial"
    cat >"$ca/$name.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
database = $ca/db/index
serial = $ca/db/serial
new_certs_dir = $ca/db
certificate = $ca/ca.crt
private_key = $ca/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[leaf]
subjectAltName = $san
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
CNF
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
        -keyout "$ca/$name.key" -out "$ca/$name.csr" >/dev/null 2>&1 || return 1
    openssl ca -batch -config "$ca/$name.cnf" -extensions leaf -notext \
        -startdate "$start" -enddate "$end" -in "$ca/$name.csr" -out "$ca/$name.crt" \
        >/dev/null 2>&1
}

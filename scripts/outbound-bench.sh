#!/usr/bin/env bash
# Outbound HTTP benchmark (issue 11): plugins that GET a 1 KiB body per invocation from
# one nginx on loopback (plain and TLS, its certificate from a CA made here with openssl),
# under the neutral Runtime API simulator (Tests/Fixtures/), all in one run, and prints
# each client's invocation rate and its ratio to libcurl with one reused easy handle.
#
#   scripts/outbound-bench.sh [-r ROUNDS] [-n COUNT] [CLIENT...]   (3 rounds of 20000)
#
# Clients (default: all but curl-newhandle-https; a fetch client is skipped, saying so,
# while the package has no Fetch product):
#   curl-reuse-http, curl-reuse-https  scripts/outbound-bench/curl_plugin.c, BENCH_CURL_MODE=reuse
#   curl-fresh-https                   the same, a new connection per invocation (mode fresh)
#   curl-newhandle-https               a new easy handle per invocation (mode new-handle)
#   fetch-http, fetch-https            libFetch.so: the host's pool (event {"url": "..."})
# Add a client in client() below. Then it times the first HTTPS call of a process against
# a warm call: through the host without and with LAMBDA_HOST_PREWARM_ORIGINS, and through
# libcurl (BENCH_FIRST_ROUNDS processes each, default 7).
#
# Needs: swift, cc, libcurl4-openssl-dev, nginx-light (ssl and stub_status), openssl,
# curl and python3 (free ports). Builds lambda-host (and
# Fetch) in release unless BENCH_NO_BUILD=1. The conns column is how many connections
# nginx accepted during a run (stub_status): 1 means every invocation reused one.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
rounds=3
count=20000
while getopts r:n: option; do
    case $option in
        r) rounds=$OPTARG ;;
        n) count=$OPTARG ;;
        *) sed -n 2,20p "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=(curl-reuse-http curl-reuse-https curl-fresh-https fetch-http fetch-https)
has_fetch=$(grep -c 'name: "Fetch"' Package.swift || true)

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    swift build -c release --product lambda-host 2>&1 | tail -1
    [ "$has_fetch" = 0 ] || swift build -c release --product Fetch 2>&1 | tail -1
fi
cd "$here"  # bench-setup.sh finds the package from $0 as given
source "$(dirname "$0")/bench-setup.sh"  # cd to the package; $work (removed at exit), $work/sim
release=$PWD/.build/release
nginx_pid=""
trap '[ -z "$nginx_pid" ] || { kill "$nginx_pid"; wait "$nginx_pid"; } 2>/dev/null; rm -rf "$work"' EXIT

# The test CA and a server certificate for 127.0.0.1, RSA 2048 as most AWS endpoints use.
tls=$work/tls
mkdir -p "$tls"
(
    cd "$tls"
    printf '[req]\ndistinguished_name=dn\n[dn]\n[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n[server]\nbasicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > openssl.cnf
    export OPENSSL_CONF=$tls/openssl.cnf
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj "/CN=outbound-bench CA" -days 30 -extensions ca -out ca.crt 2>/dev/null
    openssl req -new -newkey rsa:2048 -nodes -keyout server.key -subj "/CN=127.0.0.1" -out server.csr 2>/dev/null
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial 2 -days 30 -extfile openssl.cnf -extensions server -out server.crt 2>/dev/null
)
ca=$tls/ca.crt

# nginx from its own prefix, as the tests run it; access log only for replies not 200.
start_nginx() {
    read -r port tls_port < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
    mkdir -p "$work/nginx/html" "$work/nginx/temp"
    head -c 1024 /dev/zero | tr '\0' 'a' > "$work/nginx/html/1k"
    local user=""
    [ "$(id -u)" != 0 ] || user="user root;"
    cat > "$work/nginx/nginx.conf" <<EOF
$user
worker_processes 1;
events { worker_connections 1024; }
http {
    map \$status \$not_ok { 200 0; default 1; }
    log_format status '\$status \$request';
    access_log $work/nginx/not-ok.log status if=\$not_ok;
    client_body_temp_path $work/nginx/temp/body;
    proxy_temp_path $work/nginx/temp/proxy;
    fastcgi_temp_path $work/nginx/temp/fastcgi;
    uwsgi_temp_path $work/nginx/temp/uwsgi;
    scgi_temp_path $work/nginx/temp/scgi;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    ssl_session_cache shared:tls:1m;
    server {
        listen 127.0.0.1:$port;
        listen 127.0.0.1:$tls_port ssl;
        ssl_certificate $tls/server.crt;
        ssl_certificate_key $tls/server.key;
        root $work/nginx/html;
        location = /1k { }
        location = /nginx_status { stub_status; access_log off; }
    }
}
EOF
    /usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" \
        -g "daemon off; pid $work/nginx/nginx.pid;" &
    nginx_pid=$!
    for _ in $(seq 200); do
        curl -q -s --noproxy '*' -o /dev/null "http://127.0.0.1:$port/1k" && return 0
        kill -0 "$nginx_pid" 2>/dev/null || break
        sleep 0.05
    done
    nginx_pid=""
    return 1
}
for _ in 1 2 3; do start_nginx && break; done
[ -n "$nginx_pid" ] || { echo "$0: nginx did not start: $(cat "$work/nginx/error.log")" >&2; exit 1; }
curl -q -sS --noproxy '*' --cacert "$ca" -o /dev/null "https://127.0.0.1:$tls_port/1k" || { echo "$0: TLS check failed" >&2; exit 1; }
printf '{"url": "http://127.0.0.1:%s/1k"}' "$port" > "$work/http.json"
printf '{"url": "https://127.0.0.1:%s/1k"}' "$tls_port" > "$work/https.json"

mkdir -p "$work/curl"
cc -shared -fPIC -O2 -I Sources/CLambdaPlugin/include -o "$work/curl/libCurlBench.so" \
    scripts/outbound-bench/curl_plugin.c -lcurl

# stub_status's accepted connections and requests, each read counting itself.
counters() {
    curl -q -s --noproxy '*' "http://127.0.0.1:$port/nginx_status" | awk 'NR == 3 {print $1, $3}'
}

# Sets plugin, root (LAMBDA_TASK_ROOT), scheme and extra (more environment) for a client.
client() {
    extra=()
    case $1 in
        curl-reuse-http) plugin=libCurlBench.so root=$work/curl scheme=http extra=(BENCH_CURL_MODE=reuse) ;;
        curl-reuse-https) plugin=libCurlBench.so root=$work/curl scheme=https extra=(BENCH_CURL_MODE=reuse) ;;
        curl-fresh-https) plugin=libCurlBench.so root=$work/curl scheme=https extra=(BENCH_CURL_MODE=fresh) ;;
        curl-newhandle-https) plugin=libCurlBench.so root=$work/curl scheme=https extra=(BENCH_CURL_MODE=new-handle) ;;
        fetch-http) plugin=libFetch.so root=$release scheme=http ;;
        fetch-https) plugin=libFetch.so root=$release scheme=https ;;
        *) echo "$0: unknown client $1" >&2; exit 2 ;;
    esac
}

run() {  # client
    client "$1"
    local url="http://127.0.0.1:$port/1k" line before after
    [ "$scheme" = http ] || url="https://127.0.0.1:$tls_port/1k"
    # WARN: no INFO line from each host's shutdown.
    local sim=(env _HANDLER="$plugin" LAMBDA_TASK_ROOT="$root" BENCH_URL="$url" BENCH_CA_FILE="$ca"
        SSL_CERT_FILE="$ca" AWS_LAMBDA_LOG_LEVEL=WARN "${extra[@]}" "$work/sim" --event-file "$work/$scheme.json")
    # A short run of the same client first, as in scripts/bench.sh.
    "${sim[@]}" --count 200 -- "$release/lambda-host" > /dev/null
    before=$(counters)
    line=$("${sim[@]}" --count "$count" -- "$release/lambda-host")
    after=$(counters)
    # The difference holds the first read's own connection and request.
    line="$line conns=$(( ${after% *} - ${before% *} - 1 )) gets=$(( ${after#* } - ${before#* } - 1 ))"
    echo "$1 $line"
    echo "$1 $line" >> "$work/all"
}

ran=()
for name in "${clients[@]}"; do
    client "$name"
    if [ "$plugin" = libFetch.so ] && [ ! -f "$release/libFetch.so" ]; then
        echo "$name: skipped (no $release/libFetch.so: the package has no Fetch product yet)"
    else
        ran+=("$name")
    fi
done
for round in $(seq "$rounds"); do
    for name in "${ran[@]}"; do run "$name"; done
done

median() {  # name field
    grep "^$1 " "$work/all" | grep -o " $2=[0-9.]*" | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}' || echo -; }
echo
echo "nginx 1.22 on 127.0.0.1, GET /1k, $count invocations, medians of $rounds rounds"
printf '%-22s %8s %9s %9s %9s %7s %7s   %-16s %s\n' client rate p50_us p99_us init_ms conns gets \
    "vs curl-reuse" "vs curl-fresh-https"
for name in "${ran[@]}"; do
    client "$name"
    rate=$(median "$name" rate)
    reuse=""; grep -q "^curl-reuse-$scheme " "$work/all" && reuse=$(median "curl-reuse-$scheme" rate)
    fresh=""; [ "$scheme" = http ] || ! grep -q "^curl-fresh-https " "$work/all" || fresh=$(median curl-fresh-https rate)
    printf '%-22s %8s %9s %9s %9s %7s %7s   %-16s %s\n' "$name" "$rate" "$(median "$name" p50_us)" \
        "$(median "$name" p99_us)" "$(median "$name" init_ms)" "$(median "$name" conns)" "$(median "$name" gets)" \
        "$(ratio "$rate" "$reuse")" "$(ratio "$rate" "$fresh")"
done
# The first HTTPS call of a process, against a warm one: scripts/outbound-bench/first_call.c
# times its own GETs (event "5": five in a row) through the host's pool or through libcurl,
# each in a new process started by `lambda-host invoke`. The CA file is the system bundle
# with the test CA appended, so both load ~140 certificates as they would on Lambda. Every
# call, the first included, comes after the same 20 ms pause (BENCH_GAP_US): on this
# machine a call right after an idle gap takes 3-8x as long as one right after another
# (the server's worker and the CPU wake up), and Lambda's calls come after such gaps.
first_rounds=${BENCH_FIRST_ROUNDS:-7}
bundle=$work/bundle.pem
cat /etc/ssl/certs/ca-certificates.crt "$ca" > "$bundle"
cc -shared -fPIC -O2 -I Sources/CLambdaPlugin/include -o "$work/curl/libFirstHost.so" scripts/outbound-bench/first_call.c
cc -shared -fPIC -O2 -DUSE_CURL -I Sources/CLambdaPlugin/include -o "$work/curl/libFirstCurl.so" \
    scripts/outbound-bench/first_call.c -lcurl
first() {  # name, plugin, then more environment
    local name=$1 plugin=$2; shift 2
    env BENCH_URL="https://127.0.0.1:$tls_port/1k" SSL_CERT_FILE="$bundle" BENCH_CA_FILE="$bundle" \
        BENCH_GAP_US="${BENCH_GAP_US:-20000}" "$@" \
        "$release/lambda-host" invoke --handler "$work/curl/$plugin" --event 5 2>/dev/null |
        sed 's/.*"us":\[\([0-9,]*\)\].*/\1/' |
        awk -F, -v name="$name" '{printf "%s first=%d warm=%d\n", name, $1, ($3 + $4 + $5) / 3}' >> "$work/first"
}
for _ in $(seq "$first_rounds"); do
    first host-cold libFirstHost.so
    first host-prewarmed libFirstHost.so LAMBDA_HOST_PREWARM_ORIGINS="https://127.0.0.1:$tls_port"
    first curl libFirstCurl.so
done
fmedian() { grep "^$1 " "$work/first" | grep -o " $2=[0-9]*" | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "first HTTPS call of a process vs a warm call (us, medians of $first_rounds processes; warm: mean of calls 3-5;"
echo "each call after a ${BENCH_GAP_US:-20000} us pause)"
printf '%-16s %9s %9s\n' client first warm
for name in host-cold host-prewarmed curl; do
    printf '%-16s %9s %9s\n' "$name" "$(fmedian "$name" first)" "$(fmedian "$name" warm)"
done
echo "host pre-warmed first / host warm: $(ratio "$(fmedian host-prewarmed first)" "$(fmedian host-prewarmed warm)")"
echo "host cold first / curl first:      $(ratio "$(fmedian host-cold first)" "$(fmedian curl first)")"
echo
statuses=$(grep -c 'status=ok' "$work/all" || true)
echo "runs with status=ok: $statuses of $((rounds * ${#ran[@]}))"
if [ -s "$work/nginx/not-ok.log" ]; then
    echo "replies other than 200: $(wc -l < "$work/nginx/not-ok.log") (first: $(head -1 "$work/nginx/not-ok.log"))"
fi

#!/usr/bin/env bash
# Two ChatKit instances on one PostgreSQL database, behind nginx with deploy/nginx.conf, held
# to the conformance checker (issue 20, item 5).
#
#   1. build chatkit-conform and lesson04 (a model that streams, so a buffering proxy would
#      show; its Python twin and chatkit-conform agree on it in reference/ci-conform.sh);
#   2. start two lesson04 instances on free loopback ports, both on the PostgreSQL store at
#      $CHATKIT_TEST_DATABASE_URL (same database, same tables);
#   3. render deploy/nginx.conf into a run directory of its own (pid, logs and temporary files
#      all there) and start nginx in front of both on a free port, unprivileged: as root, the
#      whole of nginx runs as `nobody`;
#   4. run `chatkit-conform check` against nginx's URL: zero errors AND zero warnings;
#   5. stream one answer through nginx, asking for gzip as browsers do: it must come back
#      uncompressed, its events spread over time as the instance wrote them, not in a lump
#      (which a compressing or buffering hop would make);
#   6. count, in nginx's access log, the requests each instance answered: both must have
#      served some (the conversation went back and forth between them).
#
# Everything started here is stopped on exit, whatever happens (trap).
#
#   bash deploy/install-nginx.sh          # once: Debian's nginx, pinned
#   CHATKIT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bash deploy/check-behind-nginx.sh
#
# NGINX_BIN names the nginx binary (default: `nginx` on the PATH, else /usr/sbin/nginx; not
# NGINX, which nginx itself reads: the sockets handed over in a binary upgrade);
# CARGO_TARGET_DIR is honoured. The conversation's user ids are new on every run, so runs
# (and other tests) sharing the database never see each other's threads.

set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
cd "${repo_root}"

log() { echo "check-behind-nginx: $*" >&2; }
fail() {
    log "error: $*"
    exit 1
}

database_url="${CHATKIT_TEST_DATABASE_URL:-}"
[ -n "${database_url}" ] ||
    fail "set CHATKIT_TEST_DATABASE_URL to a PostgreSQL database, such as postgres://postgres@127.0.0.1:5432/test"

nginx="${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}"
[ -x "${nginx}" ] || fail "no nginx at ${nginx}: run 'bash deploy/install-nginx.sh' first (or set NGINX_BIN)"

started=$SECONDS
run_dir="$(mktemp -d)"
pids=()
cleanup() {
    local pid
    # TERM: nginx's fast shutdown, and the instances' default action (SIGINT would make them
    # wait for nginx's idle keep-alive connections to close).
    for pid in "${pids[@]}"; do
        kill "${pid}" 2>/dev/null || true
        wait "${pid}" 2>/dev/null || true
    done
    rm -rf "${run_dir}"
}
trap cleanup EXIT

# A port no one listens on right now (the kernel picks it; the start below fails loudly in
# the unlikely case someone takes it first).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Shows the end of every log of the run, to explain a failure.
show_logs() {
    local file
    for file in "${run_dir}"/*.log; do
        [ -e "${file}" ] || continue
        echo "--- ${file##*/}" >&2
        tail -n 40 "${file}" >&2
    done
}

# Waits until something accepts connections on the port (30 s at most), failing at once if
# the process that should listen there has exited (a database it cannot reach, a bad flag).
wait_for_port() {
    local port="$1" name="$2" pid="$3"
    for _ in $(seq 1 150); do
        if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "${pid}" 2>/dev/null; then
            show_logs
            fail "${name} exited before listening on port ${port} (its log is above)"
        fi
        sleep 0.2
    done
    show_logs
    fail "${name} did not listen on port ${port} within 30 s"
}

log "building chatkit-conform and lesson04"
cargo build --quiet --bin chatkit-conform --bin lesson04
bin_dir="${CARGO_TARGET_DIR:-${repo_root}/target}/debug"
conform="${bin_dir}/chatkit-conform"

# 2. Two instances on one database. The lesson's model is its built-in mock unless
# OPENAI_API_KEY is set: unset it so the check never reaches out.
instance_ports=("$(free_port)" "$(free_port)")
# Two picks can return the same port; two instances on one port would look like one.
while [ "${instance_ports[1]}" = "${instance_ports[0]}" ]; do instance_ports[1]="$(free_port)"; done
for i in 0 1; do
    port="${instance_ports[$i]}"
    env -u OPENAI_API_KEY -u OPENAI_BASE_URL "${bin_dir}/lesson04" \
        --store postgres --database-url "${database_url}" --port "${port}" \
        >"${run_dir}/instance$((i + 1)).log" 2>&1 &
    pids+=("$!")
done
for i in 0 1; do
    wait_for_port "${instance_ports[$i]}" "instance $((i + 1))" "${pids[$i]}"
    log "instance $((i + 1)) (lesson04, store: postgres) is listening on 127.0.0.1:${instance_ports[$i]}"
done

# 3. nginx. The template's placeholders are addresses only (no '/', '&' or '\' for sed).
nginx_port="$(free_port)" # free now, so not an instance's port: both are listening
instance1="127.0.0.1:${instance_ports[0]}"
instance2="127.0.0.1:${instance_ports[1]}"
sed -e "s/@LISTEN@/127.0.0.1:${nginx_port}/g" \
    -e "s/@INSTANCE_1@/${instance1}/g" \
    -e "s/@INSTANCE_2@/${instance2}/g" \
    deploy/nginx.conf >"${run_dir}/nginx.conf"
if grep -q '@[A-Z_0-9]*@' "${run_dir}/nginx.conf"; then
    fail "deploy/nginx.conf has a placeholder this script does not fill: $(grep -o '@[A-Z_0-9]*@' "${run_dir}/nginx.conf" | sort -u | paste -sd' ' -)"
fi
mkdir "${run_dir}/tmp"

# Unprivileged: as root, run nginx as `nobody` (setpriv is in util-linux, on every Debian),
# so the check proves the configuration needs no privilege; the run directory is then
# nobody's. As any other user, nginx runs as that user.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    as_user=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --)
    chown -R nobody: "${run_dir}"
    chmod 755 "${run_dir}"
fi
# -p: every relative path in the configuration is under the run directory; -e: the log of
# the start itself, before the configuration is read (Debian's default is under /var/log);
# daemon off: nginx stays in the foreground, so its pid is the one this script started.
# env -u NGINX: nginx would take that variable for sockets inherited from an older nginx.
nginx_cmd=(env -u NGINX "${as_user[@]}" "${nginx}" -p "${run_dir}/" -c "${run_dir}/nginx.conf"
    -e "${run_dir}/error.log")
if ! "${nginx_cmd[@]}" -t -q; then
    fail "nginx rejects the configuration rendered from deploy/nginx.conf (above)"
fi
"${nginx_cmd[@]}" -g 'daemon off;' >"${run_dir}/nginx-stdout.log" 2>&1 &
pids+=("$!")
wait_for_port "${nginx_port}" nginx "${pids[2]}"
url="http://127.0.0.1:${nginx_port}/chatkit"
log "nginx $("${nginx}" -v 2>&1 | sed 's/.*nginx\///') is listening on ${url}, in front of ${instance1} and ${instance2}"

# 4. The checker, through nginx: zero errors, zero warnings.
token="$(date +%s)-$$"
log "chatkit-conform check --url ${url} (as x-user-id conform-${token})"
if ! "${conform}" check --url "${url}" --header "x-user-id:conform-${token}" \
    --second-user-header "x-user-id:intruder-${token}" --deny-warnings; then
    show_logs
    fail "chatkit-conform found errors or warnings through nginx"
fi

# 5. One streamed answer through nginx: uncompressed, and its `data:` lines arriving over time
# (the mock model pauses 20 ms before each chunk), not all at once.
log "streaming one answer through nginx"
if ! python3 - "${url}" "stream-${token}" <<'PY'; then
import http.client, json, sys, time, urllib.parse

url, user = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2]
body = json.dumps({"type": "threads.create", "params": {"input": {
    "content": [{"type": "input_text", "text": "Tell me about streaming."}],
    "attachments": [], "inference_options": {}}}})
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
start = time.monotonic()
connection.request("POST", url.path, body, {"content-type": "application/json", "x-user-id": user,
                                            "accept-encoding": "gzip, deflate, br"})
response = connection.getresponse()
if response.status != 200 or not response.getheader("content-type", "").startswith("text/event-stream"):
    sys.exit(f"expected a 200 text/event-stream, got {response.status} {response.getheader('content-type')}")
if response.getheader("content-encoding"):
    sys.exit(f"the stream is compressed ({response.getheader('content-encoding')}): that holds events back")
times = []
while line := response.readline():
    if line.startswith(b"data:"):
        times.append(time.monotonic() - start)
spread = times[-1] - times[0] if times else 0.0
print(f"{len(times)} events; first at {times[0] * 1000:.0f} ms, last at {times[-1] * 1000:.0f} ms" if times else "no events")
# Held back by a hop, they would arrive together; unheld, 20 ms apart.
if len(times) < 4 or spread < 0.06:
    sys.exit(f"the events arrived within {spread * 1000:.0f} ms of each other: something buffers the stream")
PY
    show_logs
    fail "the stream through nginx was not delivered as it was written"
fi

# 6. Both instances answered: nginx logs the instance of each request ($upstream_addr).
total=0
for instance in "${instance1}" "${instance2}"; do
    count="$(grep -c "upstream=${instance}\b" "${run_dir}/access.log" || true)"
    log "${instance} answered ${count} requests"
    [ "${count}" -gt 0 ] || {
        show_logs
        fail "${instance} answered no request: nginx did not spread the requests"
    }
    total=$((total + count))
done
# Any error nginx logged, but the one the checker asks for: its 2 MiB body, refused.
if grep -E '\[(error|crit|alert|emerg)\]' "${run_dir}/error.log" |
    grep -v 'client intended to send too large body' >&2; then
    fail "nginx logged errors (above)"
fi

log "ok: conform clean through nginx, the stream unbuffered, ${total} requests over both instances ($((SECONDS - started)) s)"

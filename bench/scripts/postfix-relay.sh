#!/usr/bin/env bash
# A private Postfix instance for the delivery benchmark: the submission server of
# postfix-submission.sh (STARTTLS required, Cyrus SASL, one loopback port), but instead of
# discard(8) every message is relayed by smtp(8) to one upstream, like Postern's provider:
# relayhost [HOST]:PORT, TLS verified against a CA file and the host name, SASL login.
#
#   postfix-relay.sh start DIR PORT CERT KEY USER PASSWORD UP_HOST UP_PORT CA_FILE UP_USER UP_PASSWORD
#   postfix-relay.sh stop DIR
#   postfix-relay.sh pid DIR        # master PID
#   postfix-relay.sh queued DIR     # number of queue files not yet delivered (0 = drained)
#
# TLS_REUSE=1 (environment of start) also sets smtp_tls_connection_reuse = yes with a
# tlsproxy(8) service, so smtp(8) can cache TLS connections and send several messages on one
# (off by default in Postfix 3.7: each delivery opens, and handshakes, a connection of its own).
#
# Must run as root. The instance is created and started by postfix-submission.sh, stopped,
# switched to relaying with `postconf -c DIR/etc`, and started again, so nothing is ever
# submitted to it before it relays. Stopping is postfix-submission.sh's (bounded, by PID).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "postfix-relay: $*" >&2; exit 1; }

# Why each setting: docs/benchmarks.md, "End-to-end delivery".
relay_settings() {
  local up_host=$1 up_port=$2 ca=$3 up_user=$4 up_password=$5
  cat <<CF
default_transport = smtp
relay_transport = smtp
relayhost = [$up_host]:$up_port
smtp_host_lookup = native
smtp_tls_security_level = verify
smtp_tls_verify_cert_match = hostname
smtp_tls_servername = hostname
smtp_tls_CAfile = $ca
smtp_tls_loglevel = 0
smtp_tls_session_cache_database = btree:\${data_directory}/smtp_scache
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = static:$up_user:$up_password
smtp_sasl_security_options = noanonymous
smtp_sasl_tls_security_options = noanonymous
CF
}

start() {
  [[ $# -eq 11 ]] || die "usage: start DIR PORT CERT KEY USER PASSWORD UP_HOST UP_PORT CA_FILE UP_USER UP_PASSWORD"
  local dir=$1 port=$2 up_host=$7 up_port=$8 ca=$9 up_user=${10} up_password=${11}
  [[ $up_password =~ ^[A-Za-z0-9._-]+$ ]] || die "the upstream password must be [A-Za-z0-9._-] (static: map)"
  "$HERE/postfix-submission.sh" start "${@:1:6}" >/dev/null
  dir=$(cd "$dir" && pwd)
  "$HERE/postfix-submission.sh" stop "$dir" >/dev/null
  local setting
  while IFS= read -r setting; do
    postconf -c "$dir/etc" -e "$setting"
  done < <(relay_settings "$up_host" "$up_port" "$ca" "$up_user" "$up_password")
  postconf -c "$dir/etc" -M "smtp/unix=smtp unix - - n - - smtp"
  if [[ ${TLS_REUSE:-0} == 1 ]]; then
    postconf -c "$dir/etc" -e "smtp_tls_connection_reuse = yes"
    postconf -c "$dir/etc" -M "tlsproxy/unix=tlsproxy unix - - n - 0 tlsproxy"
  fi
  postfix -c "$dir/etc" check
  postfix -c "$dir/etc" start
  for _ in $(seq 1 100); do
    if "$HERE/postfix-submission.sh" pid "$dir" >/dev/null 2>&1 &&
      ss -Hltn "sport = :$port" | grep -q 127.0.0.1; then
      echo "postfix-relay: listening on 127.0.0.1:$port, relaying to [$up_host]:$up_port"
      return 0
    fi
    sleep 0.1
  done
  die "Postfix did not start listening on 127.0.0.1:$port; see $dir/maillog"
}

# Queue files in every queue that holds undelivered mail (maildrop to deferred, and hold).
queued() {
  [[ $# -eq 1 ]] || die "usage: queued DIR"
  local spool
  spool=$(cd "$1" && pwd)/spool
  find "$spool/maildrop" "$spool/incoming" "$spool/active" "$spool/deferred" "$spool/hold" \
    -type f 2>/dev/null | wc -l
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; "$HERE/postfix-submission.sh" stop "$@" ;;
  pid) shift; "$HERE/postfix-submission.sh" pid "$@" ;;
  queued) shift; queued "$@" ;;
  *) die "usage: $0 start DIR PORT CERT KEY USER PASSWORD UP_HOST UP_PORT CA_FILE UP_USER UP_PASSWORD | stop DIR | pid DIR | queued DIR" ;;
esac

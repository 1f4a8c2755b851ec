#!/usr/bin/env bash
# A private Postfix instance (Debian's postfix 3.7 package) configured as a submission server
# for the benchmark: STARTTLS required, Cyrus SASL (sasldb, PLAIN LOGIN), AUTH only after TLS,
# listening on one loopback port only, mail accepted durably into its own queue and then
# delivered to the discard(8) transport (nothing leaves the machine).
#
#   postfix-submission.sh start DIR PORT CERT KEY USER PASSWORD
#   postfix-submission.sh stop DIR
#   postfix-submission.sh pid DIR          # master PID (all daemons are its children)
#
# DIR must be empty or missing for start; it receives etc/ (config_directory), spool/
# (queue_directory), data/ (data_directory) and maillog. Must run as root (Postfix's master
# starts as root and drops to the postfix user). Stopping uses `postfix -c DIR/etc stop`, so only
# this instance is touched; a master that outlives the bounded wait is killed by its PID.
set -euo pipefail

die() { echo "postfix-submission: $*" >&2; exit 1; }

# Why each setting; see docs/benchmarks.md ("Postfix reference") for the fairness notes.
write_main_cf() {
  local dir=$1 port=$2 cert=$3 key=$4 user=$5
  cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
config_directory = $dir/etc
queue_directory = $dir/spool
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.localdomain
mydomain = localdomain
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
# Loopback only; master.cf names 127.0.0.1:$port as the one listener.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# Accepted mail goes through the normal durable queue (cleanup writes and fsyncs the queue
# file before smtpd answers 250), then qmgr hands it to discard(8): no delivery attempt.
default_transport = discard:postern-benchmark
relay_transport = discard:postern-benchmark
local_transport = discard:postern-benchmark
# Submission (RFC 6409) like Debian's commented-out submission service.
smtpd_banner = \$myhostname ESMTP
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_cert_file = $cert
smtpd_tls_key_file = $key
smtpd_tls_loglevel = 0
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain = \$myhostname
smtpd_sasl_security_options = noanonymous
cyrus_sasl_config_path = $dir/etc/sasl
smtpd_sender_login_maps = regexp:$dir/etc/sender_login
smtpd_client_restrictions = permit_sasl_authenticated, reject
smtpd_sender_restrictions = reject_sender_login_mismatch
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions =
# 500 concurrent sessions need 500 smtpd processes (plus cleanup); the default limit is 100.
default_process_limit = 1200
# anvil's per-client limits would refuse a benchmark from one address; loopback is exempt
# through mynetworks anyway, the zeros make it explicit.
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_auth_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
# Logging to a file through postlogd (no syslog in the container); it is part of the work.
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
biff = no
append_dot_mydomain = no
readme_directory = no
CF
  printf '/@example\\.com$/ %s, %s@bench.localdomain\n' "$user" "$user" >"$dir/etc/sender_login"
}

write_master_cf() {
  local dir=$1 port=$2
  # No chroot anywhere (column 5 = n) so the temp dir paths work as they are.
  cat >"$dir/etc/master.cf" <<CF
127.0.0.1:$port inet n - n - - smtpd
  -o syslog_name=postfix/submission
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
}

write_sasl() {
  local dir=$1 user=$2 password=$3
  mkdir -p "$dir/etc/sasl"
  cat >"$dir/etc/sasl/smtpd.conf" <<CF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $dir/etc/sasldb2
CF
  printf '%s' "$password" | saslpasswd2 -p -c -f "$dir/etc/sasldb2" -u bench.localdomain "$user"
  chown root:postfix "$dir/etc/sasldb2"
  chmod 640 "$dir/etc/sasldb2"
}

master_pid() {
  local file=$1/spool/pid/master.pid
  [[ -r $file ]] || return 1
  local pid
  pid=$(tr -d ' \n' <"$file")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  [[ $# -eq 6 ]] || die "usage: start DIR PORT CERT KEY USER PASSWORD"
  local dir=$1 port=$2 cert=$3 key=$4 user=$5 password=$6
  [[ $(id -u) -eq 0 ]] || die "must run as root (Postfix's master starts as root)"
  mkdir -p "$dir"
  [[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
  dir=$(cd "$dir" && pwd)
  mkdir -p "$dir/etc" "$dir/spool" "$dir/data"
  # Every parent must be searchable by the postfix user (mktemp -d makes mode 700).
  chmod 755 "$dir" "$dir/etc"
  chown postfix "$dir/data"
  write_main_cf "$dir" "$port" "$cert" "$key" "$user"
  write_master_cf "$dir" "$port"
  write_sasl "$dir" "$user" "$password"
  # Creates the queue subdirectories with Postfix's own ownership rules, then starts master.
  postfix -c "$dir/etc" check
  postfix -c "$dir/etc" start
  for _ in $(seq 1 100); do
    if master_pid "$dir" >/dev/null && ss -Hltn "sport = :$port" | grep -q 127.0.0.1; then
      echo "postfix-submission: listening on 127.0.0.1:$port (master $(master_pid "$dir"))"
      return 0
    fi
    sleep 0.1
  done
  die "Postfix did not start listening on 127.0.0.1:$port; see $dir/maillog"
}

stop() {
  [[ $# -eq 1 ]] || die "usage: stop DIR"
  local dir
  dir=$(cd "$1" && pwd)
  local pid
  pid=$(master_pid "$dir") || { echo "postfix-submission: not running"; return 0; }
  postfix -c "$dir/etc" stop || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "postfix-submission: master $pid still running after 10 s, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  pid) shift; master_pid "$(cd "$1" && pwd)" ;;
  *) die "usage: $0 start DIR PORT CERT KEY USER PASSWORD | stop DIR | pid DIR" ;;
esac

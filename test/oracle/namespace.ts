/**
 * Runs a bash script as PID 1's child in a private mount + network + PID namespace, with
 * systemd-networkd available but reading only what the script writes. For claims about the
 * kernel and networkd that are not "which master does a tap get" (daemon.ts answers that one):
 * macvtap on a bridge port, passthru, taps created twice, bridge carrier.
 *
 * Inside, before the script:
 * - /run is a tmpfs; /sys is a fresh sysfs of the new network namespace;
 * - every networkd unit directory that exists is hidden under a tmpfs, so units come only from
 *   what the script writes to /run/systemd/network;
 * - /dev/net is a tmpfs holding a fresh `tun` node with mode 0666: networkd drops privileges to
 *   `systemd-network`, and some machines ship /dev/net/tun as 0600 (networkd then logs "Failed to
 *   open /dev/net/tun: Permission denied"). The host's node is never touched.
 * Helpers the script can call: `start_networkd`, `stop_networkd`, `link_state <link>` (networkd's
 * state file), `wait_state <link> <regex> [seconds]`, `tap_attach <tap> [flags]` (opens the tap the
 * way a hypervisor does and keeps it open in the background, printing `attach-failed: <errno>`
 * when TUNSETIFF is refused), `tap_frames <dev> <seconds> <marker>` (counts frames holding
 * `marker` read from a macvtap character device).
 */
import { spawnSync } from 'node:child_process';
import { daemonPrerequisiteProblems, NETWORKD_BINARY } from './daemon';

const PRELUDE = String.raw`
set -u
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mount -t sysfs -o ro sysfs /sys
for d in /etc/systemd/network /usr/local/lib/systemd/network /usr/lib/systemd/network; do
  if [ -d "$d" ]; then mount -t tmpfs tmpfs "$d"; fi
done
mkdir -p /run/systemd/network /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp
if id systemd-network >/dev/null 2>&1; then chown -R systemd-network:systemd-network /run/systemd/netif; fi
mount -t tmpfs tmpfs /dev/net
mknod -m 666 /dev/net/tun c 10 200
ip link set lo up
NETWORKD_LOG=/run/networkd.log
start_networkd() {
  SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 ${NETWORKD_BINARY} >>"$NETWORKD_LOG" 2>&1 &
  NETWORKD_PID=$!
}
stop_networkd() { kill "$NETWORKD_PID" 2>/dev/null; wait "$NETWORKD_PID" 2>/dev/null; return 0; }
link_state() {
  local idx
  idx=$(cat "/sys/class/net/$1/ifindex" 2>/dev/null) || return 1
  cat "/run/systemd/netif/links/$idx" 2>/dev/null
}
wait_state() {
  local secs=15
  if [ $# -ge 3 ]; then secs=$3; fi
  local end=$(( $(date +%s) + secs ))
  while [ "$(date +%s)" -le "$end" ]; do
    if link_state "$1" | grep -Eq "$2"; then return 0; fi
    sleep 0.1
  done
  echo "timeout: $1 never matched $2"
  return 1
}
# IFF_TAP 0x0002, IFF_NO_PI 0x1000, IFF_VNET_HDR 0x4000, IFF_MULTI_QUEUE 0x0100; TUNSETIFF 0x400454ca
tap_attach() {
  local flags=1002
  if [ $# -ge 2 ]; then flags=$2; fi
  perl -e '$| = 1; open(my $fh, "+<", "/dev/net/tun") or die "open: $!"; my $ifr = pack("Z16 s", $ARGV[0], hex($ARGV[1])); if (!ioctl($fh, 0x400454ca, $ifr)) { print "attach-failed: $!\n"; exit 1 } print "attached\n"; sleep 60' "$1" "$flags" &
  TAP_ATTACH_PID=$!
}
tap_frames() {
  # $4: a file made once the tap is open, so a sender can wait for the reader instead of guessing.
  perl -e 'open(my $fh, "+<", $ARGV[0]) or die "open $ARGV[0]: $!"; if (defined $ARGV[3]) { open(my $ready, ">", $ARGV[3]) or die; close $ready } my ($n, $end) = (0, time + $ARGV[1]); while (time < $end) { my $rin = ""; vec($rin, fileno($fh), 1) = 1; if (select(my $rout = $rin, undef, undef, 0.2)) { sysread($fh, my $buf, 65536); $n++ if index($buf, $ARGV[2]) >= 0 } } print "$n\n"' "$@"
}
`;

export interface NamespaceRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** What prevents running namespace scripts here; empty when all is well (root, unshare, ip, networkd, perl). */
export function namespacePrerequisiteProblems(): string[] {
  const problems = daemonPrerequisiteProblems();
  for (const tool of ['bash', 'perl', 'mknod']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) problems.push(`\`${tool}\` not found in PATH`);
  }
  return problems;
}

/** Runs `script` (bash) after the prelude; everything it made dies with the namespace. */
export function runInNamespace(script: string, timeoutMs = 60_000): NamespaceRun {
  const r = spawnSync(
    'unshare',
    ['--mount', '--net', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', '--', 'bash', '-c', `${PRELUDE}\n${script}`],
    { encoding: 'utf8', timeout: timeoutMs },
  );
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The value of every `key=value` line of the output (the scripts report what they saw that way). */
export function reported(run: NamespaceRun): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of run.stdout.split('\n')) {
    const m = /^([a-z0-9-]+)=(.*)$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/**
 * The kernel and systemd-networkd 252 facts behind the device checks (docs/domain/devices.md),
 * observed in a private namespace (namespace.ts). Each test name quotes what was observed; the
 * engine's checks rely on exactly that:
 * - macvtap-link-is-bridge-port: a macvtap cannot be created on a bridge port (either order);
 * - macvtap-passthru-conflict: a passthru macvtap must be alone on its link;
 * - the macvtap hover: the host does not reach its own macvtap guests over the link;
 * - tap-precreated-conflict: microvm.nix's tap-up cannot replace a tap of another queue mode;
 * - bridge-no-carrier: a bridge whose only port is an unused tap has no carrier, and networkd
 *   leaves its Address= and DHCPServer= unconfigured until a VM opens the tap.
 * Needs root, unshare, ip, perl and networkd; when any is missing the tests FAIL (a skipped
 * oracle is not a pass).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespacePrerequisiteProblems, reported, runInNamespace, type NamespaceRun } from './namespace';

function run(script: string): Map<string, string> {
  const problems = namespacePrerequisiteProblems();
  if (problems.length) assert.fail(`the namespace oracle cannot run here (this is a failure, not a skip):\n  - ${problems.join('\n  - ')}`);
  const result: NamespaceRun = runInNamespace(script);
  assert.equal(result.status, 0, `namespace script failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return reported(result);
}

/** `name=<what the command printed>` on failure, `name=ok` on success (stderr folded in). */
const TRY = String.raw`
try() { local name=$1; shift; local out; if out=$("$@" 2>&1); then echo "$name=ok"; else echo "$name=$(echo "$out" | head -n1)"; fi; }
`;

/** An uplink with a peer, both up: a stand-in for a physical NIC (veth is an Ethernet device). */
const UPLINK = String.raw`
ip link add up0 type veth peer name up0p
ip link set up0 up
ip link set up0p up
`;

const BUSY = 'RTNETLINK answers: Device or resource busy';
const INVALID = 'RTNETLINK answers: Invalid argument';

test('kernel: `ip link add link <port> … type macvtap` on a bridge port fails with "RTNETLINK answers: Device or resource busy", and enslaving a link that carries a macvtap fails the same way', () => {
  const r = run(
    TRY +
      UPLINK +
      String.raw`
ip link add br0 type bridge
ip link set up0 master br0
try on-port ip link add link up0 name vm-mv type macvtap mode bridge
ip link set up0 nomaster
try free ip link add link up0 name vm-mv type macvtap mode bridge
try enslave ip link set up0 master br0
`,
  );
  assert.equal(r.get('on-port'), BUSY);
  assert.equal(r.get('free'), 'ok');
  assert.equal(r.get('enslave'), BUSY);
});

test('networkd: once a winning .network with Bridge= has enslaved the link, microvm.nix\'s macvtap-up command fails with "RTNETLINK answers: Device or resource busy"', () => {
  const r = run(
    TRY +
      String.raw`
printf '[NetDev]\nName=br0\nKind=bridge\n' > /run/systemd/network/br0.netdev
printf '[Match]\nName=up0\n\n[Network]\nBridge=br0\n' > /run/systemd/network/10-up0.network
` +
      UPLINK +
      String.raw`
start_networkd
for i in $(seq 150); do ip -o link show up0 | grep -q ' master br0 ' && break; sleep 0.1; done
echo "master=$(ip -o link show up0 | grep -o 'master [^ ]*')"
try macvtap-up ip link add link 'up0' name 'vm-mv' address '02:00:00:00:66:01' type macvtap mode 'bridge'
stop_networkd
`,
  );
  assert.equal(r.get('master'), 'master br0');
  assert.equal(r.get('macvtap-up'), BUSY);
});

test('kernel: a passthru macvtap must be alone on its link — a second passthru, a bridge-mode macvtap beside it, or a passthru beside an existing macvtap all fail with "RTNETLINK answers: Invalid argument"', () => {
  const r = run(
    TRY +
      UPLINK +
      String.raw`
try first-passthru ip link add link up0 name mv-a type macvtap mode passthru
try second-passthru ip link add link up0 name mv-b type macvtap mode passthru
try bridge-beside-passthru ip link add link up0 name mv-c type macvtap mode bridge
ip link del mv-a
try bridge-alone ip link add link up0 name mv-c type macvtap mode bridge
try passthru-beside-bridge ip link add link up0 name mv-a type macvtap mode passthru
try second-bridge ip link add link up0 name mv-d type macvtap mode bridge
`,
  );
  assert.equal(r.get('first-passthru'), 'ok');
  assert.equal(r.get('second-passthru'), INVALID);
  assert.equal(r.get('bridge-beside-passthru'), INVALID);
  assert.equal(r.get('bridge-alone'), 'ok');
  assert.equal(r.get('passthru-beside-bridge'), INVALID);
  assert.equal(r.get('second-bridge'), 'ok');
});

test('kernel: frames the host sends over the link to its own macvtap guest never reach the guest (0 read from /dev/tapN), while the same frames from the LAN side, or from another bridge-mode macvtap on the link, do', () => {
  const r = run(String.raw`
ip netns add lan
ip link add up0 type veth peer name wire0 netns lan
ip addr add 10.77.0.1/24 dev up0
ip link set up0 up
ip -n lan link set lo up
ip -n lan addr add 10.77.0.2/24 dev wire0
ip -n lan link set wire0 up
ip link add link up0 name vm-mv address 02:00:00:00:77:03 type macvtap mode bridge
ip link set vm-mv up
ip neigh replace 10.77.0.3 lladdr 02:00:00:00:77:03 dev up0
ip -n lan neigh replace 10.77.0.3 lladdr 02:00:00:00:77:03 dev wire0
dev=/dev/tap$(cat /sys/class/net/vm-mv/ifindex)
tap_frames "$dev" 3 probe-from-host /run/ready-host > /run/from-host &
reader=$!
until [ -e /run/ready-host ] || ! kill -0 $reader 2>/dev/null; do sleep 0.05; done
for i in 1 2 3; do echo probe-from-host > /dev/udp/10.77.0.3/9; sleep 0.1; done
wait $reader
echo "from-host=$(cat /run/from-host)"
tap_frames "$dev" 3 probe-from-lan /run/ready-lan > /run/from-lan &
reader=$!
until [ -e /run/ready-lan ] || ! kill -0 $reader 2>/dev/null; do sleep 0.05; done
ip netns exec lan bash -c 'for i in 1 2 3; do echo probe-from-lan > /dev/udp/10.77.0.3/9; sleep 0.1; done'
wait $reader
echo "from-lan=$(cat /run/from-lan)"
ip link add link up0 name vm-mv2 address 02:00:00:00:77:04 type macvtap mode bridge
ip link set vm-mv2 up
dev2=/dev/tap$(cat /sys/class/net/vm-mv2/ifindex)
tap_frames "$dev" 3 probe-from-guest /run/ready-guest > /run/from-guest &
reader=$!
until [ -e /run/ready-guest ] || ! kill -0 $reader 2>/dev/null; do sleep 0.05; done
# A frame written by the second guest (a zero virtio-net header, then Ethernet to the first guest's MAC).
perl -e 'open(my $fh, "+<", $ARGV[0]) or die; my $frame = pack("x10 H12 H12 n", "020000007703", "020000007704", 0x88b5) . "probe-from-guest"; syswrite($fh, $frame) for 1 .. 3' "$dev2"
wait $reader
echo "from-guest=$(cat /run/from-guest)"
`);
  assert.equal(r.get('from-host'), '0');
  assert.equal(r.get('from-lan'), '3');
  assert.equal(r.get('from-guest'), '3');
});

/** microvm.nix's tap-up for one tap (nixos-modules/microvm/interfaces.nix), with its flags. */
const tapUp = (flags: string) => String.raw`
tap_up() {
  if [ -e /sys/class/net/vm-a ]; then ip tuntap del name 'vm-a' mode tap ${flags} || return 1; fi
  ip tuntap add name 'vm-a' mode tap user 0 ${flags}
}
`;

const MQ_FLAGS = 'vnet_hdr multi_queue';
const SQ_FLAGS = 'vnet_hdr';

test('networkd + tap-up: a `Kind=tap` netdev (MultiQueue=no) for a VM that needs multi-queue makes tap-up fail with "ioctl(TUNSETIFF): Invalid argument"; with MultiQueue=yes, or for a single-queue VM, tap-up replaces it', () => {
  const scenario = (tapSection: string, flags: string) =>
    TRY +
    tapUp(flags) +
    String.raw`
printf '[NetDev]\nName=vm-a\nKind=tap\n${tapSection}' > /run/systemd/network/vm-a.netdev
start_networkd
for i in $(seq 150); do [ -e /sys/class/net/vm-a ] && break; sleep 0.1; done
echo "created-by-networkd=$(ip -d link show vm-a | grep -o 'multi_queue' || echo single-queue)"
try tap-up tap_up
stop_networkd
`;
  const sq = run(scenario('', MQ_FLAGS));
  assert.equal(sq.get('created-by-networkd'), 'single-queue');
  assert.equal(sq.get('tap-up'), 'ioctl(TUNSETIFF): Invalid argument');
  const mq = run(scenario('[Tap]\\nMultiQueue=yes\\n', MQ_FLAGS));
  assert.equal(mq.get('created-by-networkd'), 'multi_queue');
  assert.equal(mq.get('tap-up'), 'ok');
  const single = run(scenario('', SQ_FLAGS));
  assert.equal(single.get('tap-up'), 'ok');
});

test('kernel: a multi-queue tap made elsewhere breaks tap-up of a single-queue VM ("ioctl(TUNSETIFF): Invalid argument"), and a single-queue one refuses a hypervisor opening it with queues (TUNSETIFF: "Invalid argument", qemu: "could not configure /dev/net/tun")', () => {
  const r = run(
    TRY +
      tapUp(SQ_FLAGS) +
      String.raw`
ip tuntap add name vm-a mode tap multi_queue
try single-queue-tap-up tap_up
ip link del vm-a
ip tuntap add name vm-a mode tap
tap_attach vm-a 5102 > /run/attach
wait $TAP_ATTACH_PID
echo "multi-queue-open=$(cat /run/attach)"
`,
  );
  assert.equal(r.get('single-queue-tap-up'), 'ioctl(TUNSETIFF): Invalid argument');
  assert.equal(r.get('multi-queue-open'), 'attach-failed: Invalid argument');
});

test('kernel: a device of the tap\'s name that is not a tap (a bridge, a veth, a tun) makes tap-up fail with "ioctl(TUNSETIFF): Invalid argument"', () => {
  const r = run(
    TRY +
      tapUp(SQ_FLAGS) +
      String.raw`
ip link add vm-a type bridge
try bridge tap_up
ip link del vm-a
ip link add vm-a type veth peer name vm-a-peer
try veth tap_up
ip link del vm-a
ip tuntap add name vm-a mode tun
try tun tap_up
`,
  );
  for (const kind of ['bridge', 'veth', 'tun']) assert.equal(r.get(kind), 'ioctl(TUNSETIFF): Invalid argument', kind);
});

test('networkd: a `Kind=tap` netdev whose name a VM\'s tap already has, in the other queue mode, is not created ("TUNSETIFF failed: Invalid argument")', () => {
  const r = run(String.raw`
printf '[NetDev]\nName=vm-a\nKind=tap\n' > /run/systemd/network/vm-a.netdev
ip tuntap add name vm-a mode tap user 0 vnet_hdr multi_queue
start_networkd
for i in $(seq 150); do grep -q 'vm-a: Failed to create netdev' "$NETWORKD_LOG" && break; sleep 0.1; done
echo "networkd=$(grep -o 'TUNSETIFF failed: [A-Za-z ]*' "$NETWORKD_LOG" | head -n1)"
stop_networkd
`);
  assert.equal(r.get('networkd'), 'TUNSETIFF failed: Invalid argument');
});

const CARRIER_UNITS = (bridgeExtra: string) => String.raw`
printf '[NetDev]\nName=br0\nKind=bridge\n' > /run/systemd/network/br0.netdev
printf '[Match]\nName=br0\n\n[Network]\nAddress=10.9.0.1/24\nDHCPServer=yes\n${bridgeExtra}' > /run/systemd/network/10-br0.network
printf '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n' > /run/systemd/network/20-vm.network
ip tuntap add name vm-a mode tap
start_networkd
for i in $(seq 150); do ip -o link show vm-a | grep -q ' master br0 ' && break; sleep 0.1; done
`;

const BRIDGE_STATE = String.raw`
bridge_state() {
  echo "$1-oper=$(link_state br0 | sed -n 's/^OPER_STATE=//p')"
  echo "$1-admin=$(link_state br0 | sed -n 's/^ADMIN_STATE=//p')"
  echo "$1-address=$(ip -4 -o addr show dev br0 | awk '{print $4}')"
  echo "$1-dhcp-server=$(grep -c 'br0: DHCPv4 server: STARTED' "$NETWORKD_LOG")"
}
`;

test('networkd: a bridge whose only port is a tap no VM has opened stays "no-carrier" / "configuring" with no Address= and no DHCP server; once a process opens the tap they come up', () => {
  const r = run(
    BRIDGE_STATE +
      CARRIER_UNITS('') +
      String.raw`
wait_state br0 'OPER_STATE=no-carrier' 15
# networkd had every chance to configure it: it waits for a carrier, not for time.
sleep 2
bridge_state before
tap_attach vm-a 1002 > /run/attach
wait_state br0 'OPER_STATE=routable' 15
for i in $(seq 100); do grep -q 'br0: DHCPv4 server: STARTED' "$NETWORKD_LOG" && break; sleep 0.1; done
bridge_state after
stop_networkd
`,
  );
  assert.equal(r.get('before-oper'), 'no-carrier');
  assert.equal(r.get('before-admin'), 'configuring');
  assert.equal(r.get('before-address'), '');
  assert.equal(r.get('before-dhcp-server'), '0');
  assert.equal(r.get('after-address'), '10.9.0.1/24');
  assert.equal(r.get('after-dhcp-server'), '1');
});

test('networkd: with ConfigureWithoutCarrier=yes the same bridge is "configured" with its Address= while still "no-carrier"', () => {
  const r = run(
    BRIDGE_STATE +
      CARRIER_UNITS('ConfigureWithoutCarrier=yes\\n') +
      String.raw`
wait_state br0 'ADMIN_STATE=configured' 15
bridge_state without-carrier
stop_networkd
`,
  );
  assert.equal(r.get('without-carrier-oper'), 'no-carrier');
  assert.equal(r.get('without-carrier-admin'), 'configured');
  assert.equal(r.get('without-carrier-address'), '10.9.0.1/24');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandSpecifiers, linkEffects, parseMasterCommands, type Device, type RunOptions } from '../../../../server/src/engine/nix/scripts';
import { HOLE, displayPattern, known, pattern, type StrPattern } from '../../../../server/src/engine/pattern';

const show = (p: StrPattern | null) => (p ? displayPattern(p) : null);
const run = (s: StrPattern | string, opts = {}) =>
  parseMasterCommands(typeof s === 'string' ? known(s) : s, opts).map((c) => ({
    tap: show(c.tap),
    allTaps: c.allTaps,
    bridge: show(c.bridge),
    line: c.line,
  }));

test('guest tap-up line with an unknown ip path and quotes', () => {
  const s = pattern([HOLE, " link set dev 'vm-a1' master 'br0'\n"]);
  assert.deepEqual(run(s), [{ tap: 'vm-a1', allTaps: false, bridge: 'br0', line: 0 }]);
});

test('dev is optional, master anywhere after the device, up before master', () => {
  assert.deepEqual(run('ip link set vm-b up master br1\nip link set dev vm-c up master "br2"'), [
    { tap: 'vm-b', allTaps: false, bridge: 'br1', line: 0 },
    { tap: 'vm-c', allTaps: false, bridge: 'br2', line: 1 },
  ]);
  assert.deepEqual(run('ip link set up dev vm-d master br3'), [{ tap: 'vm-d', allTaps: false, bridge: 'br3', line: 0 }]);
});

test('old layout loop: $id, ${id}, "$id" are all taps', () => {
  const script = [
    'cd /var/lib/microvms/$1',
    'TAP_FLAGS=$(cat current/share/microvm/tap-flags)',
    'for id in $(cat current/share/microvm/tap-interfaces); do',
    '  if [ -e /sys/class/net/$id ]; then',
    '    ${pkgs.iproute2}/bin/ip link delete $id',
    '  fi',
    '  ip tuntap add name $id mode tap user microvm $TAP_FLAGS',
    '  ip link set $id up',
    '  ip link set "${id}" master br-vms',
    'done',
  ].join('\n');
  assert.deepEqual(run(script), [{ tap: null, allTaps: true, bridge: 'br-vms', line: 8 }]);
});

test('custom loop variable over tap-interfaces counts as all taps', () => {
  const script = 'for tap in $(cat /var/lib/microvms/x/current/share/microvm/tap-interfaces); do ip link set $tap master br0; done';
  assert.deepEqual(run(script), [{ tap: null, allTaps: true, bridge: 'br0', line: 0 }]);
});

test('other variables become holes; nomaster and other commands are ignored', () => {
  assert.deepEqual(run('ip link set vm-$name master br0'), [{ tap: 'vm-*', allTaps: false, bridge: 'br0', line: 0 }]);
  assert.deepEqual(run('ip link set vm-a nomaster\nip link set vm-a up\nip addr add 10.0.0.1/24 dev vm-a'), []);
  assert.deepEqual(run('echo link set x master y'), []);
});

test('global options, netns, abbreviations, separators, line continuations', () => {
  assert.deepEqual(run('ip -n ns1 link set dev vm-e master br0 && ip l s vm-f master br0'), [
    { tap: 'vm-e', allTaps: false, bridge: 'br0', line: 0 },
    { tap: 'vm-f', allTaps: false, bridge: 'br0', line: 0 },
  ]);
  assert.deepEqual(run('ip link set \\\n  vm-g \\\n  master br9'), [{ tap: 'vm-g', allTaps: false, bridge: 'br9', line: 0 }]);
  assert.deepEqual(run('# ip link set vm-x master br0\n/run/current-system/sw/bin/ip link set vm-y master br0'), [
    { tap: 'vm-y', allTaps: false, bridge: 'br0', line: 1 },
  ]);
});

test('unknown bridge stays a hole, %i expands to the instance', () => {
  assert.deepEqual(run(pattern(['ip link set vm-a master ', HOLE])), [{ tap: 'vm-a', allTaps: false, bridge: '*', line: 0 }]);
  assert.deepEqual(run('ip link set vm-%i master br0', { instance: known('web') }), [
    { tap: 'vm-web', allTaps: false, bridge: 'br0', line: 0 },
  ]);
});

test('brctl addif', () => {
  assert.deepEqual(run('brctl addif br0 vm-a vm-b'), [
    { tap: 'vm-a', allTaps: false, bridge: 'br0', line: 0 },
    { tap: 'vm-b', allTaps: false, bridge: 'br0', line: 0 },
  ]);
});

test('known shell variables substitute', () => {
  assert.deepEqual(run('ip link set $1 master br0', { allTapVars: ['id'], vars: { '1': known('web') } }), [
    { tap: 'web', allTaps: false, bridge: 'br0', line: 0 },
  ]);
});

// ---------------------------------------------------------------------------------------------
// Effects: what a script does to links, with positional parameters, variables and wrappers.

const effects = (s: StrPattern | string, opts: RunOptions<string> = {}, origin = 'main') =>
  linkEffects({ text: typeof s === 'string' ? known(s) : s, origin }, opts).map((e) => {
    const dev = (d: Device) => (d.kind === 'named' ? displayPattern(d.name) : `<${d.kind}>`);
    const where = `${e.at.origin}:${e.at.line}`;
    switch (e.kind) {
      case 'attach':
        return `attach ${dev(e.device)} -> ${displayPattern(e.bridge)} @${where}`;
      case 'create':
        return `create ${displayPattern(e.name)} ${e.linkKind ?? '?'} @${where}`;
      case 'configure':
        return `${e.what} ${dev(e.device)} @${where}`;
      case 'opaque':
        return `opaque ${displayPattern(e.command)} ${e.args.map(displayPattern).join(' ')} @${where}`;
    }
  });

const args = (...xs: string[]) => ({ args: xs.map(known) });

test('positional parameters: $1, ${2}, VAR=$1 then $VAR, quoted or not', () => {
  const script = 'TAP="$1"\nBR=${2}\nip link set "$TAP" master $BR\nip link set dev $1 master "${2}" up';
  assert.deepEqual(effects(script, args('vm-a', 'br-a')), ['attach vm-a -> br-a @main:2', 'attach vm-a -> br-a @main:3']);
  // arguments not known: the bridge is a hole, never a guess
  assert.deepEqual(effects(script, { args: null }), ['attach * -> * @main:2', 'attach * -> * @main:3']);
});

test('a missing positional parameter is empty, and ${n:-default} takes the default', () => {
  assert.deepEqual(effects('ip link set $1 master ${2:-br0}', args('vm-a')), ['attach vm-a -> br0 @main:0']);
  assert.deepEqual(effects('ip link set "$1" master "$2"', args('vm-a')), ['attach vm-a ->  @main:0']);
});

test('"$@" and $* loops, shift, and while-shift loops walk the arguments', () => {
  const loop = 'BR=$1\nshift\nfor i in "$@"; do\n  ip link set $i master $BR\ndone';
  assert.deepEqual(effects(loop, args('br0', 'vm-a', 'vm-b')), ['attach vm-a -> br0 @main:3', 'attach vm-b -> br0 @main:3']);
  assert.deepEqual(effects('for t; do brctl addif br1 "$t"; done', args('vm-c')), ['attach vm-c -> br1 @main:0']);
  assert.deepEqual(effects('for t in $*; do ip link set $t master br2; done', args('vm-d vm-e')), [
    'attach vm-d -> br2 @main:0',
    'attach vm-e -> br2 @main:0',
  ]);
  const whileShift = 'while [ $# -gt 0 ]; do\n  ip link set "$1" master br3\n  shift\ndone';
  assert.deepEqual(effects(whileShift, args('vm-f', 'vm-g')), ['attach vm-f -> br3 @main:1', 'attach vm-g -> br3 @main:1']);
  // unknown arguments: the loop variable is unknown
  assert.deepEqual(effects(loop, { args: null }), ['attach * -> * @main:3']);
});

test('variables: known values, closed environments, branches that disagree', () => {
  assert.deepEqual(effects('ip link set vm-a master $BRIDGE'), ['attach vm-a -> * @main:0']);
  assert.deepEqual(effects('ip link set vm-a master $BRIDGE', { vars: { BRIDGE: known('br-env') } }), ['attach vm-a -> br-env @main:0']);
  // a service's environment is what its unit says: an unassigned variable is empty
  assert.deepEqual(effects('ip link set vm-a master ${BRIDGE:-br-default}', { closedEnvironment: true }), ['attach vm-a -> br-default @main:0']);
  const branches = 'BR=br0\nif [ -e /x ]; then BR=br1; fi\nip link set vm-a master $BR';
  assert.deepEqual(effects(branches), ['attach vm-a -> * @main:2']);
  const agree = 'if [ -e /x ]; then BR=br1; else BR=br1; fi\nip link set vm-a master $BR';
  assert.deepEqual(effects(agree), ['attach vm-a -> br1 @main:1']);
});

test('functions get their own positional parameters; case picks the arm a known word matches', () => {
  const fn = 'attach() {\n  ip link set "$1" master "$2"\n}\nattach vm-a br-a\nattach vm-b br-b';
  assert.deepEqual(effects(fn), ['attach vm-a -> br-a @main:1', 'attach vm-b -> br-b @main:1']);
  const kase = 'case "$1" in\n  vm-a|vm-b) BR=br-ab ;;\n  vm-*) BR=br-other ;;\nesac\nip link set "$1" master "$BR"';
  assert.deepEqual(effects(kase, args('vm-b')), ['attach vm-b -> br-ab @main:4']);
  assert.deepEqual(effects(kase, args('vm-z')), ['attach vm-z -> br-other @main:4']);
  assert.deepEqual(effects(kase, { args: null }), ['attach * -> * @main:4']);
});

test('sh -c, wrappers, redirections and here-documents', () => {
  assert.deepEqual(effects(`\${pkgs.bash}/bin/bash -c 'ip link set "$1" master "$2"' attach vm-a br-a`.replace('${pkgs.bash}', '/nix/store/x-bash')), [
    'attach vm-a -> br-a @main:0',
  ]);
  assert.deepEqual(effects('sudo -u root ip link set vm-a master br0 2>/dev/null || true\nexec env X=1 brctl addif br1 vm-b >&2'), [
    'attach vm-a -> br0 @main:0',
    'attach vm-b -> br1 @main:1',
  ]);
  const heredoc = 'cat > /tmp/x <<EOF\nip link set vm-x master br-no\nEOF\nip link set vm-y master br-yes';
  assert.deepEqual(effects(heredoc), ['attach vm-y -> br-yes @main:3']);
});

test('bridges created, addresses and routes, and commands we cannot see into', () => {
  const script = [
    'ip link add name br0 type bridge',
    'ip link add br1 type bridge stp_state 1',
    'brctl addbr br2',
    'ip link add link eth0 name vlan10 type vlan id 10',
    'ip addr add 10.0.0.1/24 dev vm-a',
    'ip -6 route add fd00::2/128 dev vm-b',
    'ip address replace 10.0.1.1/24 dev "$1"',
    'ip route add 10.0.2.0/24 via 10.0.0.2',
    'attach-tap vm-c br9',
    'echo vm-c',
  ].join('\n');
  assert.deepEqual(effects(script, args('vm-d')), [
    'create br0 bridge @main:0',
    'create br1 bridge @main:1',
    'create br2 bridge @main:2',
    'create vlan10 vlan @main:3',
    'address vm-a @main:4',
    'route vm-b @main:5',
    'address vm-d @main:6',
    'opaque attach-tap vm-c br9 @main:8',
  ]);
});

test('scripts a command names are followed with their arguments', () => {
  const scripts: Record<string, string> = { '/etc/attach.sh': 'ip link set "$1" master "$2"' };
  const resolve = (p: StrPattern) => {
    const t = displayPattern(p);
    return t in scripts ? { text: known(scripts[t]), origin: t } : undefined;
  };
  assert.deepEqual(effects('bash /etc/attach.sh vm-a br-a\n/etc/attach.sh vm-b br-b\n. /etc/attach.sh vm-c br-c', { resolve }), [
    'attach vm-a -> br-a @/etc/attach.sh:0',
    'attach vm-b -> br-b @/etc/attach.sh:0',
    'attach vm-c -> br-c @/etc/attach.sh:0',
  ]);
  // a script that cannot be found is opaque, with its arguments
  assert.deepEqual(effects('bash /etc/missing.sh vm-a br-a', { resolve }), []);
  assert.deepEqual(effects(pattern([HOLE, ' vm-a br-a']), { resolve }), ['opaque * vm-a br-a @main:0']);
});

test('systemd specifiers expand in directives only', () => {
  const text = expandSpecifiers(known('/bin/ip link set vm-%i master br-%p %%'), { name: 'attach@', instance: known('web') });
  assert.equal(displayPattern(text), '/bin/ip link set vm-web master br-attach %');
  assert.equal(displayPattern(expandSpecifiers(known('x %i %n'), { name: 'attach@', instance: null })), 'x * *');
});

test('pathological scripts end: deep nesting, long loops, nested defaults', () => {
  const deep = 'if true; then '.repeat(5000) + 'ip link set vm-a master br0' + '; fi'.repeat(5000);
  assert.ok(Array.isArray(effects(deep)));
  const defaults = 'ip link set vm-a master ' + '${X:-'.repeat(3000) + 'br0' + '}'.repeat(3000);
  assert.deepEqual(effects(defaults), ['attach vm-a -> * @main:0']);
  const many = Array.from({ length: 200 }, (_, i) => `vm-${i}`);
  const loops = 'for a in "$@"; do for b in "$@"; do for c in "$@"; do ip link set "$a" master br0; done; done; done';
  assert.ok(effects(loops, args(...many)).length <= 64 * 64 * 64);
});

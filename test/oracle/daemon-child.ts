/**
 * The inside of the namespace (see daemon.ts). Started as
 *   unshare --mount --net --pid --fork --kill-child --mount-proc -- node --import tsx daemon-child.ts <jobDir>
 * Never run this outside such a namespace: it mounts over /run, /sys and the networkd directories.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NETWORKD_BINARY, NETWORKD_DIRS, type DaemonScenario, type ScenarioObservation, type TapObservation } from './daemon';

const jobDir = process.argv[2];
const POLL_MS = 20;
const FINAL_STATES = new Set(['unmanaged', 'configured', 'failed', 'linger']);

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim()}`);
  }
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertInPrivateNamespace(): void {
  if (process.pid !== 1) throw new Error('daemon-child must run as PID 1 of a private PID namespace (use daemon.ts)');
}

/** Makes `dir` exist without writing to the host: an overlay (upper in our tmpfs) over its deepest existing ancestor. */
let overlayCount = 0;
function ensureDirPrivately(dir: string): void {
  if (existsSync(dir)) return;
  let ancestor = dirname(dir);
  while (!existsSync(ancestor)) ancestor = dirname(ancestor);
  if (ancestor === '/run' || ancestor.startsWith('/run/')) {
    mkdirSync(dir, { recursive: true }); // /run is already our tmpfs
    return;
  }
  if (ancestor === '/') throw new Error(`refusing to overlay / to create ${dir}`);
  const base = `/run/oracle-overlay/${overlayCount++}`;
  mkdirSync(`${base}/upper`, { recursive: true });
  mkdirSync(`${base}/work`, { recursive: true });
  sh('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${ancestor},upperdir=${base}/upper,workdir=${base}/work`, ancestor]);
  mkdirSync(dir, { recursive: true });
}

function setupNamespace(): void {
  assertInPrivateNamespace();
  sh('mount', ['--make-rprivate', '/']);
  sh('mount', ['-t', 'tmpfs', 'tmpfs', '/run']);
  // A fresh read-only sysfs for this netns: networkd sees our links and does not wait for udev.
  sh('mount', ['-t', 'sysfs', '-o', 'ro', 'sysfs', '/sys']);
  for (const d of NETWORKD_DIRS) {
    ensureDirPrivately(d);
    sh('mount', ['-t', 'tmpfs', 'tmpfs', d]);
  }
  resetNetifState();
  sh('ip', ['link', 'set', 'lo', 'up']);
}

function resetNetifState(): void {
  rmSync('/run/systemd/netif', { recursive: true, force: true });
  for (const sub of ['links', 'leases', 'lldp']) mkdirSync(`/run/systemd/netif/${sub}`, { recursive: true });
  const uid = spawnSync('id', ['-u', 'systemd-network'], { encoding: 'utf8' });
  if (uid.status === 0) sh('chown', ['-R', 'systemd-network:systemd-network', '/run/systemd/netif']);
}

interface LinkInfo {
  ifindex: number;
  name: string;
  master: string | null;
  mac: string | null;
}

/** Parses `ip -o link`: "5: vm-a: <FLAGS> mtu 1500 ... master br0 state DOWN ...\    link/ether aa:bb:..". */
function ipLinks(): Map<string, LinkInfo> {
  const out = new Map<string, LinkInfo>();
  for (const line of sh('ip', ['-o', 'link']).split('\n')) {
    const m = /^(\d+): ([^:@\s]+)(?:@\S+)?: <[^>]*>(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[3];
    const master = / master (\S+) /.exec(rest);
    const mac = /link\/\S+ ([0-9a-f:]{17})/.exec(rest);
    out.set(m[2], { ifindex: Number(m[1]), name: m[2], master: master ? master[1] : null, mac: mac ? mac[1] : null });
  }
  return out;
}

function clearScenario(): void {
  for (const name of ipLinks().keys()) if (name !== 'lo') sh('ip', ['link', 'del', 'dev', name]);
  for (const d of NETWORKD_DIRS) {
    for (const entry of readdirSync(d)) rmSync(join(d, entry), { recursive: true, force: true });
  }
  resetNetifState();
}

function writeFiles(s: DaemonScenario): void {
  for (const f of s.files) {
    mkdirSync(dirname(f.path), { recursive: true });
    if (f.text === null) symlinkSync('/dev/null', f.path);
    else writeFileSync(f.path, f.text);
  }
}

function createTaps(s: DaemonScenario, late: boolean): void {
  for (const t of s.taps.filter((x) => !!x.late === late)) {
    sh('ip', ['tuntap', 'add', 'name', t.name, 'mode', 'tap']);
    if (t.mac) sh('ip', ['link', 'set', 'dev', t.name, 'address', t.mac]);
  }
}

function readState(ifindex: number): { admin: string | null; file: string | null } {
  try {
    const text = readFileSync(`/run/systemd/netif/links/${ifindex}`, 'utf8');
    return { admin: /^ADMIN_STATE=(.*)$/m.exec(text)?.[1] ?? null, file: /^NETWORK_FILE=(.*)$/m.exec(text)?.[1] ?? null };
  } catch {
    return { admin: null, file: null };
  }
}

function linesOf(log: string[], tap: string): string[] {
  const prefix = `${tap}: `;
  return log.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

/**
 * Settled: networkd has decided about the tap and any master request has completed.
 * - a final ADMIN_STATE (unmanaged / configured / failed / linger), or "Unmanaging interface.";
 * - or `configuring` (waiting for a carrier a tap never gets) once link_configure() has queued
 *   its requests ("Requested to activate link" comes after "Requested to set master interface")
 *   and every "Requested to set master interface" has its "master interface set.".
 */
function isSettled(admin: string | null, lines: string[], configuringSince: number | undefined, now: number): boolean {
  if (lines.includes('Unmanaging interface.')) return true;
  if (admin && FINAL_STATES.has(admin)) return true;
  if (admin !== 'configuring' || !lines.some((l) => l.startsWith('Configuring with '))) return false;
  const requested = lines.filter((l) => l === 'Requested to set master interface').length;
  const done = lines.filter((l) => l === 'master interface set.').length;
  if (requested > done) return false;
  if (lines.includes('Requested to activate link')) return true;
  // Without an activation request (ActivationPolicy=), give the request queue a second.
  return configuringSince !== undefined && now - configuringSince > 1000;
}

function readLog(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

async function waitSettled(names: string[], logPath: string, deadline: number, daemon: ChildProcess): Promise<Set<string>> {
  const settled = new Set<string>();
  const configuringSince = new Map<string, number>();
  const links = () => ipLinks();
  for (;;) {
    if (daemon.exitCode !== null || daemon.signalCode !== null) {
      throw new Error(`systemd-networkd exited early (${daemon.exitCode ?? daemon.signalCode})`);
    }
    const now = Date.now();
    const log = readLog(logPath);
    const current = links();
    for (const n of names) {
      if (settled.has(n)) continue;
      const info = current.get(n);
      if (!info) continue;
      const st = readState(info.ifindex);
      const lines = linesOf(log, n);
      if (st.admin === 'configuring' && !configuringSince.has(n)) configuringSince.set(n, now);
      if (isSettled(st.admin, lines, configuringSince.get(n), now)) settled.add(n);
    }
    if (settled.size === names.length || now > deadline) return settled;
    await sleep(POLL_MS);
  }
}

async function stopDaemon(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null || daemon.pid === undefined) return;
  const exited = new Promise<void>((r) => daemon.once('exit', () => r()));
  process.kill(daemon.pid, 'SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (timedOut) {
    process.kill(daemon.pid, 'SIGKILL');
    await exited;
  }
}

async function runScenario(s: DaemonScenario, settleTimeoutMs: number, extraSettleMs: number): Promise<ScenarioObservation> {
  const t0 = Date.now();
  clearScenario();
  writeFiles(s);
  createTaps(s, false);
  const logPath = join(jobDir, 'logs', `${s.id}.log`);
  const logFd = openSync(logPath, 'w');
  const env: NodeJS.ProcessEnv = { ...process.env, SYSTEMD_LOG_LEVEL: 'debug', SYSTEMD_LOG_TARGET: 'console', SYSTEMD_LOG_COLOR: '0' };
  delete env.NOTIFY_SOCKET;
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  const daemon = spawn(NETWORKD_BINARY, [], { env, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const lateNames = s.taps.filter((t) => t.late).map((t) => t.name);
  const earlyNames = s.taps.filter((t) => !t.late).map((t) => t.name);
  const settled = new Set<string>();
  let error: string | undefined;
  try {
    await new Promise<void>((r, f) => {
      daemon.once('spawn', () => r());
      daemon.once('error', f);
    });
    const deadline = Date.now() + settleTimeoutMs;
    for (const n of await waitSettled(earlyNames, logPath, deadline, daemon)) settled.add(n);
    if (lateNames.length) {
      createTaps(s, true);
      for (const n of await waitSettled(lateNames, logPath, deadline, daemon)) settled.add(n);
    }
    if (extraSettleMs > 0) await sleep(extraSettleMs);
    // Masters must be stable: two identical reads in a row.
    let before = ipLinks();
    for (;;) {
      await sleep(60);
      const after = ipLinks();
      const same = s.taps.every((t) => before.get(t.name)?.master === after.get(t.name)?.master);
      before = after;
      if (same || Date.now() > deadline) break;
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const links = ipLinks();
  const states = new Map(s.taps.map((t) => [t.name, links.has(t.name) ? readState(links.get(t.name)!.ifindex) : { admin: null, file: null }]));
  await stopDaemon(daemon);
  const log = readLog(logPath);
  const tapNames = new Set(s.taps.map((t) => t.name));
  const taps: TapObservation[] = s.taps.map((t) => {
    const info = links.get(t.name);
    const st = states.get(t.name)!;
    return {
      name: t.name,
      ifindex: info?.ifindex ?? null,
      master: info?.master ?? null,
      mac: info?.mac ?? null,
      adminState: st.admin,
      networkFile: st.file,
      settled: settled.has(t.name),
      late: !!t.late,
      logLines: linesOf(log, t.name).filter((l) => !l.startsWith('link_check_ready')),
    };
  });
  const generalLog = log.filter((l) => {
    const m = /^([^:\s]+): /.exec(l);
    return l.trim() !== '' && !(m && (tapNames.has(m[1]) || links.has(m[1]))) && !l.startsWith('Setting \'/proc') && !l.startsWith('No change in value');
  });
  return { id: s.id, taps, generalLog, error, ms: Date.now() - t0 };
}

async function main(): Promise<void> {
  const { scenarios, settleTimeoutMs, extraSettleMs } = JSON.parse(readFileSync(join(jobDir, 'scenarios.json'), 'utf8')) as {
    scenarios: DaemonScenario[];
    settleTimeoutMs: number;
    extraSettleMs: number;
  };
  mkdirSync(join(jobDir, 'logs'), { recursive: true });
  setupNamespace();
  const results: ScenarioObservation[] = [];
  for (const s of scenarios) {
    const obs = await runScenario(s, settleTimeoutMs, extraSettleMs);
    results.push(obs);
    const unsettled = obs.taps.filter((t) => !t.settled).length;
    process.stdout.write(`${s.id}: ${obs.taps.length} taps, ${obs.ms} ms${unsettled ? `, ${unsettled} unsettled` : ''}${obs.error ? `, error: ${obs.error}` : ''}\n`);
  }
  clearScenario();
  writeFileSync(join(jobDir, 'results.json'), JSON.stringify(results));
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`daemon-child: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);

/**
 * Runs the real systemd-networkd on given unit files, in a private mount + network + PID
 * namespace, and reports which master each tap ended up with. Reusable by any suite:
 *
 *   const obs = await runNetworkdScenarios([{ id: 's1', files: [...], taps: [...] }]);
 *
 * One `unshare` invocation runs every scenario in turn (daemon-child.ts): for each one it wipes
 * the four networkd directories (tmpfs inside the namespace, so the host's files never leak in),
 * deletes every link but `lo`, writes the scenario's files, creates the taps with
 * `ip tuntap add`, starts networkd, waits until every tap is settled (state file + debug log),
 * creates the "late" taps, waits again, reads masters with `ip -o link`, and stops networkd by
 * PID. The PID namespace (`--kill-child`) guarantees nothing outlives the run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where distributions install the daemon (Debian: /lib, merged-/usr and others: /usr/lib), then $PATH. */
export const NETWORKD_CANDIDATES = ['/lib/systemd/systemd-networkd', '/usr/lib/systemd/systemd-networkd'] as const;

/** The systemd-networkd binary on this system (no systemctl: it may not run here), or null. */
export function findNetworkdBinary(env: Record<string, string | undefined> = process.env): string | null {
  const onPath = (env.PATH ?? '').split(':').filter((d) => d.startsWith('/')).map((d) => join(d, 'systemd-networkd'));
  for (const candidate of [...NETWORKD_CANDIDATES, ...onPath]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; the next place
    }
  }
  return null;
}

const FOUND_NETWORKD = findNetworkdBinary();
/** The daemon the oracle runs; when none is found, the name the prerequisite check reports. */
export const NETWORKD_BINARY: string = FOUND_NETWORKD ?? NETWORKD_CANDIDATES[0];

/** The directories networkd reads, highest priority first (networkd.md §1 step 1). */
export const NETWORKD_DIRS = [
  '/etc/systemd/network',
  '/run/systemd/network',
  '/usr/local/lib/systemd/network',
  '/usr/lib/systemd/network',
] as const;

export interface DaemonFile {
  /** Absolute path inside one of NETWORKD_DIRS (drop-ins in `<unit>.d/` below it). */
  path: string;
  /** File content; null = a symlink to /dev/null (masked). */
  text: string | null;
}

export interface DaemonTap {
  name: string;
  /** Set with `ip link set <tap> address <mac>` before networkd starts (early taps only). */
  mac?: string;
  /** Created only after networkd is up and has settled the early taps. */
  late?: boolean;
}

export interface DaemonScenario {
  id: string;
  files: DaemonFile[];
  taps: DaemonTap[];
}

export interface TapObservation {
  name: string;
  ifindex: number | null;
  /** `master X` from `ip -o link`, or null when the tap has no master. */
  master: string | null;
  /** The tap's MAC as `ip -o link` shows it (lowercase). */
  mac: string | null;
  /** ADMIN_STATE from /run/systemd/netif/links/<ifindex>. */
  adminState: string | null;
  /** NETWORK_FILE from the same state file. */
  networkFile: string | null;
  /** False when the wait timed out: the observation is not trustworthy. */
  settled: boolean;
  late: boolean;
  /** The debug log lines networkd wrote about this tap. */
  logLines: string[];
}

export interface ScenarioObservation {
  id: string;
  taps: TapObservation[];
  /** Log lines not about a particular link (file parsing warnings live here). */
  generalLog: string[];
  /** Setting the scenario up or running networkd failed. */
  error?: string;
  ms: number;
}

export interface RunOptions {
  /** Per-scenario settle timeout (ms). */
  settleTimeoutMs?: number;
  /** Whole-run timeout (ms); the namespace is killed when it expires. */
  totalTimeoutMs?: number;
  /** Extra wait after settling, before reading masters (diagnostics: validates the settle rule). */
  extraSettleMs?: number;
  /** Keep the job directory (scenarios, results, logs) instead of deleting it. */
  keepJobDir?: boolean;
  /** Progress lines from the child (one per scenario). */
  onProgress?: (line: string) => void;
}

export interface RunResult {
  observations: ScenarioObservation[];
  /** Set when keepJobDir, or when the run failed (kept for debugging). */
  jobDir?: string;
  ms: number;
}

/** Everything that prevents running the daemon here; empty when all is well. */
export function daemonPrerequisiteProblems(): string[] {
  const problems: string[] = [];
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    problems.push(`must run as root (uid is ${typeof process.getuid === 'function' ? process.getuid() : 'unknown'})`);
  }
  if (process.platform !== 'linux') problems.push(`needs Linux (platform is ${process.platform})`);
  if (FOUND_NETWORKD === null) problems.push(`systemd-networkd not found in ${NETWORKD_CANDIDATES.join(', ')} or $PATH (install systemd)`);
  for (const tool of ['unshare', 'ip', 'mount']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (found.status !== 0) problems.push(`\`${tool}\` not found in PATH`);
  }
  if (problems.length === 0) {
    // unshare may be forbidden even as root (seccomp, missing CAP_SYS_ADMIN in a container).
    const probe = spawnSync('unshare', ['--mount', '--net', '--pid', '--fork', '--kill-child', '--mount-proc', '--', 'ip', 'tuntap', 'add', 'probe0', 'mode', 'tap'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (probe.status !== 0) {
      problems.push(`cannot create a private namespace with a tap: unshare exited ${probe.status ?? probe.signal}: ${(probe.stderr || '').trim()}`);
    }
  }
  return problems;
}

export function validateScenario(s: DaemonScenario): void {
  for (const f of s.files) {
    const abs = resolve(f.path);
    if (abs !== f.path) throw new Error(`${s.id}: path must be absolute and normalised: ${f.path}`);
    if (!NETWORKD_DIRS.some((d) => abs.startsWith(d + '/'))) {
      throw new Error(`${s.id}: ${f.path} is outside the networkd directories`);
    }
  }
  const names = new Set<string>();
  for (const t of s.taps) {
    if (!/^[!-~]{1,15}$/.test(t.name) || /[:/%]/.test(t.name) || t.name === 'lo') {
      throw new Error(`${s.id}: invalid tap name ${JSON.stringify(t.name)}`);
    }
    if (names.has(t.name)) throw new Error(`${s.id}: tap ${t.name} twice`);
    names.add(t.name);
    if (t.mac && t.late) throw new Error(`${s.id}: a late tap cannot have a preset MAC (${t.name})`);
  }
}

/** Runs every scenario in one private namespace. Rejects only on harness failure. */
export async function runNetworkdScenarios(scenarios: DaemonScenario[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  scenarios.forEach(validateScenario);
  const jobDir = mkdtempSync(join(tmpdir(), 'microvm-net-oracle-'));
  let keep = options.keepJobDir ?? false;
  try {
    writeFileSync(join(jobDir, 'scenarios.json'), JSON.stringify({ scenarios, settleTimeoutMs: options.settleTimeoutMs ?? 15_000, extraSettleMs: options.extraSettleMs ?? 0 }));
    const childScript = join(__dirname, 'daemon-child.ts');
    const repoRoot = resolve(__dirname, '..', '..');
    const args = [
      '--mount', '--net', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', '--',
      process.execPath, '--import', 'tsx', childScript, jobDir,
    ];
    const { code, signal, stderr } = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((done, fail) => {
      const child = spawn('unshare', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      let out = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        let nl: number;
        while ((nl = out.indexOf('\n')) >= 0) {
          options.onProgress?.(out.slice(0, nl));
          out = out.slice(nl + 1);
        }
      });
      const timer = setTimeout(() => {
        err += `\n[oracle] total timeout ${options.totalTimeoutMs ?? 600_000} ms: killing unshare (pid ${child.pid})`;
        // --kill-child: the namespace's init, and with it networkd, dies with unshare.
        if (child.pid) process.kill(child.pid, 'SIGKILL');
      }, options.totalTimeoutMs ?? 600_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        fail(e);
      });
      child.on('close', (c, s) => {
        clearTimeout(timer);
        done({ code: c, signal: s, stderr: err });
      });
    });
    const resultsPath = join(jobDir, 'results.json');
    if (code !== 0 || !existsSync(resultsPath)) {
      keep = true;
      throw new Error(`networkd runner failed (exit ${code ?? signal}); job dir kept at ${jobDir}\n${stderr.trim()}`);
    }
    const observations = JSON.parse(readFileSync(resultsPath, 'utf8')) as ScenarioObservation[];
    return { observations, jobDir: keep ? jobDir : undefined, ms: Date.now() - started };
  } finally {
    if (!keep) rmSync(jobDir, { recursive: true, force: true });
  }
}

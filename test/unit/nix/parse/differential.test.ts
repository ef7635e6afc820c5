/**
 * Parser fidelity, proven against Nix itself: for every `.nix` file of test/fixtures, examples/,
 * the shared corpus and a seeded generator of random expressions over the whole grammar, our AST
 * printed by `showAsNixParse` equals what `nix-instantiate --parse` (Nix 2.8, Debian's nix-bin)
 * prints, byte for byte, on every file Nix accepts.
 *
 * One freedom is taken, and only in order: Nix 2.8 prints the bindings of a `let` and the formals
 * of a function in the order of the memory addresses of their interned names (its `Symbol`
 * compares pointers), which depends on its allocator. Ours are put in the order Nix's output
 * shows (`guide`); every character must still match. Attribute sets Nix sorts by name, as we do.
 *
 * Also: pathTokens (the lexer that finds path literals without an AST) predicts exactly the
 * absolute paths Nix prints for each real file's relative path literals.
 */
import assert from 'node:assert/strict';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parseNixFile } from '../../../../server/src/engine/nix/ast';
import { NixParser } from '../../../../server/src/engine/nix/parser';
import { showAsNixParse } from '../../../../server/src/engine/nix/nixShow';
import { NixGenerator, Random } from './generator';
import { nixParseFiles, nixVersion, type NixParseResult } from './nixInstantiate';
import { predictedPathsUnder, printedPathsUnder } from './printedPaths';
import { copyTree, findCorpus, nixFilesUnder, REPO } from './workspaceFiles';

const GENERATED = 24_000;
const SEED = Number(process.env.MICROVM_NET_PARSE_SEED ?? 20_240_601);

interface Group {
  name: string;
  files: string[];
}

interface Tally {
  files: number;
  accepted: number;
  agreed: number;
  mismatches: string[];
}

/**
 * A memory file system when there is a roomy one: tens of thousands of small files are written
 * and read (a page each; a container's default /dev/shm of 64 MB is too small).
 */
function scratchDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= 512 * 1024 * 1024) return '/dev/shm';
  } catch {
    // no /dev/shm
  }
  return tmpdir();
}

function firstDifference(ours: string, theirs: string): string {
  let i = 0;
  while (i < ours.length && ours[i] === theirs[i]) i++;
  const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 80), i + 80));
  return `at ${i}:\n    nix: ${around(theirs)}\n    our: ${around(ours)}`;
}

function ourOutput(parser: NixParser, file: string, home: string, guide: string): string {
  const parsed = parseNixFile(parser, file, readFileSync(file, 'utf8'));
  if (parsed.problem) return `<${parsed.problem}>`;
  if (parsed.syntaxErrors > 0) return `<${parsed.syntaxErrors} syntax errors, first at line ${parsed.errorRanges[0].start.line + 1}>`;
  return showAsNixParse(parsed, { baseDir: dirname(file), home, guide });
}

function tally(parser: NixParser, group: Group, nix: Map<string, NixParseResult>, home: string): Tally {
  const t: Tally = { files: group.files.length, accepted: 0, agreed: 0, mismatches: [] };
  for (const file of group.files) {
    const theirs = nix.get(file);
    if (!theirs?.ok) continue;
    t.accepted++;
    let ours: string;
    try {
      ours = ourOutput(parser, file, home, theirs.output);
    } catch (error) {
      ours = `<${error instanceof Error ? error.message : String(error)}>`;
    }
    if (ours === theirs.output) t.agreed++;
    else t.mismatches.push(`${file} ${firstDifference(ours, theirs.output)}`);
  }
  return t;
}

test('nix-instantiate (Nix 2.8, apt-get install nix-bin) is installed: the differential test needs it', () => {
  assert.ok(nixVersion(), 'nix-instantiate not found: install Debian\'s nix-bin (.ci/run does)');
});

test('our AST is what Nix parses: fixtures, examples, corpus and generated expressions print as nix-instantiate --parse prints them', async (t) => {
  const version = nixVersion();
  assert.ok(version, 'nix-instantiate not found: install Debian\'s nix-bin (.ci/run does)');
  const corpus = findCorpus();
  assert.ok(corpus, 'no shared/corpus found beside the repository (or /work/shared/corpus); set MICROVM_NET_CORPUS');

  const root = mkdtempSync(join(scratchDir(), 'microvm-net-parse-'));
  const started = performance.now();
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  try {
    const home = join(root, 'home');
    mkdirSync(home);
    // Deep and unique, so a printed path under it can only come from a relative literal.
    const prefix = join(root, 'files', 'f0c1a55e', 'deep', 'er');
    const groups: Group[] = [
      { name: 'fixtures', files: copyTree(nixFilesUnder(join(REPO, 'test/fixtures')), join(REPO, 'test/fixtures'), join(prefix, 'fixtures')) },
      { name: 'examples', files: copyTree(nixFilesUnder(join(REPO, 'examples')), join(REPO, 'examples'), join(prefix, 'examples')) },
      { name: 'corpus', files: copyTree(nixFilesUnder(corpus), corpus, join(prefix, 'corpus')) },
    ];
    const generator = new NixGenerator(new Random(SEED));
    const generatedDir = join(prefix, 'generated');
    mkdirSync(generatedDir);
    const generated: string[] = [];
    for (let i = 0; i < GENERATED; i++) {
      const file = join(generatedDir, `g${i}.nix`);
      writeFileSync(file, generator.file());
      generated.push(file);
    }
    groups.push({ name: 'generated', files: generated });

    const written = seconds();
    const nix = await nixParseFiles(groups.flatMap((g) => g.files), { home });
    const nixDone = seconds();
    const parser = await NixParser.create();
    const tallies = new Map(groups.map((g) => [g.name, tally(parser, g, nix, home)]));
    t.diagnostic(`${version}; seed ${SEED}; files written at ${written}, Nix done at ${nixDone}, ours at ${seconds()}`);
    for (const [name, s] of tallies) {
      t.diagnostic(`${name}: ${s.files} files, ${s.accepted} accepted by Nix, ${s.agreed} agree (${s.files - s.accepted} rejected by Nix)`);
    }
    const mismatches = [...tallies.values()].flatMap((s) => s.mismatches);
    assert.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} files print differently from Nix`);
    assert.ok(tallies.get('fixtures')!.accepted > 50, 'fixtures were read');
    assert.ok(tallies.get('corpus')!.accepted > 1000, 'the corpus was read');
    assert.ok(tallies.get('generated')!.accepted >= 20_000, `only ${tallies.get('generated')!.accepted} generated cases accepted by Nix`);

    // pathTokens: the relative path literals of every real file are the paths Nix prints.
    const pathMismatches: string[] = [];
    let literals = 0;
    for (const group of groups.filter((g) => g.name !== 'generated')) {
      for (const file of group.files) {
        const theirs = nix.get(file);
        if (!theirs?.ok) continue;
        const printed = printedPathsUnder(theirs.output, `${prefix}/`);
        const predicted = predictedPathsUnder(readFileSync(file, 'utf8'), file, `${prefix}/`);
        literals += printed.length;
        if (printed.join('\n') !== predicted.join('\n')) {
          const short = (paths: string[]) => JSON.stringify(paths.map((p) => p.slice(prefix.length)));
          pathMismatches.push(`${file.slice(prefix.length)}: nix ${short(printed)}, pathTokens ${short(predicted)}`);
        }
      }
    }
    t.diagnostic(`pathTokens: ${literals} distinct relative path literals (per file) in the files Nix accepts, as Nix reads them`);
    assert.deepEqual(pathMismatches.slice(0, 10), [], `${pathMismatches.length} files where pathTokens and Nix disagree`);
    assert.ok(literals > 500, `only ${literals} path literals seen`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

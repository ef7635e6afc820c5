// The map and the tree as a user sees them, run by run-code-server.mjs on a fresh copy of
// examples/seed: the "MicroVM Network" tree grouped by host (hv → "no bridge (1)" → my-microvm,
// and the empty bridge brprim4 beside it); the network map webview with the tap in the
// "no bridge" group; the preferred quick fix applied through the UI (not saved); the map again,
// now with the tap under brprim4; a click on the tap in the map opens its definition; the same
// map in the other theme (dark when the default is light). Screenshots go to test-output/e2e/
// (the README's images in docs/images are copied from there).
import { join } from 'node:path';
import { OUTPUT_DIR, log, sleep } from './lib.mjs';
import { openNetworkView } from './ui-smoke.mjs';

const SEED = { file: 'hosts/hv/vms.nix', host: 'hv', tap: 'my-microvm', bridge: 'brprim4', group: 'no bridge (1)' };
const MAP_TITLE = 'MicroVM network map';

async function shot(page, name) {
  const path = join(OUTPUT_DIR, name);
  await page.screenshot({ path });
  log(`ui-map: screenshot ${path}`);
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
}

/** The webview frame that holds the drawn map (code-server nests it in two iframes). */
async function mapFrame(page, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.locator('svg[aria-label="MicroVM network map"]').count().catch(() => 0)) return frame;
    }
    await sleep(250);
  }
  throw new Error(`no drawn network map within ${timeoutMs / 1000} s`);
}

/** The labels of the nodes with an edge into the tap's node. */
async function tapParents(page) {
  const frame = await mapFrame(page);
  const tap = frame.locator(`g.node[data-kind="tap"][data-label="${SEED.tap}"]`).first();
  await tap.waitFor({ timeout: 30_000 });
  return ((await tap.getAttribute('data-parents')) ?? '').split('\n');
}

async function waitForParent(page, parent, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last = [];
  while (Date.now() < deadline) {
    last = await tapParents(page).catch(() => []);
    if (last.includes(parent)) return last;
    await sleep(500);
  }
  throw new Error(`the map never drew ${SEED.tap} under "${parent}" (last: ${JSON.stringify(last)})`);
}

/** Tree rows with their depth (aria-level), top to bottom. */
async function treeRows(pane) {
  const rows = pane.locator('.monaco-list-row');
  const out = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push({ level: Number(await row.getAttribute('aria-level')), text: (await row.innerText()).replace(/\s+/g, ' ').trim() });
  }
  return out;
}

export async function uiMap(ctx, url, { breakIt = false } = {}) {
  const page = await ctx.newPage();
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });

    // The tree, grouped by host.
    const pane = await openNetworkView(page);
    await pane.locator('.monaco-list-row', { hasText: SEED.tap }).first().waitFor({ timeout: 90_000 });
    await pane.locator('.monaco-list-row', { hasText: SEED.bridge }).first().waitFor({ timeout: 30_000 });
    const rows = await treeRows(pane);
    log(`ui-map: tree ${JSON.stringify(rows)}`);
    const at = (prefix) => rows.find((r) => r.text.startsWith(prefix));
    const host = at(SEED.host);
    const group = at(SEED.group);
    const tap = at(SEED.tap);
    const bridge = at(SEED.bridge);
    if (!host || host.level !== 1) throw new Error(`no host row "${SEED.host}" at the top level`);
    if (!group || group.level !== 2) throw new Error(`no "${SEED.group}" row under the host`);
    if (!tap || tap.level !== 3 || rows.indexOf(tap) < rows.indexOf(group)) throw new Error(`${SEED.tap} is not under "${SEED.group}"`);
    if (!bridge || bridge.level !== 2 || !bridge.text.includes('0 taps')) throw new Error(`the empty bridge ${SEED.bridge} is not shown under the host: ${JSON.stringify(bridge)}`);
    if (rows.indexOf(group) > rows.indexOf(bridge)) throw new Error('the "no bridge" group is not first');
    await shot(page, 'tree-by-host.png');

    // The map: the tap in the "no bridge" group.
    await runCommand(page, 'MicroVM Network: Show Network Map');
    const before = await waitForParent(page, SEED.group);
    log(`ui-map: before the fix, ${SEED.tap} hangs off ${JSON.stringify(before)}`);
    const frame = await mapFrame(page);
    const warned = await frame.locator(`g.node.problem-warning[data-label="${SEED.tap}"]`).count();
    if (warned !== 1) throw new Error(`the tap is not drawn as a warning in the map (${warned} nodes)`);
    await sleep(500);
    await shot(page, 'map-before-fix.png');

    // Quick Open the VM file; hover and quick fix menu for the screenshots; apply the preferred fix.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(SEED.file);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'vms.nix' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    const squiggle = editor.locator('.squiggly-warning').first();
    await squiggle.waitFor({ timeout: 90_000 });
    const box = await squiggle.boundingBox();
    if (!box) throw new Error('the warning squiggle has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.monaco-hover', { hasText: 'not bridged' }).first().waitFor({ state: 'visible', timeout: 20_000 }).catch(() => {});
    await sleep(400);
    await shot(page, 'hover.png');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    // The pointer away and the hover closed, so the screenshot shows the quick fix menu alone.
    await page.mouse.move(box.x, box.y + 300);
    await page.keyboard.press('Escape');
    await page.locator('.monaco-hover:visible').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
    await sleep(600);
    await page.keyboard.press('Control+Period');
    const menu = page.locator('.action-widget', { hasText: SEED.bridge }).first();
    await menu.waitFor({ state: 'visible', timeout: 20_000 });
    await sleep(300);
    await shot(page, 'quick-fix.png');
    await page.keyboard.press('Escape');
    await runCommand(page, 'Auto Fix...');
    await editor.locator('.squiggly-warning').first().waitFor({ state: 'detached', timeout: 60_000 });
    log('ui-map: the preferred fix is applied (unsaved) and the warning is gone');

    // Back to the map: it follows the unsaved edit.
    await page.locator('.tabs-container .tab', { hasText: MAP_TITLE }).first().click();
    const expected = breakIt ? `${SEED.bridge}-broken-on-purpose` : SEED.bridge;
    const after = await waitForParent(page, expected);
    log(`ui-map: after the fix, ${SEED.tap} hangs off ${JSON.stringify(after)}`);
    await sleep(500);
    await shot(page, 'map-after-fix.png');

    // A click on the tap opens its definition.
    await (await mapFrame(page)).locator(`g.node[data-kind="tap"][data-label="${SEED.tap}"]`).first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'vms.nix' }).waitFor({ timeout: 20_000 });
    log('ui-map: a click on the tap opened vms.nix');

    // The same map in the other theme (the page only uses the theme's colours).
    await page.locator('.tabs-container .tab', { hasText: MAP_TITLE }).first().click();
    await mapFrame(page);
    const dark = (await page.locator('.monaco-workbench.vs-dark').count()) > 0;
    // Ctrl+K Ctrl+T: the installed colour themes (the palette entry may land in the marketplace search).
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('.quick-input-widget input').fill(dark ? 'Light Modern' : 'Dark Modern');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: dark ? 'Light Modern' : 'Dark Modern' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator(dark ? '.monaco-workbench.vs:not(.vs-dark)' : '.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
    await mapFrame(page);
    await sleep(1000);
    await shot(page, dark ? 'map-light.png' : 'map-dark.png');
  } catch (e) {
    await page.screenshot({ path: join(OUTPUT_DIR, 'ui-map-failure.png') }).catch(() => {});
    throw e;
  } finally {
    await page.close({ runBeforeUnload: false }).catch(() => {});
  }
}

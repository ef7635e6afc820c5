// The UI smoke test, run by run-code-server.mjs on a fresh copy of examples/seed: what a user
// sees. Opens the VM file through Quick Open, waits for the warning squiggle on the tap id,
// hovers it and reads the bridge from the hover widget, reads the "MicroVM Network" tree (its own
// activity bar container), and saves screenshots under test-output/e2e/.
import { join } from 'node:path';
import { OUTPUT_DIR, log } from './lib.mjs';

const SEED = {
  file: 'hosts/hv/vms.nix',
  tap: 'my-microvm',
  bridge: 'brprim4',
  status: 'no bridge',
};

/** Opens the "MicroVM Network" container from the activity bar; returns its sidebar. */
export async function openNetworkView(page) {
  const item = page.locator('.activitybar [aria-label^="MicroVM Network"]').first();
  await item.waitFor({ timeout: 60_000 });
  const sidebar = page.locator('.part.sidebar');
  const visible = await sidebar.locator('.composite.title', { hasText: /MicroVM Network/i }).isVisible().catch(() => false);
  if (!visible) await item.click();
  await sidebar.locator('.composite.title', { hasText: /MicroVM Network/i }).waitFor({ timeout: 30_000 });
  return sidebar;
}

export async function uiSmoke(ctx, url, { breakIt = false } = {}) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The explorer's file tree is there once the remote folder is connected.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    log('ui: workbench loaded');

    // The tree view (its own activity bar container): the seed's single tap, on no bridge.
    const pane = await openNetworkView(page);
    const tapRow = pane.locator('.monaco-list-row', { hasText: SEED.tap });
    await tapRow.first().waitFor({ timeout: 90_000 });
    const rowText = (await tapRow.first().innerText()).replace(/\s+/g, ' ');
    log(`ui: tree row: ${rowText}`);
    if (!rowText.includes(SEED.status)) throw new Error(`the tree row for ${SEED.tap} does not say ${SEED.status}: ${rowText}`);

    // Quick Open the VM file.
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => {});
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(SEED.file);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'vms.nix' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: SEED.tap }).waitFor({ timeout: 30_000 });
    log('ui: vms.nix is open');

    // The squiggle is an overlay exactly over the diagnostic's range: the tap id.
    const squiggle = editor.locator('.squiggly-warning').first();
    await squiggle.waitFor({ timeout: 90_000 });
    const box = await squiggle.boundingBox();
    if (!box) throw new Error('the warning squiggle has no box');
    log(`ui: warning squiggle at x=${Math.round(box.x)} y=${Math.round(box.y)} w=${Math.round(box.width)}`);

    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // The hover widget shows the problem (marker part) and then our hover (markdown part).
    const widget = page.locator('.monaco-hover', { hasText: '— no bridge' }).first();
    try {
      await widget.waitFor({ state: 'visible', timeout: 15_000 });
    } catch {
      // A second move re-triggers the hover if the first landed while the editor was busy.
      await page.mouse.move(box.x + box.width / 2 + 3, box.y + box.height / 2);
      await widget.waitFor({ state: 'visible', timeout: 15_000 });
    }
    await page.waitForTimeout(300); // let the widget finish rendering for the screenshot
    const marker = (await widget.locator('.marker').first().innerText().catch(() => '')).replace(/\s+/g, ' ');
    const ours = (await widget.locator('.markdown-hover', { hasText: '— no bridge' }).first().innerText()).replace(/\s+/g, ' ');
    log(`ui: hover, problem part: ${marker.slice(0, 160)}`);
    log(`ui: hover, microvm-net part: ${ours}`);

    const shot = join(OUTPUT_DIR, 'ui-smoke-seed-hover.png');
    await page.screenshot({ path: shot });
    log(`ui: screenshot ${shot}`);

    const bridge = breakIt ? `${SEED.bridge}-broken-on-purpose` : SEED.bridge;
    if (!ours.includes(`tap ${SEED.tap} — no bridge`)) throw new Error(`the hover does not say tap ${SEED.tap} is on no bridge: ${ours}`);
    if (!ours.includes(bridge)) throw new Error(`the hover does not name the bridge ${bridge}: ${ours}`);
    if (!marker.includes('tap-without-bridge')) throw new Error(`the hover does not show the tap-without-bridge problem: ${marker}`);
    if (problems.length) log(`ui: page errors (not fatal): ${problems.slice(0, 5).join(' | ')}`);
  } catch (e) {
    await page.screenshot({ path: join(OUTPUT_DIR, 'ui-smoke-failure.png') }).catch(() => {});
    throw e;
  } finally {
    await page.close({ runBeforeUnload: false }).catch(() => {});
  }
}

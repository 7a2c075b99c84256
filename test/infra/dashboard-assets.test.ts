/** infra/dashboard-assets.ts: what `cdk synth` deploys as the dashboard's files. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboardAssets } from '../../infra/dashboard-assets.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dashboard-build-module-'));

describe('buildDashboardAssets', () => {
  it('builds nothing when there is no build module', async () => {
    expect(await buildDashboardAssets(join(scratch, 'absent.ts'))).toBeUndefined();
  });

  it("runs the module's buildDashboard into a fresh directory and returns it", async () => {
    const module = join(scratch, 'build.ts');
    writeFileSync(
      module,
      `import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
export async function buildDashboard(outDir: string): Promise<void> {
  await writeFile(join(outDir, 'index.html'), '<!doctype html><title>built</title>');
}
`,
    );
    const outDir = await buildDashboardAssets(module);
    if (!outDir) throw new Error('no directory');
    expect(readFileSync(join(outDir, 'index.html'), 'utf8')).toContain('built');
    expect(await buildDashboardAssets(module)).not.toBe(outDir);
  });

  it('fails when the build produced no index.html', async () => {
    const module = join(scratch, 'empty-build.ts');
    writeFileSync(module, 'export async function buildDashboard(): Promise<void> {}\n');
    await expect(buildDashboardAssets(module)).rejects.toThrow(/no index.html/);
  });

  it('looks for dashboard/build.ts by default', async () => {
    const { DASHBOARD_BUILD_MODULE } = await import('../../infra/dashboard-assets.ts');
    expect(DASHBOARD_BUILD_MODULE.endsWith(join('dashboard', 'build.ts'))).toBe(true);
    expect(existsSync(DASHBOARD_BUILD_MODULE)).toBe(existsSync(join(process.cwd(), 'dashboard', 'build.ts')));
  });
});

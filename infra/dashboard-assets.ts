/**
 * THE place where `cdk synth` gets the dashboard's built files (the stack's `dashboardAssets`): it runs
 * `buildDashboard(outDir)` from dashboard/build.ts into a fresh temporary directory and returns that
 * directory. Without dashboard/build.ts it builds nothing and returns undefined; the stack then deploys
 * config.json alone and says so at synth.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './constructs/job-function.ts';

export const DASHBOARD_BUILD_MODULE = join(projectRoot, 'dashboard', 'build.ts');

interface DashboardBuildModule {
  buildDashboard(outDir: string): Promise<void>;
}

export async function buildDashboardAssets(
  buildModule = DASHBOARD_BUILD_MODULE,
): Promise<string | undefined> {
  if (!existsSync(buildModule)) return undefined;
  const { buildDashboard } = (await import(pathToFileURL(buildModule).href)) as DashboardBuildModule;
  const outDir = mkdtempSync(join(tmpdir(), 'job-queue-dashboard-'));
  await buildDashboard(outDir);
  if (!existsSync(join(outDir, 'index.html')))
    throw new Error(`${buildModule} built no index.html into ${outDir}`);
  return outDir;
}

/**
 * The zod every schema of the project is written with: `zod/mini`, the same validator as `zod` with
 * functions instead of methods, so a bundle carries only what its schemas use (about 20 KB instead of
 * 440 KB). zod/mini loads no locale; English messages are set here once, so validation `details` read as
 * they did with the full zod. Import as `import * as z from '.../core/zod.ts'` (a namespace import keeps the
 * tree-shaking).
 */

import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';

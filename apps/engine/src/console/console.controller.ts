import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import type { Response } from 'express';

/**
 * Where `npm run build` puts the console (apps/console/vite.config.mts): `dist/console`, found
 * beside the bundle (`dist/apps/engine/main.js`, the all-in-one's likewise) or, running from the
 * sources (tests, `npx reflex`), under the repository root.
 */
export function consoleDirectory(): string | null {
  const candidates = [
    resolve(__dirname, '../../console'),
    resolve(__dirname, '../../../../dist/console'),
    resolve(process.cwd(), 'dist/console'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

const NOT_BUILT = 'The console is not built: run `npm run build` (it writes dist/console).\n';

/**
 * The operator console's files (CONTRACT §11). They are public (libs/platform public-paths.ts):
 * the page holds no data, and every call it makes to `/v1` carries the token typed into it. Its
 * routes live in the URL's hash, so there is one page; hashed assets are cached for good, the page
 * never, so a new build is picked up at once.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly directory = consoleDirectory();

  constructor(@Inject(ENGINE_CONFIG) private readonly config: EngineConfig) {}

  /**
   * Whether the page must ask for a token before its first call: it then makes none without one,
   * so a first visit shows the sign-in form rather than a 401 in the browser's console. It says
   * only what any 401 would say.
   */
  @Get('settings.json')
  settings(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ authentication: this.config.authTokens.length > 0 });
  }

  @Get()
  page(@Res() res: Response): void {
    if (!this.directory) return void res.status(404).type('text/plain').send(NOT_BUILT);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile('index.html', { root: this.directory });
  }

  @Get('*path')
  asset(@Param('path') path: string[] | string, @Res() res: Response): void {
    if (!this.directory) return void res.status(404).type('text/plain').send(NOT_BUILT);
    const relative = Array.isArray(path) ? path.join('/') : path;
    if (relative === '' || relative === 'index.html') return this.page(res);
    const immutable = relative.startsWith('assets/');
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    // `root` keeps the file inside the directory: a `..` is refused (403), never resolved.
    res.sendFile(
      relative,
      { root: this.directory, dotfiles: 'deny' },
      (error?: Error & { status?: number }) => {
        if (!error || res.headersSent) return;
        res.removeHeader('Cache-Control');
        res
          .status(error.status ?? 404)
          .type('text/plain')
          .send('not found\n');
      },
    );
  }
}

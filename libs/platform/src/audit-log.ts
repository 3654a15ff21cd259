import { Logger } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { AuthenticatedRequest } from './authentication';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * One JSON line per call that may change something, with who made it (the token's name, or
 * `anonymous` with authentication off) and how it ended, refused calls included: the audit of
 * inventory changes, rule reloads, alarm submissions and maintenance requests, which record no actor
 * of their own. The path is logged without its query, which may carry ids but never a token.
 */
export function auditLog() {
  const logger = new Logger('audit');
  return (req: AuthenticatedRequest, res: Response, next: NextFunction): void => {
    if (READS.has(req.method)) return next();
    const path = req.path;
    res.on('finish', () => {
      logger.log({
        msg: 'api call',
        actor: req.principal?.name ?? null,
        role: req.principal?.role ?? null,
        method: req.method,
        path,
        status: res.statusCode,
      });
    });
    next();
  };
}

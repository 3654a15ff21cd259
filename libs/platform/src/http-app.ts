import { DynamicModule, INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import type { CommonConfig } from '@reflex/config';
import { auditLog } from './audit-log';
import { AuthGuard } from './auth.guard';
import { authenticate, TokenVerifier } from './authentication';
import { HttpExceptionFilter } from './http-exception.filter';
import { hostCheck, jsonOnly, securityHeaders } from './http-security';
import { JsonLogger } from './json-logger';

export interface HttpAppOptions {
  service: string;
  title: string;
  description: string;
  config: Pick<CommonConfig, 'logLevel' | 'authTokens' | 'allowedHosts'>;
  /** Largest accepted JSON body; larger gets 413. */
  bodyLimit?: string;
  /** Routes that take larger bodies than `bodyLimit` (a whole inventory document). */
  largeBodies?: Array<{ path: string; limit: string }>;
}

function logAuthentication(service: string, enabled: boolean, count: number): void {
  const logger = new Logger('auth');
  if (enabled)
    logger.log(`${count} API token(s) configured; every call but the public ones needs one`);
  else
    logger.warn(
      `AUTH_TOKENS is not set: the ${service} API is open to anyone who can reach it ` +
        '(loopback Host names and ALLOWED_HOSTS only; state-changing calls must send JSON)',
    );
}

/** Builds a Nest HTTP app with the conventions both services share (CONTRACT §8). */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: new JsonLogger(options.service, options.config.logLevel),
    bodyParser: false,
  });
  app.disable('x-powered-by');
  // Before routing and body parsing: a refused call costs no parsing, and no route can skip them.
  app.use(securityHeaders);
  app.use(auditLog());
  const verifier = new TokenVerifier(options.config.authTokens);
  logAuthentication(options.service, verifier.enabled, options.config.authTokens.length);
  if (!verifier.enabled) {
    app.use(hostCheck(options.config.allowedHosts));
    app.use(jsonOnly);
  }
  app.use(authenticate(verifier));
  // A route-specific parser runs first; the global one then sees the body already parsed.
  for (const route of options.largeBodies ?? []) app.use(route.path, json({ limit: route.limit }));
  app.useBodyParser('json', { limit: options.bodyLimit ?? '1mb' });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalGuards(new AuthGuard(app.get(Reflector)));
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description)
      .setVersion('1')
      // Static tokens of AUTH_TOKENS, not JWTs: Nest's addBearerAuth() would say `bearerFormat: JWT`.
      .addSecurity('bearer', {
        type: 'http',
        scheme: 'bearer',
        description:
          'A token of AUTH_TOKENS (`name:role:token`), sent as `Authorization: Bearer <token>`; ' +
          'not needed while AUTH_TOKENS is unset',
      })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import type { CommonConfig } from '@reflex/config';
import { AuthGuard } from './auth.guard';
import { HttpExceptionFilter } from './http-exception.filter';
import { JsonLogger } from './json-logger';

export interface HttpAppOptions {
  service: string;
  title: string;
  description: string;
  config: Pick<CommonConfig, 'logLevel' | 'authTokens'>;
  /** Largest accepted JSON body; larger gets 413. */
  bodyLimit?: string;
  /** Routes that take larger bodies than `bodyLimit` (a whole inventory document). */
  largeBodies?: Array<{ path: string; limit: string }>;
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
  // A route-specific parser runs first; the global one then sees the body already parsed.
  for (const route of options.largeBodies ?? []) app.use(route.path, json({ limit: route.limit }));
  app.useBodyParser('json', { limit: options.bodyLimit ?? '1mb' });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalGuards(
    new AuthGuard(options.config.authTokens, app.get(Reflector), options.service),
  );
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description)
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

import { Module } from '@nestjs/common';
import { ChangeFeedRepository } from './change-feed.repository';
import { ChangeFeed } from './change-feed.service';
import { ChangesController } from './changes.controller';
import { ConsoleController } from './console.controller';
import { SessionController } from './session.controller';

/**
 * The operator console (CONTRACT §11): its static page, and the two calls only it needs, who the
 * token is and a live change feed. Everything else it shows comes from the public REST API.
 */
@Module({
  controllers: [ConsoleController, SessionController, ChangesController],
  providers: [ChangeFeed, ChangeFeedRepository],
})
export class ConsoleModule {}

import { banner } from './banner';
import { demoTopology } from './demo-topology';

describe('the all-in-one banner', () => {
  it("names the operator console's address beside the API docs", () => {
    const text = banner({
      engineUrl: 'http://127.0.0.1:3000',
      driverUrl: 'http://127.0.0.1:3001',
      database: 'embedded PostgreSQL (PGlite) in memory',
      embeddedDatabaseUrl: null,
      transport: 'in-process bus',
      seeded: true,
      inventory: demoTopology(),
      startupMs: 1234,
      authRequired: false,
      now: new Date('2026-12-06T12:00:00Z'),
    });
    expect(text).toContain('Console:  http://localhost:3000/console\n');
    expect(text).toContain('API docs: http://localhost:3000/docs');
  });
});

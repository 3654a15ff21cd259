import { jobProgress, parseDomJobInfo, parseSize } from './domjobinfo.parser';

describe('domjobinfo parser', () => {
  it('reads a migration job in binary units', () => {
    const info = parseDomJobInfo(
      [
        'Job type:         Unbounded',
        'Operation:        Outgoing migration',
        'Time elapsed:     1203         ms',
        'Data processed:   256.000 MiB',
        'Data remaining:   768.000 MiB',
        'Data total:       1.000 GiB',
        'Memory processed: 256.000 MiB',
        'Memory remaining: 768.000 MiB',
        'Memory total:     1.000 GiB',
        'Memory bandwidth: 100.000 MiB/s',
        'Dirty rate:       1200         pages/s',
        'Expected downtime: 300          ms',
        '',
      ].join('\n'),
    );
    expect(info).toMatchObject({
      jobType: 'Unbounded',
      operation: 'Outgoing migration',
      timeElapsedMs: 1203,
      dataProcessed: 256 * 1024 ** 2,
      dataTotal: 1024 ** 3,
      memoryBandwidth: 100 * 1024 ** 2,
      dirtyRatePagesPerSecond: 1200,
      expectedDowntimeMs: 300,
    });
    expect(jobProgress(info)).toBe(25);
  });

  it('reads the older byte format and an idle domain', () => {
    const old = parseDomJobInfo(
      'Job type:         Unbounded\nData processed:   22446080     bytes\n' +
        'Data remaining:   219119616    bytes\nData total:       241565696    bytes\n',
    );
    expect(old.dataRemaining).toBe(219119616);
    expect(jobProgress(old)).toBe(9);
    const idle = parseDomJobInfo('Job type:         None         \n\n');
    expect(idle.jobType).toBe('None');
    expect(jobProgress(idle)).toBeUndefined();
  });

  it('never reports 100 while running, nor more than remaining allows', () => {
    expect(jobProgress(parseDomJobInfo('Data remaining: 0 B\nData total: 10 B'))).toBe(99);
    expect(parseSize('12 furlongs')).toBeUndefined();
  });
});

import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ENGINE_CONFIG, EngineConfig } from '@reflex/config';
import { MetricsRegistry } from '@reflex/platform';
import type { AlarmV1 } from '@reflex/contracts';
import {
  Evaluation,
  FactSource,
  LoadedRule,
  RuleEvaluator,
  RuleFileResult,
  RuleReloadReport,
  RuleSet,
} from '@reflex/rules';
import { Gauge } from 'prom-client';
import { RuleVersionRepository } from './rule-version.repository';

/**
 * The live rule set: loaded at start-up, reloaded when files change or on request. A file that fails
 * validation is refused and the previous version of its rule stays live.
 */
@Injectable()
export class RuleRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('rules');
  private ruleSet!: RuleSet;
  private evaluator!: RuleEvaluator;

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    private readonly versions: RuleVersionRepository,
    metrics: MetricsRegistry,
  ) {
    const refused = () => this.refused().files.length;
    new Gauge({
      name: 'reflex_rule_files_refused',
      help: 'Rule files the last reload refused (invalid; a previous version may stay live)',
      registers: [metrics.registry],
      collect() {
        this.set(refused());
      },
    });
  }

  async onModuleInit(): Promise<void> {
    this.ruleSet = await RuleSet.open({
      dir: this.config.rulesDir,
      sink: this.versions,
      history: await this.versions.history(),
      watch: this.config.watchRules,
    });
    this.evaluator = new RuleEvaluator(this.ruleSet);
    this.ruleSet.onChange((event) => {
      if (event.type === 'error') this.logger.error(`rule reload failed: ${event.error.message}`);
      else this.logReport(event.report);
    });
    const report = this.ruleSet.lastReport();
    if (report) this.logReport(report);
  }

  private logReport(report: RuleReloadReport): void {
    for (const r of report.results) {
      if (r.status === 'refused') {
        const errors = r.errors.map((e) => `${e.path} ${e.message}`).join('; ');
        this.logger.warn(
          `rule file ${r.file} refused${r.keptLive ? ' (previous version stays live)' : ''}: ${errors}`,
        );
      } else if (r.status !== 'unchanged') {
        this.logger.log(`rule ${r.name ?? r.file} ${r.status}${r.version ? ` v${r.version}` : ''}`);
      }
    }
  }

  onApplicationShutdown(): void {
    this.ruleSet?.close();
  }

  rules(): readonly LoadedRule[] {
    return this.ruleSet.rules();
  }

  /** The files the last reload refused, with their errors, and when that reload ran. */
  refused(): { checkedAt: string | null; files: RuleFileResult[] } {
    const report = this.ruleSet?.lastReport() ?? null;
    return {
      checkedAt: report?.at ?? null,
      files: report?.results.filter((r) => r.status === 'refused') ?? [],
    };
  }

  reload(): Promise<RuleReloadReport> {
    return this.ruleSet.reload();
  }

  /** For deciding: the rules written for other alarm types are left out (see mayBeAbout). */
  evaluate(alarm: AlarmV1, facts: FactSource): Promise<Evaluation> {
    return this.evaluator.evaluate(alarm, facts, { onlyRulesForType: true });
  }
}

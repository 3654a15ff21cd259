// What the rule routes answer: the live rules, and a rule document's verdict.
import type { FieldError } from '@reflex/common';

/** A rule error: where (a JSON path, and the same as a JSON pointer) and what. */
export interface RuleErrorV1 extends FieldError {
  pointer: string;
}

/** `GET /v1/rules`: the live rules, highest priority first, and the files the last reload refused. */
export interface RuleListV1 {
  items: Array<{
    name: string;
    version: number;
    hash: string;
    enabled: boolean;
    file: string;
    priority: number;
    mode: string;
    policy: string;
    description: string | null;
    loadedAt: string;
    /** The rule as loaded. */
    definition: object;
  }>;
  nextCursor: null;
  refused: Array<{
    file: string;
    name?: string;
    errors: RuleErrorV1[];
    /** The version of its rule that stays live instead; null: none. */
    keptLive: { name: string; version: number } | null;
  }>;
  checkedAt: string | null;
}

/** `POST /v1/rules/validate`. */
export interface RuleVerdictV1 {
  valid: boolean;
  name?: string;
  hash?: string;
  errors: RuleErrorV1[];
}

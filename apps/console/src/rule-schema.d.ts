/** Built by apps/console/vite.config.ts from rules/rule.schema.json (ajv standalone code). */
declare module 'virtual:rule-schema-validator' {
  interface SchemaError {
    instancePath: string;
    keyword: string;
    message?: string;
    params: Record<string, unknown>;
  }
  const validate: ((data: unknown) => boolean) & { errors?: SchemaError[] | null };
  export default validate;
}

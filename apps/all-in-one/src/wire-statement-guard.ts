/**
 * What the embedded database refuses to run for a client: statements that reach a server-side
 * program or file. PGlite is PostgreSQL in WebAssembly inside this process: `COPY ... TO PROGRAM`
 * wedges its only session for good (every later statement fails), and a file it writes lands in the
 * data directory it runs on. A PostgreSQL server would refuse these to a non-superuser, but PGlite's
 * session is always the superuser it was created with (a startup message's user is ignored), so the
 * wire server checks the text itself.
 *
 * The check reads tokens, not characters: case, comments, quoting and whitespace do not hide a
 * statement, and the bodies of DO blocks and functions, and the strings in them (what `EXECUTE '...'`
 * runs), are read as SQL too.
 * SQL built by concatenation at run time still escapes it: the per-start password is the boundary,
 * this is the second line.
 */

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string; dollarQuoted?: boolean }
  | { kind: 'identifier'; text: string }
  | { kind: 'punct'; text: string };

/** Functions that read, list or write files of the server (here: PGlite's own file system). */
const FILE_FUNCTIONS = new Set([
  'pg_read_file',
  'pg_read_binary_file',
  'pg_stat_file',
  'pg_ls_dir',
  'pg_ls_logdir',
  'pg_ls_waldir',
  'pg_ls_tmpdir',
  'pg_ls_archive_statusdir',
  'pg_ls_logicalmapdir',
  'pg_ls_logicalsnapdir',
  'pg_ls_replslotdir',
  'lo_import',
  'lo_export',
]);

/** How deep string bodies are read as SQL (a DO block's EXECUTE of a format() string is 2). */
const MAX_NESTING = 4;

/** Why `sql` is refused, or null when it may run. */
export function refusedStatement(sql: string, depth = 0): string | null {
  const tokens = tokenize(sql);
  for (const statement of splitStatements(tokens)) {
    const reason = refusedTokens(statement);
    if (reason) return reason;
  }
  if (depth >= MAX_NESTING) return null;
  for (const body of codeStrings(tokens, depth)) {
    const reason = refusedStatement(body, depth + 1);
    if (reason) return reason;
  }
  return null;
}

/**
 * The strings that hold code: a DO block's or a function's body, and, inside a body, any string
 * (what EXECUTE runs). A plain value (`insert ... values ('copy me to the program')`) is data.
 */
function codeStrings(tokens: Token[], depth: number): string[] {
  const bodies: string[] = [];
  let statementStart = 0;
  tokens.forEach((token, i) => {
    if (isPunct(token, ';')) statementStart = i + 1;
    if (token.kind !== 'string') return;
    const code =
      depth > 0 ||
      token.dollarQuoted ||
      isWord(tokens[i - 1], 'as') ||
      isWord(tokens[statementStart], 'do');
    if (code) bodies.push(token.text);
  });
  return bodies;
}

function refusedTokens(statement: Token[]): string | null {
  const [first, second] = statement;
  if (isWord(first, 'copy')) {
    if (!copiesToClient(statement)) {
      return 'COPY to or from a server-side program or file is not allowed on the embedded database; use STDIN or STDOUT';
    }
  }
  if (isWord(first, 'alter') && isWord(second, 'system')) return 'ALTER SYSTEM is not allowed';
  if (isWord(first, 'load')) return 'LOAD is not allowed';
  if (isWord(first, 'create') && isWord(second, 'tablespace')) {
    return 'CREATE TABLESPACE is not allowed';
  }
  for (let i = 0; i < statement.length - 1; i++) {
    const token = statement[i];
    if (token.kind === 'word' && FILE_FUNCTIONS.has(token.text) && isPunct(statement[i + 1], '(')) {
      return `${token.text}() reaches server-side files and is not allowed on the embedded database`;
    }
  }
  return null;
}

/** `COPY x TO STDOUT` / `COPY x FROM STDIN`: the direction word at depth 0, then the client. */
function copiesToClient(statement: Token[]): boolean {
  let depth = 0;
  for (let i = 1; i < statement.length; i++) {
    const token = statement[i];
    if (isPunct(token, '(')) depth++;
    else if (isPunct(token, ')')) depth--;
    else if (depth === 0 && (isWord(token, 'to') || isWord(token, 'from'))) {
      const target = statement[i + 1];
      return isWord(target, token.text === 'to' ? 'stdout' : 'stdin');
    }
  }
  return false;
}

function isWord(token: Token | undefined, text: string): boolean {
  return token?.kind === 'word' && token.text === text;
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.kind === 'punct' && token.text === text;
}

function splitStatements(tokens: Token[]): Token[][] {
  const statements: Token[][] = [[]];
  for (const token of tokens) {
    if (isPunct(token, ';')) statements.push([]);
    else statements[statements.length - 1].push(token);
  }
  return statements.filter((s) => s.length > 0);
}

/** PostgreSQL's lexical rules, as far as they decide what is a word, a string or a comment. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 0;
      while (i < n) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          i += 2;
          if (--depth === 0) break;
        } else i++;
      }
    } else if (c === "'" || ((c === 'e' || c === 'E') && sql[i + 1] === "'")) {
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      let text = '';
      while (i < n) {
        if (escapes && sql[i] === '\\') {
          text += sql[i + 1] ?? '';
          i += 2;
        } else if (sql[i] === "'" && sql[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (sql[i] === "'") {
          i++;
          break;
        } else text += sql[i++];
      }
      tokens.push({ kind: 'string', text });
    } else if (c === '"') {
      i++;
      while (i < n && !(sql[i] === '"' && sql[i + 1] !== '"')) i += sql[i] === '"' ? 2 : 1;
      i++;
      // A quoted identifier is never a keyword: it cannot stand for COPY's PROGRAM or STDOUT.
      tokens.push({ kind: 'identifier', text: '' });
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      const text = sql.slice(i + tag.length, end < 0 ? n : end);
      tokens.push({ kind: 'string', text, dollarQuoted: true });
      i = end < 0 ? n : end + tag.length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j])) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j).toLowerCase() });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return tokens;
}

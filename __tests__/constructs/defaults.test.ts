/**
 * Each construct owns its props' defaults (the exported *_DEFAULTS), which config.ts
 * and so the README's table take (readme.test.ts); the `@default` in each prop's
 * TSDoc, what an editor shows a user of the construct, must say the same value.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { HANDLER_FUNCTION_DEFAULTS } from '../../constructs/handler-function';
import { HANDLER_PACKAGE_DEFAULTS } from '../../constructs/handler-package';
import { ITEMS_TABLE_DEFAULTS } from '../../constructs/items-table';
import { REST_API_DEFAULTS } from '../../constructs/rest-api';

/** Each prop's `@default` text, from the `interface <name>` of `file`. */
function documentedDefaults(file: string, name: string): Map<string, string> {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(__dirname, '..', '..', 'constructs', file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const props = source.statements.find((node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === name);
  if (!props) throw new Error(`constructs/${file} declares no interface ${name}`);
  const defaults = new Map<string, string>();
  for (const member of props.members) {
    const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
    if (member.name && tag) defaults.set(member.name.getText(source), ts.getTextOfJSDocComment(tag.comment)?.trim() ?? '');
  }
  return defaults;
}

describe("each construct's defaults", () => {
  it.each([
    ['items-table.ts', 'ItemsTableProps', ITEMS_TABLE_DEFAULTS],
    ['handler-package.ts', 'HandlerPackageProps', HANDLER_PACKAGE_DEFAULTS],
    ['handler-function.ts', 'HandlerFunctionProps', HANDLER_FUNCTION_DEFAULTS],
    ['rest-api.ts', 'RestApiProps', REST_API_DEFAULTS],
  ])("are what %s's TSDoc @default says, prop for prop", (file, name, defaults) => {
    const documented = documentedDefaults(file, name);
    // A default without a value (`@default - no access logs`) is one the construct has no constant for.
    const valued = new Map([...documented].filter(([, text]) => !text.startsWith('-')));
    expect(Object.fromEntries(valued)).toEqual(Object.fromEntries(Object.entries(defaults).map(([prop, value]) => [prop, typeof value === 'string' ? `'${value}'` : String(value)])));
  });

  it("give TRACING, which turns on X-Ray for the function and the stage alike, one default", () => {
    expect(HANDLER_FUNCTION_DEFAULTS.tracing).toBe(REST_API_DEFAULTS.tracing);
  });
});

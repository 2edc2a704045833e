/**
 * The stack in Terraform's native syntax: what `npm run synth:hcl` writes, the
 * way off CDKTF. cdktf 0.21's own HCL writer quotes every reference
 * (`depends_on = ["aws_x.y"]`: a deprecation warning each in `terraform
 * validate`), fails `terraform fmt -check`, and copies strings without escaping
 * backslashes, which changes what a pattern means. This writer translates the
 * JSON configuration, the one cdk.tf.json holds and Terraform applies, value for
 * value, and lays it out as `terraform fmt` does. It needs no Terraform binary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type App, DefaultTokenResolver, StringConcat, TerraformElement, type TerraformStack, Tokenization } from 'cdktf';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A value in native syntax: an expression on one line, or a list or object laid out over several. */
type Expr = { readonly text: string } | { readonly items: Expr[] } | { readonly entries: [string, Expr][] };

/** One output line; `key` lines are single-line attributes, whose `=` `terraform fmt` aligns with their neighbours'. */
type Line = { readonly depth: number; readonly key: string; readonly value: string } | { readonly depth: number; readonly text: string };

/** Something the writer does not translate; thrown rather than written as something Terraform would read differently. */
export class HclExportError extends Error {
  constructor(message: string) {
    super(`HCL export: ${message}`);
    this.name = 'HclExportError';
  }
}

/** Orders entries by key, code unit by code unit (as cdk.tf.json is), whatever the machine's locale. */
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A single-line list longer than this is written one item per line. */
const MAX_LINE = 100;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);
const TRAVERSAL = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*$/;

/**
 * Index just past the interpolation or directive that starts at `start` (`${` or
 * `%{`): its expression is HCL source, copied as it is, nested strings included.
 */
function sequenceEnd(template: string, start: number): number {
  let depth = 0;
  for (let i = start + 1; i < template.length; i++) {
    const char = template[i];
    if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return i + 1;
    else if (char === '"') i = quotedEnd(template, i) - 1;
    else if (char === '<' && template[i + 1] === '<') throw new HclExportError(`a heredoc inside an expression is not supported: ${template}`);
  }
  throw new HclExportError(`unterminated template sequence in ${JSON.stringify(template)}`);
}

/** Index just past the quoted string (a template itself) that starts at `start`. */
function quotedEnd(template: string, start: number): number {
  for (let i = start + 1; i < template.length; i++) {
    const char = template[i];
    if (char === '\\') i++;
    else if (char === '"') return i + 1;
    else if ((char === '$' || char === '%') && template[i + 1] === '{') i = sequenceEnd(template, i) - 1;
  }
  throw new HclExportError(`unterminated string in ${JSON.stringify(template)}`);
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A literal part of a template, escaped for a quoted string. */
function escapeLiteral(literal: string): string {
  return literal.replace(/[\\"\n\r\t\u0000-\u001f]/g, (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A JSON-syntax string, which Terraform reads as a template, as the native
 * expression that means the same: `"${x}"` (an interpolation alone, whose value
 * Terraform takes as it is) becomes `x`; any other template keeps its literal
 * text, escaped, and its sequences (`${...}`, `%{...}`, and the escapes `$${`,
 * `%%{`) unchanged, since both syntaxes read those alike. Sequences are copied as
 * written, so `terraform fmt -check` passes as long as they are written as fmt
 * writes them (cdktf's references are; the tests check the stack's).
 */
function template(value: string): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const two = value.slice(i, i + 2);
    if (value.startsWith('$${', i) || value.startsWith('%%{', i)) {
      out += value.slice(i, i + 3);
      i += 3;
    } else if (two === '${' || two === '%{') {
      const end = sequenceEnd(value, i);
      const sequence = value.slice(i, end);
      if (sequence.includes('\n')) throw new HclExportError(`a line break inside a template sequence is not supported: ${JSON.stringify(value)}`);
      if (i === 0 && end === value.length && two === '${' && !sequence.startsWith('${~') && !sequence.endsWith('~}')) {
        return sequence.slice(2, -1).trim();
      }
      out += sequence;
      i = end;
    } else {
      const next = value.slice(i).search(/\$\$\{|%%\{|\$\{|%\{/);
      const literalEnd = next === -1 ? value.length : i + Math.max(next, 1);
      out += escapeLiteral(value.slice(i, literalEnd));
      i = literalEnd;
    }
  }
  return `"${out}"`;
}

/** A JSON value of an attribute, as an expression. */
function expr(value: Json): Expr {
  if (typeof value === 'string') return { text: template(value) };
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return { text: String(value) };
  if (Array.isArray(value)) return { items: value.map(expr) };
  return {
    entries: Object.entries(value)
      .sort(byKey)
      .map(([key, item]) => {
        if (/[$%]\{/.test(key)) throw new HclExportError(`a template in an object key is not supported: ${JSON.stringify(key)}`);
        return [IDENTIFIER.test(key) && !KEYWORDS.has(key) ? key : `"${escapeLiteral(key)}"`, expr(item)];
      }),
  };
}

/** A reference written as a string in JSON syntax (`depends_on`, `ignore_changes`, `provider`), as the reference itself. */
function reference(value: Json, where: string): Expr {
  if (typeof value === 'string') {
    const unwrapped = /^\$\{(.*)\}$/s.exec(value)?.[1].trim() ?? value;
    if (TRAVERSAL.test(unwrapped)) return { text: unwrapped };
  }
  throw new HclExportError(`${where} must be a reference such as aws_iam_role.role, not ${JSON.stringify(value)}`);
}

/** `expr` on one line, if it has one (a scalar, or a list of scalars). */
function inline(value: Expr): string | undefined {
  if ('text' in value) return value.text;
  if ('entries' in value) return value.entries.length === 0 ? '{}' : undefined;
  const items = value.items.map(inline);
  return items.every((item): item is string => item !== undefined) ? `[${items.join(', ')}]` : undefined;
}

function attributeLines(key: string, value: Expr, depth: number): Line[] {
  if ('text' in value) return [{ depth, key, value: value.text }];
  const oneLine = inline(value);
  if (oneLine !== undefined && 2 * depth + key.length + 3 + oneLine.length <= MAX_LINE) return [{ depth, key, value: oneLine }];
  return [{ depth, text: `${key} = ${opener(value)}` }, ...nestedLines(value, depth + 1), { depth, text: closer(value) }];
}

const opener = (value: Expr) => ('items' in value ? '[' : '{');
const closer = (value: Expr) => ('items' in value ? ']' : '}');

function nestedLines(value: Expr, depth: number): Line[] {
  if ('text' in value) return [{ depth, text: value.text }];
  if ('entries' in value) return value.entries.flatMap(([key, item]) => attributeLines(key, item, depth));
  return value.items.flatMap((item) => {
    const oneLine = inline(item);
    if (oneLine !== undefined) return [{ depth, text: `${oneLine},` }];
    return [{ depth, text: opener(item) }, ...nestedLines(item, depth + 1), { depth, text: `${closer(item)},` }];
  });
}

/**
 * Which attributes of each resource, data source and provider type are nested
 * blocks: JSON syntax writes blocks and object-valued attributes alike, native
 * syntax does not. cdktf's generated classes know, and say so in each element's
 * `toHclTerraform()`. Keys: `resource.aws_lambda_function/environment`.
 */
type Shape = Map<string, boolean>;

function collectShape(attributes: unknown, prefix: string, shape: Shape): void {
  if (!isObject(attributes)) return;
  for (const [key, attribute] of Object.entries(attributes)) {
    if (!isObject(attribute) || !('value' in attribute)) continue;
    const isBlock = attribute.isBlock ?? attribute.is_block;
    if (typeof isBlock !== 'boolean') continue;
    shape.set(`${prefix}/${key}`, isBlock);
    if (isBlock) for (const item of [attribute.value].flat()) collectShape(item, `${prefix}/${key}`, shape);
  }
}

/** Meta-arguments of resources and data sources, written first (`count`, ...) or last (`depends_on`, `lifecycle`). */
const LEADING_META = ['count', 'for_each', 'provider'];

function bodyLines(body: JsonObject, shapeKey: string, shape: Shape, depth: number, where: string): Line[] {
  const groups: Line[][] = [];
  const leading = LEADING_META.filter((key) => key in body).flatMap((key) =>
    attributeLines(key, key === 'provider' ? reference(body[key], `${where}.provider`) : expr(body[key]), depth),
  );
  groups.push(leading);

  const attributes: Line[] = [];
  const blocks: Line[][] = [];
  for (const [key, value] of Object.entries(body).sort(byKey)) {
    if (key === '//' || LEADING_META.includes(key) || key === 'depends_on' || key === 'lifecycle') continue;
    if (['provisioner', 'connection', 'dynamic'].includes(key)) throw new HclExportError(`${where}: "${key}" is not supported`);
    const path = `${shapeKey}/${key}`;
    const isBlock = shape.get(path);
    const nested = isObject(value) || (Array.isArray(value) && value.some(isObject));
    if (isBlock === undefined && nested) {
      throw new HclExportError(`${where}.${key}: cannot tell whether it is a block or an attribute (no schema for it)`);
    }
    if (!isBlock) {
      attributes.push(...attributeLines(key, expr(value), depth));
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      if (!isObject(item)) throw new HclExportError(`${where}.${key} is a block, but its value is ${JSON.stringify(item)}`);
      blocks.push(blockLines(key, [], item as JsonObject, path, shape, depth, `${where}.${key}`));
    }
  }
  groups.push(attributes, ...blocks);

  if ('depends_on' in body) {
    const dependsOn = body.depends_on;
    if (!Array.isArray(dependsOn)) throw new HclExportError(`${where}.depends_on must be a list`);
    groups.push(attributeLines('depends_on', { items: dependsOn.map((d) => reference(d, `${where}.depends_on`)) }, depth));
  }
  if ('lifecycle' in body) groups.push(lifecycleLines(body.lifecycle, depth, where));
  return groups.filter((group) => group.length > 0).flatMap((group, index) => (index === 0 ? group : [{ depth, text: '' }, ...group]));
}

function lifecycleLines(lifecycle: Json, depth: number, where: string): Line[] {
  if (!isObject(lifecycle)) throw new HclExportError(`${where}.lifecycle must be an object`);
  const lines = Object.entries(lifecycle)
    .sort(byKey)
    .flatMap(([key, value]) => {
      if (key === 'ignore_changes' && value === 'all') return attributeLines(key, { text: 'all' }, depth + 1);
      if (key === 'ignore_changes' || key === 'replace_triggered_by') {
        if (!Array.isArray(value)) throw new HclExportError(`${where}.lifecycle.${key} must be a list`);
        return attributeLines(key, { items: value.map((v) => reference(v, `${where}.lifecycle.${key}`)) }, depth + 1);
      }
      if (typeof value !== 'boolean') throw new HclExportError(`${where}.lifecycle.${key} is not supported`);
      return attributeLines(key, expr(value), depth + 1);
    });
  return [{ depth, text: 'lifecycle {' }, ...lines, { depth, text: '}' }];
}

function blockLines(type: string, labels: string[], body: JsonObject, shapeKey: string, shape: Shape, depth: number, where: string): Line[] {
  const header = [type, ...labels.map((label) => `"${escapeLiteral(label)}"`)].join(' ');
  const inner = bodyLines(body, shapeKey, shape, depth + 1, where);
  return inner.length === 0 ? [{ depth, text: `${header} {}` }] : [{ depth, text: `${header} {` }, ...inner, { depth, text: '}' }];
}

function terraformBlockLines(terraform: Json): Line[] {
  if (!isObject(terraform)) throw new HclExportError('"terraform" must be an object');
  const groups: Line[][] = [];
  for (const [key, value] of Object.entries(terraform)) {
    if (key === 'required_providers' && isObject(value)) {
      const providers = Object.entries(value as JsonObject)
        .sort(byKey)
        .flatMap(([name, requirement]) => attributeLines(name, expr(requirement), 2));
      groups.push([{ depth: 1, text: 'required_providers {' }, ...providers, { depth: 1, text: '}' }]);
    } else if (key === 'backend' && isObject(value) && Object.keys(value).length === 1) {
      const [[type, settings]] = Object.entries(value as JsonObject);
      if (!isObject(settings)) throw new HclExportError(`backend "${type}" must be an object`);
      const lines = Object.entries(settings as JsonObject)
        .sort(byKey)
        .flatMap(([name, setting]) => attributeLines(name, expr(setting), 2));
      groups.push([{ depth: 1, text: `backend "${type}" {` }, ...lines, { depth: 1, text: '}' }]);
    } else if (key === 'required_version' && typeof value === 'string') {
      groups.push(attributeLines(key, expr(value), 1));
    } else {
      throw new HclExportError(`terraform.${key} is not supported`);
    }
  }
  return [{ depth: 0, text: 'terraform {' }, ...groups.flatMap((group, index) => (index === 0 ? group : [{ depth: 1, text: '' }, ...group])), { depth: 0, text: '}' }];
}

/** Lines as text, with the `=` of consecutive single-line attributes aligned as `terraform fmt` aligns them. */
function layout(lines: Line[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i];
    if (!('key' in line)) {
      out.push(line.text === '' ? '' : `${'  '.repeat(line.depth)}${line.text}`);
      i++;
      continue;
    }
    let end = i;
    while (end < lines.length && 'key' in lines[end]) end++;
    const chain = lines.slice(i, end) as Extract<Line, { key: string }>[];
    // terraform fmt counts bytes, not characters.
    const width = Math.max(...chain.map((l) => Buffer.byteLength(l.key)));
    for (const l of chain) out.push(`${'  '.repeat(l.depth)}${l.key}${' '.repeat(width - Buffer.byteLength(l.key))} = ${l.value}`);
    i = end;
  }
  return `${out.join('\n')}\n`;
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

const SUPPORTED_SECTIONS = new Set(['//', 'terraform', 'provider', 'data', 'resource', 'output']);

/**
 * The stack's configuration in native syntax, meaning exactly what its JSON
 * (`stack.toTerraform()`, written to cdk.tf.json) means; blocks in construct
 * order, as the stack's code declares them.
 * @throws HclExportError for a construct the writer cannot translate faithfully.
 */
export function toHcl(stack: TerraformStack): string {
  const json = stack.toTerraform() as JsonObject;
  for (const section of Object.keys(json)) {
    if (!SUPPORTED_SECTIONS.has(section)) throw new HclExportError(`top-level "${section}" is not supported`);
  }

  const shape: Shape = new Map();
  const order: { section: 'provider' | 'data' | 'resource' | 'output'; type: string; name?: string }[] = [];
  const elements = stack.node.findAll().filter((c): c is TerraformElement => TerraformElement.isTerraformElement(c) && c.cdktfStack === stack);
  for (const element of elements) {
    const fragment = Tokenization.resolve(element.toHclTerraform(), { scope: stack, resolver: RESOLVER }) as Record<string, Record<string, unknown>>;
    for (const section of ['data', 'resource'] as const) {
      for (const [type, byName] of Object.entries(fragment[section] ?? {})) {
        for (const [name, attributes] of Object.entries(byName as Record<string, unknown>)) {
          collectShape(attributes, `${section}.${type}`, shape);
          order.push({ section, type, name });
        }
      }
    }
    for (const [type, instances] of Object.entries(fragment.provider ?? {})) {
      for (const instance of [instances].flat()) collectShape(instance, `provider.${type}`, shape);
      // One entry per type, however many instances (aliases): all are written together.
      if (!order.some((entry) => entry.section === 'provider' && entry.type === type)) order.push({ section: 'provider', type });
    }
    for (const name of Object.keys(fragment.output ?? {})) order.push({ section: 'output', type: name });
  }

  const blocks: Line[][] = [];
  if (json.terraform !== undefined) blocks.push(terraformBlockLines(json.terraform));
  let written = 0;
  const section = (name: string) => (json[name] ?? {}) as Record<string, Json>;
  for (const entry of order) {
    if (entry.section === 'provider') {
      const instances = section('provider')[entry.type];
      for (const instance of [instances].flat() as JsonObject[]) {
        blocks.push(blockLines('provider', [entry.type], instance, `provider.${entry.type}`, shape, 0, `provider.${entry.type}`));
      }
      written += 1;
    } else if (entry.section === 'output') {
      const output = section('output')[entry.type];
      if (!isObject(output)) throw new HclExportError(`output "${entry.type}" is missing from the JSON configuration`);
      blocks.push(blockLines('output', [entry.type], output as JsonObject, 'output', shape, 0, `output.${entry.type}`));
      written += 1;
    } else {
      const body = (section(entry.section)[entry.type] as JsonObject | undefined)?.[entry.name!];
      if (!isObject(body)) throw new HclExportError(`${entry.section} ${entry.type}.${entry.name} is missing from the JSON configuration`);
      const where = `${entry.section === 'data' ? 'data.' : ''}${entry.type}.${entry.name}`;
      blocks.push(blockLines(entry.section, [entry.type, entry.name!], body as JsonObject, `${entry.section}.${entry.type}`, shape, 0, where));
      written += 1;
    }
  }

  // Everything in the JSON is written once: an override that added a block no element declares would otherwise be lost.
  const count = (name: string, depth: number) =>
    Object.values(section(name)).reduce<number>((sum, byName) => sum + (depth === 1 ? 1 : Object.keys(byName as JsonObject).length), 0);
  const expected = count('provider', 1) + count('output', 1) + count('data', 2) + count('resource', 2);
  if (written !== expected) throw new HclExportError(`wrote ${written} blocks, but the JSON configuration has ${expected}`);

  return layout(blocks.flatMap((block, index) => (index === 0 ? block : [{ depth: 0, text: '' }, ...block])));
}

/**
 * Leaves exactly one configuration in the stack's directory after `app.synth()`:
 * cdk.tf.json, or with `cdktf synth --hcl` this module's cdk.tf (with cdktf's
 * metadata.json, which the cdktf CLI reads). Terraform reads every `*.tf` and
 * `*.tf.json` of a directory, so the other format's file, left by an earlier
 * synth, would declare everything twice.
 */
export function writeStackConfiguration(app: App, stack: TerraformStack): void {
  const manifest = app.manifest.forStack(stack);
  const stackDir = path.join(app.outdir, manifest.workingDirectory);
  if (app.hclOutput) {
    fs.writeFileSync(path.join(app.outdir, manifest.synthesizedStackPath), toHcl(stack));
    fs.rmSync(path.join(stackDir, 'cdk.tf.json'), { force: true });
  } else {
    for (const file of ['cdk.tf', path.basename(manifest.stackMetadataPath)]) fs.rmSync(path.join(stackDir, file), { force: true });
  }
}
